"""The LLM's reading of what the rules leave open: kinds (when unclear), topic, tone, style.

One call at temperature 0. The answer is one compact line,
``topic|tone|style|kinds``, held to that shape by a GBNF grammar; tone
and style come from closed lists, so they are settings the generators know, not
free words. On this 2-core machine decoding costs ~60-75 ms a token and the
answer is most of a planning call's time: the line takes ~10 tokens where the
same reading as JSON took ~27 (keys, quotes and braces are tokens too). The
subject's name is not asked: the LLM mostly copied the topic into it, and the
parse finds names (``_parse.name_spans``); dropping it took a topic-only reading
from p50 1.78 s to 1.27 s here.

The system prompt and its few-shot examples never change from one request to
the next, so a backend with prefix caching evaluates them once; each call then
pays only for the request's own tokens and the short answer. Backends without
GBNF (transformers) get the JSON schema instead; both answers parse.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, ValidationError

from genloom.brain.understand._extract import GENRES, STYLES, TONES
from genloom.brain.understand._parts import KINDS, ORDER

# Tones the writers understand beyond the voice tones the extractor knows.
EXTRA_TONES = ("simple", "funny", "formal", "casual", "elegant", "inspiring", "romantic", "nostalgic", "fun",
               "bold", "cozy", "festive", "heartfelt")
TONE_WORDS = tuple(dict.fromkeys((*TONES, *EXTRA_TONES)))
# A look for pictures (STYLES) or a music genre: the two kinds of style a generator takes.
STYLE_WORDS = tuple(dict.fromkeys((*STYLES, *GENRES)))
FIELDS = ("topic", "tone", "style", "kinds")

SCHEMA = {
    "type": "object",
    "properties": {
        "kinds": {"type": "array", "items": {"type": "string", "enum": list(KINDS)}, "minItems": 1, "maxItems": 6},
        "topic": {"type": "string", "maxLength": 60},
        "tone": {"type": "string", "enum": ["", *TONE_WORDS]},
        "style": {"type": "string", "enum": ["", *STYLE_WORDS]},
    },
    "required": list(FIELDS),
}


def _alternatives(words: tuple[str, ...]) -> str:
    return " | ".join(f'"{w}"' for w in words)


def _grammar(with_kinds: bool) -> str:
    kinds = ' "|" kind ("," kind){0,5}' if with_kinds else ""
    return "\n".join([
        f'root ::= free60 "|" tone? "|" style?{kinds}',
        f"kind ::= {_alternatives(KINDS)}",
        "free60 ::= chr{0,60}",
        'chr ::= [^|\\x00-\\x1f]',
        f"tone ::= {_alternatives(TONE_WORDS)}",
        f"style ::= {_alternatives(STYLE_WORDS)}",
    ])


GRAMMAR = _grammar(with_kinds=True)
# When the rules already know the kinds, the answer stops after the style: ~4 tokens fewer.
GRAMMAR_OPEN = _grammar(with_kinds=False)

# Constant: the runtime caches this prefix. Change it only with care (every plan pays once more).
SYSTEM = f"""You read requests to a creative assistant. Reply with one line: topic|tone|style|kinds
kinds: what the user wants to RECEIVE, comma-separated, from: text (prose, answers, scripts, lyrics, summaries), \
code (programs, SVG, HTML), transcript (the words of a recording written out), image (pictures, logos, posters), \
speech (spoken audio, voiceovers, narration), music (songs, jingles, soundtracks), sound (sound effects, \
ambiences, noise), video (clips, animations). Describing or writing about something is text. When the user's \
file is edited (music added to their video), the kind is the edited file's kind.
topic: what it is about, a few words from the request. tone: one of {", ".join(TONE_WORDS)}, or empty. style: one of {", ".join(STYLE_WORDS)}, or empty.
Examples:
Request: a jingle for Loop Coffee
Loop Coffee|cheerful||music
Request: headline and hero image, Aurora lamp launch
the Aurora lamp launch|||text,image
Request: something soothing to fall asleep to
falling asleep|soothing|ambient|music
Request: transcribe talk.wav then summarize it
the talk|||text
Request: put music under demo.mp4
the demo|||video
Request: a retro poster for Mia's bakery
Mia's bakery||vintage|image
Request: explain like I'm five why the sky is blue
why the sky is blue|simple||text"""


class Reading(BaseModel):
    kinds: list[str] = Field(default_factory=list)
    topic: str = Field("", max_length=80)
    name: str = Field("", max_length=40)  # only from a backend's JSON answer
    tone: str = Field("", max_length=24)
    style: str = Field("", max_length=24)

    def ordered_kinds(self) -> list[str]:
        return sorted({k for k in self.kinds if k in ORDER}, key=ORDER.__getitem__)


def parse_reading(text: str) -> Reading:
    """The answer line (or, from a backend without GBNF, its JSON); ValueError when it is neither."""
    text = text.strip()
    if text.startswith("{"):
        from genloom.brain.llm import parse_json

        reading = parse_json(text, Reading)
        if reading is None:
            raise ValueError(f"the language model's reading is not valid JSON: {text[:80]!r}")
        return reading  # type: ignore[return-value]
    line = text.splitlines()[0] if text else ""
    fields = [f.strip() for f in line.split("|")]
    if len(fields) not in (len(FIELDS) - 1, len(FIELDS)):
        raise ValueError(f"the language model's reading is not topic|tone|style|kinds: {line[:80]!r}")
    values = dict(zip(FIELDS, fields, strict=False))
    kinds = [k.strip() for k in values.pop("kinds", "").split(",") if k.strip()]
    try:
        return Reading(kinds=kinds, **values)
    except ValidationError as exc:
        raise ValueError(f"the language model's reading does not fit: {exc}") from None


def llm_read(request: str, model: str | None = None, *, kinds: bool = True) -> Reading:
    """The LLM's reading; raises the text backend's error (the caller notes it) or ValueError on a bad answer.

    ``kinds=False`` when the rules already know what to make: the answer stops after the style.
    """
    from genloom.brain.llm import ask

    text, _ = ask(f"Request: {request}", system=SYSTEM, model=model, max_tokens=48, temperature=0.0,
                  json_schema=SCHEMA, grammar=GRAMMAR if kinds else GRAMMAR_OPEN, task="understand", log=False)
    return parse_reading(text)
