"""The LLM's reading of what the rules leave open: kinds (when unclear), topic, name, tone, style.

One call under a JSON schema, at temperature 0. The system prompt and its
few-shot examples never change from one request to the next, so a backend
with prefix caching evaluates them once; each planning call then pays only for
the request's own tokens (~40) and the short answer (~30).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from genloom.brain.understand._parts import KINDS, ORDER

SCHEMA = {
    "type": "object",
    "properties": {
        "kinds": {"type": "array", "items": {"type": "string", "enum": list(KINDS)}, "minItems": 1, "maxItems": 6},
        "topic": {"type": "string", "maxLength": 60},
        "name": {"type": "string", "maxLength": 30},
        "tone": {"type": "string", "maxLength": 16},
        "style": {"type": "string", "maxLength": 16},
    },
    "required": ["kinds", "topic", "name", "tone", "style"],
}

def _grammar() -> str:
    """The schema as compact GBNF: no whitespace between tokens, so the answer costs ~30 tokens, not ~45."""
    kind = " | ".join(f'"\\"{k}\\""' for k in KINDS)
    return "\n".join([
        'root ::= "{\\"kinds\\":[" kind ("," kind){0,5} "],\\"topic\\":" str ",\\"name\\":" str '
        '",\\"tone\\":" short ",\\"style\\":" short "}"',
        f"kind ::= {kind}",
        'str ::= "\\"" chr{0,60} "\\""',
        'short ::= "\\"" chr{0,16} "\\""',
        'chr ::= [^"\\\\\\x00-\\x1f]',
    ])


GRAMMAR = _grammar()

# Constant: the runtime caches this prefix. Change it only with care (every plan pays once more).
SYSTEM = """You read requests to a creative assistant. Reply with JSON only.
kinds: what the user wants to RECEIVE, from: text (prose, answers, scripts, lyrics, summaries), code (programs, SVG, \
HTML), transcript (the words of a recording written out), image (pictures, logos, posters), speech (spoken audio, \
voiceovers, narration), music (songs, jingles, soundtracks), sound (sound effects, ambiences, noise), video (clips, \
animations). Describing or writing about something is text. When the user's file is edited (music added to their \
video), the kind is the edited file's kind.
topic: what it is about, a few words from the request. name: the product, brand or person's name if one is given, \
else "". tone: one word or "". style: one visual or musical style word or "".
Examples:
Request: a jingle for Loop Coffee
{"kinds": ["music"], "topic": "Loop Coffee", "name": "Loop Coffee", "tone": "cheerful", "style": ""}
Request: headline and hero image, Aurora lamp launch
{"kinds": ["text", "image"], "topic": "the Aurora lamp launch", "name": "Aurora", "tone": "", "style": ""}
Request: something soothing to fall asleep to
{"kinds": ["music"], "topic": "falling asleep", "name": "", "tone": "soothing", "style": "ambient"}
Request: transcribe talk.wav then summarize it
{"kinds": ["text"], "topic": "the talk", "name": "", "tone": "", "style": ""}
Request: put music under demo.mp4
{"kinds": ["video"], "topic": "the demo", "name": "", "tone": "", "style": ""}
Request: explain like I'm five why the sky is blue
{"kinds": ["text"], "topic": "why the sky is blue", "name": "", "tone": "simple", "style": ""}"""


class Reading(BaseModel):
    kinds: list[str] = Field(default_factory=list)
    topic: str = Field("", max_length=80)
    name: str = Field("", max_length=40)
    tone: str = Field("", max_length=24)
    style: str = Field("", max_length=24)

    def ordered_kinds(self) -> list[str]:
        return sorted({k for k in self.kinds if k in ORDER}, key=ORDER.__getitem__)


def llm_read(request: str, model: str | None = None) -> Reading:
    """The LLM's reading; raises the text backend's error (the caller notes it) or ValueError on bad JSON."""
    from genloom.brain.llm import ask, parse_json

    text, _ = ask(f"Request: {request}", system=SYSTEM, model=model, max_tokens=60, temperature=0.0,
                  json_schema=SCHEMA, grammar=GRAMMAR, task="understand", log=False)
    reading = parse_json(text, Reading)
    if reading is None:
        raise ValueError(f"the language model's reading is not valid JSON: {text[:80]!r}")
    return reading  # type: ignore[return-value]
