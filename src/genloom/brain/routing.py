"""Output-first routing: decide what the user wants to *receive* before any model is chosen.

Three stages, cheapest first:

1. **Rules** (:mod:`genloom.brain.cues`): the request is split into parts
   ("a headline, a hero image and a jingle"), and in each part the *head* of
   the first noun phrase names the artifact ("a caption for my photo" is a
   caption: text; "the SVG for an icon" is SVG: code). Verbs that fix the
   output ("describe", "narrate", "draw") override the noun, questions want
   text, and "with"-attributes a host can carry (a headline *on* an image,
   music *in* a video) are not separate deliverables.
2. **Embeddings**: when no cue fires, the request is compared with labelled
   prototype requests (MiniLM); the nearest kind wins when it is clear.
3. **LLM**: when the embedding vote is close, the default text model picks
   the deliverables under a JSON schema (so its answer always parses).

Single-output requests are decided by stages 1–2 in a few milliseconds.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from genloom.brain import cues

DELIVERABLE_KINDS = ("text", "code", "image", "speech", "music", "video")
# The order deliverables are listed in: the order a human would assemble them.
ORDER = {k: i for i, k in enumerate(DELIVERABLE_KINDS)}


@dataclass
class Part:
    """One deliverable found in the request, with the words that decided it."""

    kind: str
    text: str
    cue: str
    reason: str


@dataclass
class Route:
    deliverables: list[str]
    parts: list[Part]
    stage: str  # "rules", "embedding", "llm" or "default"
    confidence: float
    ms: float = 0.0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "deliverables": self.deliverables,
            "stage": self.stage,
            "confidence": round(self.confidence, 3),
            "parts": [p.__dict__ for p in self.parts],
            "notes": self.notes,
        }


# -- compiled cue tables ----------------------------------------------------

@dataclass(frozen=True)
class _Cue:
    regex: re.Pattern[str]
    kind: str
    role: str  # noun, verb, weak, modifier


def _compile() -> list[_Cue]:
    out: list[_Cue] = []
    tables = [(cues.NOUNS, "noun"), (cues.DOMINANT_VERBS, "verb"), (cues.WEAK_VERBS, "weak"),
              (cues.MODIFIERS, "modifier"), (cues.CONVERTERS, "converter")]
    for table, role in tables:
        for kind, patterns in table.items():
            for pat in patterns:
                out.append(_Cue(re.compile(rf"(?<![\w-]){pat}(?![\w-])"), kind, role))
    for pat, _kinds in cues.BUNDLES.items():
        out.append(_Cue(re.compile(rf"(?<![\w-]){pat}(?![\w-])"), "bundle", "noun"))
    # "explain recursion with an example in Python": a language after "in" qualifies, it is not an artifact.
    out.append(_Cue(re.compile(r"(?<![\w-])(?:in|using) (?:python|javascript|typescript|java|rust|go|golang|c\+\+|"
                               r"c#|ruby|php|kotlin|swift|bash|sql|r)(?![\w-])"), "code", "weak"))
    return out


_CUES = _compile()
_BUNDLES = [(re.compile(rf"(?<![\w-]){p}(?![\w-])"), kinds) for p, kinds in cues.BUNDLES.items()]
_FORMATS = re.compile(r"^(?:svg|html|css|json|yaml|latex|python|javascript|typescript|sql(?: query)?|bash|"
                      r"regex|mermaid diagram)$")
# "a flowchart in mermaid", "draw a chart using matplotlib": a visual made by writing code.
_FORMAT_SUFFIX = re.compile(r"\b(?:in|using|with|as) (?:an? )?(?:mermaid|svg|html|css|python|javascript|typescript|latex|"
                            r"tikz|matplotlib|d3(?:\.js)?|p5\.js|processing|graphviz|plantuml)\b")
_QUESTION = re.compile(rf"^(?:{'|'.join(cues.QUESTION_OPENERS)})\b")
_POLITE = re.compile(rf"^(?:(?:{'|'.join(cues.POLITE)})\s+)+")
_QUOTED = re.compile(r"(?:(?<=\s)|^)([\"“‘'])(?:(?!\1).){1,400}?[\"”’'](?=[\s.,!?;:]|$)")
# Words that announce a list of deliverables after a colon ("I need:", "launch kit:").
_LIST_INTRO = re.compile(r"\b(?:need|want|like|kit|pack|bundle|package|campaign|assets|set|intro|deliverables|"
                         r"following|everything)\b")
_MEDIUM_WORDS = {"audio", "voice", "video", "animated", "audio file", "audio clip", "audio recording",
                 "recording"}
_ABOUT_MEDIA = re.compile(r"^(?:script|lyrics|transcripts?|captions?|descriptions?|prompts?|titles?|ideas?|"
                          r"names?|tips|review|summary|outline|plan)$")
_WORD = re.compile(r"[\w'-]+")
_CONVERT = re.compile(r"\b(?:turn|convert|transform|change|make|render|adapt|remix)\b")
_PRONOUN_OBJ = re.compile(r"\b(?:it|them|this|that|how it works|what it does)\b")
_WRITE = re.compile(r"\b(?:write|draft|type|jot)\b")


@dataclass
class _Match:
    start: int
    end: int
    kind: str
    role: str
    text: str


def _matches(text: str) -> list[_Match]:
    found = [
        _Match(m.start(), m.end(), c.kind, c.role, m.group(0))
        for c in _CUES
        for m in c.regex.finditer(text)
    ]
    # Longest match at the earliest position wins; overlapping shorter cues are dropped.
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    chosen: list[_Match] = []
    end = -1
    for m in found:
        if m.start >= end:
            chosen.append(m)
            end = m.end
    return chosen


def normalize(request: str) -> str:
    text = " ".join(request.strip().split())
    text = _QUOTED.sub(" QUOTED ", text)
    text = text.lower().replace("’", "'")
    text = _POLITE.sub("", text)
    return text.strip(" .!")


def _strip_payload(text: str) -> str:
    """Drop the payload after a colon ("read this aloud: <payload>") unless it lists deliverables."""
    if ":" not in text:
        return text
    head, _, tail = text.partition(":")
    tail_parts = [p for p in re.split(cues.AND_SPLIT, tail) if p and _matches(p)]
    head_matches = _matches(head)
    head_kinds = _classify_part(head).kinds if head.strip() else []
    # A head made of its cue ("text to speech:") is an instruction about the tail;
    # a head where a cue is incidental names the subject ("sneakers by Loop:",
    # where "loop" is no music request) and the tail lists what to make.
    directive = bool(head_matches) and sum(m.end - m.start for m in head_matches) >= 0.5 * len(head.strip())
    introduces_list = not head_kinds or _LIST_INTRO.search(head) or len(head_kinds) > 1 or not directive
    if len(tail_parts) >= 2 and introduces_list and not any(m.role == "verb" for m in head_matches):
        return tail  # "launch kit: a headline, a hero image and a jingle"
    return head if _matches(head) else text


# -- one part of a request ---------------------------------------------------

@dataclass
class _PartResult:
    kinds: list[str]
    cue: str
    reason: str
    via: str  # noun, verb, weak, question, none


def _classify_part(text: str) -> _PartResult:
    matches = _matches(text)
    if not matches:
        return _PartResult([], "", "", "none")
    boundaries = [m.start() for m in _WORD.finditer(text) if m.group(0) in cues.BOUNDARY_WORDS
                  and not any(c.start <= m.start() < c.end for c in matches)]

    # "turn this post into an audio version": the artifact after "into" is the deliverable.
    conv = _CONVERT.search(text)
    if conv:
        into = re.search(r"\b(?:into|to|as)\b", text[conv.end():])
        if into:
            pos = conv.end() + into.end()
            after = [m for m in matches if m.start >= pos and m.role == "noun"]
            first_noun = next((m for m in matches if m.role == "noun"), None)
            if after and (first_noun is None or first_noun.start < pos):
                target = after[0]
                kind = "speech" if target.text in ("speech", "voice") else target.kind
                conv_words = [m for m in matches if m.role == "converter" and pos <= m.start < target.start]
                if conv_words and kind == "text":  # "into a spoken guide"
                    kind = conv_words[0].kind
                if kind != "bundle":
                    return _PartResult([kind], target.text, f"converts into {target.text!r}", "noun")

    # The head phrase: everything up to the first boundary word after the first noun.
    first_noun = next((m for m in matches if m.role == "noun"), None)
    limit = len(text)
    if first_noun is not None:
        later = [b for b in boundaries if b >= first_noun.end]
        limit = later[0] if later else len(text)
    head = [m for m in matches if m.start < limit]

    nouns = [m for m in head if m.role == "noun"]
    verbs = [m for m in head if m.role == "verb"]
    weak = [m for m in head if m.role == "weak"]
    modifiers = [m for m in head if m.role == "modifier"]
    converters = [m for m in head if m.role == "converter"]

    kinds: list[str] = []
    # A verb after the artifact adds to it ("a bedtime story read aloud"); before it, it decides.
    first_noun_start = nouns[0].start if nouns else len(text)
    late_verbs = [v for v in verbs if v.start > first_noun_start]
    verbs = [v for v in verbs if v.start < first_noun_start]
    if verbs:
        v = verbs[0]
        kinds, cue, reason, via = [v.kind], v.text, f"the verb {v.text!r} asks for {v.kind}", "verb"
    elif nouns:
        # In a noun compound the last noun is the head ("voiceover script" is a script).
        compound = [nouns[0]]
        for m in nouns[1:]:
            gap = text[compound[-1].end:m.start]
            if len(_WORD.findall(gap)) <= 2 and not any(compound[-1].end <= b < m.start for b in boundaries):
                compound.append(m)
            else:
                break
        noun = compound[-1]
        # "an audio announcement", "a video message": a medium word before a text noun names the output;
        # "a video script" (explicit cue) and "an image caption" are words about the medium.
        medium = next((m for m in compound[:-1] if m.text in _MEDIUM_WORDS), None)
        if medium is not None and noun.kind == "text" and not _ABOUT_MEDIA.match(noun.text):
            noun = medium
        if noun.kind == "bundle":
            kinds = next(k for r, k in _BUNDLES if r.fullmatch(noun.text))
            return _PartResult(list(kinds), noun.text, f"{noun.text!r} is a bundle of {', '.join(kinds)}", "noun")
        kind = noun.kind
        reason = f"the request asks for {noun.text!r}, which is {kind}"
        if any(_FORMATS.match(m.text) for m in compound) and kind != "code":
            fmt = next(m.text for m in compound if _FORMATS.match(m.text))
            kind, reason = "code", f"{fmt!r} is written as code, even for a {noun.text!r}"
        # "write a voiceover" wants the words, not the recording.
        if kind == "speech" and _WRITE.search(text[:noun.start]) and not any(w.kind == "speech" for w in weak):
            kind, reason = "text", f"'write' + {noun.text!r} asks for the words (a script), not audio"
        if kind == "text" and any(w.kind == "speech" for w in weak):
            kind, reason = "speech", f"'record' + {noun.text!r} asks for audio"
        if kind == "text" and converters:
            kind, reason = converters[0].kind, f"{converters[0].text!r} {noun.text} is {converters[0].kind}"
        fmt_suffix = _FORMAT_SUFFIX.search(text)
        if fmt_suffix and kind in ("image", "video", "music"):
            kind, reason = "code", f"{fmt_suffix.group(0)!r}: the {noun.text} is made by writing code"
        kinds, cue, via = [kind], noun.text, "noun"
    elif converters:
        c = converters[0]
        kinds, cue, reason, via = [c.kind], c.text, f"{c.text!r} asks for {c.kind}", "noun"
    elif weak:
        w = weak[0]
        kinds, cue, reason, via = [w.kind], w.text, f"the verb {w.text!r} suggests {w.kind}", "weak"
    else:
        kinds, cue, reason, via = [], "", "", "none"
    for late in late_verbs:
        if kinds and late.kind not in kinds and (kinds[0], late.kind) not in cues.CONTAINS and late.kind != "text":
            kinds.append(late.kind)
            reason += f"; {late.text!r} adds {late.kind}"
    for mod in modifiers:
        if kinds and (kinds[0], mod.kind) in cues.CONTAINS or mod.kind in kinds:
            continue
        if mod.kind == "video" and kinds == ["image"]:  # "an animated logo" is a video
            kinds = ["video"]
            continue
        kinds.append(mod.kind)
        reason += f"; {mod.text!r} adds {mod.kind}"
    return _PartResult(kinds, cue, reason, via)


# -- the whole request -------------------------------------------------------

def _split(text: str) -> list[tuple[str, str]]:
    """Parts with how each joins the previous one: "and" (new deliverable) or "with" (attribute)."""
    out: list[tuple[str, str]] = []
    for i, chunk in enumerate(re.split(cues.AND_SPLIT, text)):
        if not chunk.strip():
            continue
        for j, sub in enumerate(re.split(cues.WITH_SPLIT, chunk)):
            if sub.strip():
                out.append((sub.strip(), "with" if j > 0 else ("and" if i > 0 else "first")))
    return out


# "for Brightside, a budgeting app for students": an appositive after a proper
# name says what the subject is; its nouns ("app") are not deliverables. One
# holding "and"/"plus" is a list of deliverables instead ("for Jazz Night, a
# poster and a jingle"), and so is a bare "a jingle": both are left alone.
_APPOSITIVE = re.compile(r"(\b(?:for|about|called|named|of)\s+[A-Z][\w'&.-]*(?:\s+[A-Z][\w'&.-]*)*),"
                         r"\s+(?:a|an|the)\s+(?=[^\s,;:]+\s+[^\s,;:])(?:(?!\band\b|\bplus\b|&)[^,;:])+(?=[,;:]|$)")


def _drop_appositives(request: str) -> str:
    return _APPOSITIVE.sub(r"\1", request)


def route_rules(request: str) -> tuple[list[Part], list[str]]:
    """Stage 1. Returns the parts found (possibly none) and notes for explanations."""
    text = normalize(_drop_appositives(request))
    notes: list[str] = []
    if not text:
        return [], notes
    if _QUESTION.match(text) and not re.match(r"^(?:is|are) (?:a|an|the) ", text):
        return [Part("text", request, text.split()[0], "a question: the answer is text")], notes
    text = _strip_payload(text)
    parts: list[Part] = []
    host: str | None = None
    for chunk, join in _split(text):
        res = _classify_part(chunk)
        if not res.kinds or (join == "with" and res.via == "weak" and host is not None):
            continue  # "with an example in Python": an attribute named by no artifact is no deliverable
        kinds = res.kinds
        refers_back = res.via == "verb" and _PRONOUN_OBJ.search(chunk) and kinds == ["text"]
        if host is not None and (join == "with" or refers_back):
            kept = [k for k in kinds if (host, k) not in cues.CONTAINS]
            for k in kinds:
                if k not in kept:
                    notes.append(f"{chunk!r} goes into the {host}, not a separate {k} deliverable")
            kinds = kept
        for k in kinds:
            parts.append(Part(k, chunk, res.cue, res.reason))
        if join != "with" and res.kinds:
            host = res.kinds[0]
    return parts, notes


# -- stage 2: embeddings -----------------------------------------------------

PROTOTYPES: dict[str, list[str]] = {
    "text": ["write an email to my boss", "tell me about the history of Rome", "answer this question",
             "give me advice on my career", "hi, how are you?", "a thank you note for my teacher",
             "help me plan my week", "what should I cook tonight", "ideas for a birthday party",
             "a story for my kids", "summarize this", "make this paragraph shorter"],
    "code": ["write a function", "fix my python code", "a script that renames files", "build a web app",
             "automate this task with a program", "parse a CSV file in pandas", "sort an array",
             "connect to a database", "make my loop faster", "deploy with kubernetes"],
    "image": ["a picture of a cat", "generate an image of mountains", "design a logo", "a poster for a concert",
              "an illustration for my book", "a photo of a beach at sunset", "make art of a dragon",
              "a drawing of a house", "something pretty to hang on my wall"],
    "speech": ["read this out loud", "a voiceover for my video", "convert text to audio",
               "record a voice message", "narrate my story", "say hello in a friendly voice",
               "an audiobook chapter", "a spoken announcement"],
    "music": ["compose a song", "background music for a video", "a jingle for my brand",
              "a relaxing melody", "a beat for my rap", "piano music", "something to help me fall asleep to",
              "a catchy tune", "an ambient soundscape"],
    "video": ["make a video", "an animation of a bouncing ball", "a short film", "a promo clip",
              "a trailer for my game", "a timelapse of a city", "a slideshow of my photos"],
}

_proto_lock = threading.Lock()
_proto: tuple[Any, list[str]] | None = None


def _prototypes() -> tuple[Any, list[str]]:
    global _proto
    with _proto_lock:
        if _proto is None:
            from genloom.embeddings import embed

            labels = [k for k, items in PROTOTYPES.items() for _ in items]
            texts = [t for items in PROTOTYPES.values() for t in items]
            _proto = (embed(texts), labels)
        return _proto


def route_embedding(request: str) -> tuple[str, float, float]:
    """Stage 2: (best kind, its similarity, margin over the runner-up kind)."""
    from genloom.embeddings import embed

    vecs, labels = _prototypes()
    sims = vecs @ embed([request])[0]
    best: dict[str, float] = {}
    for label, sim in zip(labels, sims, strict=True):
        best[label] = max(best.get(label, -1.0), float(sim))
    ranked = sorted(best.items(), key=lambda kv: -kv[1])
    (kind, score), (_, second) = ranked[0], ranked[1]
    return kind, score, score - second


# -- stage 3: LLM --------------------------------------------------------------

ROUTE_SCHEMA = {
    "type": "object",
    "properties": {
        "deliverables": {
            "type": "array",
            "items": {"type": "string", "enum": list(DELIVERABLE_KINDS)},
            "minItems": 1,
            "maxItems": 6,
        }
    },
    "required": ["deliverables"],
}

ROUTE_SYSTEM = (
    "You decide what kinds of output a user wants to RECEIVE. Kinds: text (prose, answers, scripts, lyrics, "
    "descriptions), code (programs, SVG, HTML), image (pictures, logos, posters), speech (spoken audio, "
    "voiceovers, narration), music (songs, jingles, soundtracks), video (clips, animations). "
    "Describing or writing about something is text. Reply with JSON only."
)


def route_llm(request: str, model: str | None = None) -> list[str]:
    import json

    from genloom.text.api import chat

    response = chat(f"Request: {request}\nWhich kinds of output does the user want to receive?",
                    system=ROUTE_SYSTEM, model=model, task="route", temperature=0.0, max_tokens=40,
                    json_schema=ROUTE_SCHEMA, log=False)
    data = json.loads(response.text())
    kinds = [k for k in data.get("deliverables", []) if k in DELIVERABLE_KINDS]
    return sorted(set(kinds), key=ORDER.__getitem__)


# -- public entry point ----------------------------------------------------------

EMBED_MIN_SIM = 0.35
EMBED_MIN_MARGIN = 0.04


def route(request: str, *, use_embeddings: bool = True, use_llm: bool = True, model: str | None = None) -> Route:
    """Decide the deliverables of a request. Never raises for odd input: falls back to text."""
    start = time.perf_counter()
    parts, notes = route_rules(request)
    if parts:
        kinds = sorted({p.kind for p in parts}, key=ORDER.__getitem__)
        return Route(kinds, parts, "rules", 0.95, (time.perf_counter() - start) * 1000, notes)
    if use_embeddings and request.strip():
        try:
            kind, score, margin = route_embedding(request)
        except Exception as exc:  # no embedding model: the LLM or the default decides
            notes.append(f"embedding stage unavailable: {exc}")
        else:
            if score >= EMBED_MIN_SIM and margin >= EMBED_MIN_MARGIN:
                part = Part(kind, request, "", f"closest to known {kind} requests (similarity {score:.2f})")
                return Route([kind], [part], "embedding", min(0.9, score + margin),
                             (time.perf_counter() - start) * 1000, notes)
    if use_llm and request.strip():
        try:
            kinds = route_llm(request, model)
        except Exception as exc:  # a broken model must not break routing
            notes.append(f"LLM routing failed: {exc}")
            kinds = []
        if kinds:
            parts = [Part(k, request, "", "chosen by the language model") for k in kinds]
            return Route(kinds, parts, "llm", 0.6, (time.perf_counter() - start) * 1000, notes)
    part = Part("text", request, "", "no output kind is named, so the answer is text")
    return Route(["text"], [part], "default", 0.5, (time.perf_counter() - start) * 1000, notes)
