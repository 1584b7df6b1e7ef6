"""Which deliverables a request names, and the words that name each: the rule stage.

The request is split into parts ("a headline, a hero image and a jingle"), and in
each part the *head* of the first noun phrase names the artifact ("a caption for
my photo" is a caption: text; "the SVG for an icon" is SVG: code). Verbs that fix
the output ("describe", "narrate", "draw") override the noun, questions want text,
and "with"-attributes a host can carry (a headline *on* an image, music *in* a
video) are not separate deliverables. Proper names found by the parse ("Loop
Coffee", "For Loop Radio") are hidden from the cue tables first: a name is the
subject, never an artifact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from genloom.brain.understand import _cues as cues
from genloom.brain.understand import _parse

KINDS = ("text", "code", "transcript", "image", "speech", "music", "sound", "video")
ORDER = {k: i for i, k in enumerate(KINDS)}


@dataclass
class Part:
    """One deliverable found in the request, with the words that decided it."""

    kind: str
    text: str
    cue: str
    reason: str
    join: str = "first"  # how the part joins the previous one: first, and, with
    # Following words that name no deliverable but state its settings ("a photo of a car, 1080x1920").
    settings: list[str] = field(default_factory=list)
    carried_by: int | None = None  # index of the part that carries it ("a video with narration")
    # Alternatives to choose from ("four logo options", "five video ideas"): the request's count applies.
    several: bool = False
    notes: list[str] = field(default_factory=list)


# -- compiled cue tables ----------------------------------------------------

@dataclass(frozen=True)
class _Cue:
    regex: re.Pattern[str]
    kind: str
    role: str  # noun, verb, weak, modifier, converter, alternatives, neutral, medium


def _compile() -> list[_Cue]:
    out: list[_Cue] = []
    tables = [(cues.NOUNS, "noun"), (cues.DOMINANT_VERBS, "verb"), (cues.WEAK_VERBS, "weak"),
              (cues.MODIFIERS, "modifier"), (cues.CONVERTERS, "converter")]
    for table, role in tables:
        for kind, patterns in table.items():
            for pat in patterns:
                out.append(_Cue(re.compile(rf"(?<![\w-]){pat}(?![\w-])"), kind, role))
    # Compound heads and medium words come last, so an equally long verb ("suggest") or noun
    # ("trailer": video) keeps its role; ``_compounds`` then reads them against their modifier.
    for kind, patterns in (("proposal", cues.PROPOSALS), ("variant", cues.VARIANTS)):
        for pat in patterns:
            out.append(_Cue(re.compile(rf"(?<![\w-]){pat}(?![\w-])"), kind, "alternatives"))
    for pat in cues.MEDIUM_NEUTRAL:
        out.append(_Cue(re.compile(rf"(?<![\w-]){pat}(?![\w-])"), "", "neutral"))
    for kind, patterns in cues.MEDIA.items():
        for pat in patterns:
            out.append(_Cue(re.compile(rf"(?<![\w-]){pat}(?![\w-])"), kind, "medium"))
    for pat, _kinds in cues.BUNDLES.items():
        out.append(_Cue(re.compile(rf"(?<![\w-]){pat}(?![\w-])"), "bundle", "noun"))
    # "explain recursion with an example in Python": a language after "in" qualifies, it is not an artifact.
    languages = "|".join([*cues.LANGUAGES, *cues.WORD_LANGUAGES])
    out.append(_Cue(re.compile(rf"(?<![\w-])(?:in|using) (?:{languages})(?![\w-])"), "code", "weak"))
    for pat in cues.PROGRAM_NOUNS:
        out.append(_Cue(re.compile(rf"(?<![\w-]){pat}(?![\w-])"), "code", "program"))
    return out


_CUES = _compile()
_BUNDLES = [(re.compile(rf"(?<![\w-]){p}(?![\w-])"), kinds) for p, kinds in cues.BUNDLES.items()]
# Nouns written as code whatever they are for ("an SVG icon", "a bash script"); not "java", which
# before a noun is mostly coffee ("a java coffee poster").
_FORMATS = re.compile(r"^(?:svg|html|css|json|yaml|latex|sql(?: query)?|regex|mermaid diagram|"
                      rf"{'|'.join(p for p in cues.LANGUAGES if p != 'java')})$")
# "a flowchart in mermaid", "draw a chart using matplotlib": a visual made by writing code.
_FORMAT_SUFFIX = re.compile(r"\b(?:in|using|with|as) (?:an? )?(?:mermaid|svg|html|css|python|javascript|typescript|latex|"
                            r"tikz|matplotlib|d3(?:\.js)?|p5\.js|processing|graphviz|plantuml)\b")
_QUESTION = re.compile(rf"^(?:{'|'.join(cues.QUESTION_OPENERS)})\b")
_POLITE = re.compile(rf"^(?:(?:{'|'.join(cues.POLITE)})\s+)+")
_QUOTED = re.compile(r"(?:(?<=[\s:(])|^)([\"“‘'])(?:(?![\"”’]).){1,400}?[\"”’'](?=[\s.,!?;:)]|$)")
# Words that announce a list of deliverables after a colon ("I need:", "launch kit:").
_LIST_INTRO = re.compile(r"\b(?:need|want|like|kit|pack|bundle|package|campaign|assets|set|intro|deliverables|"
                         r"following|everything)\b")
_MEDIUM_WORDS = {"audio", "voice", "video", "animated", "audio file", "audio clip", "audio recording",
                 "recording"}
_ABOUT_MEDIA = re.compile(r"^(?:script|lyrics|transcripts?|captions?|descriptions?|prompts?|titles?|ideas?|"
                          r"names?|tips|review|summary|outline|plan)$")
_WORD = re.compile(r"[\w'-]+")
_NEGATED = re.compile(r"^(?:no|without|not|minus|zero)\b")
# Words that only point at the user's own files ("with these photos a.jpg b.jpg", "here are my clips x.mp4"):
# a determiner that makes the noun the user's, then the files themselves. They name material, not a deliverable.
_OWN_FILES = re.compile(r"^(?:(?:with|using|from|take|here are|these are|attached are|i've got)\s+)?"
                        r"(?:these|those|my|our|the attached)\s+(?:[\w'-]+\s+){0,3}?zfile\d+(?:\s+zfile\d+)*$")
_HAVE = re.compile(r"^(?:i|we)(?: have| 've| already)? (?:have|got|recorded|made|wrote|took|shot|filmed|attached|"
                   r"uploaded)\b|^(?:here is|here's|attached is|this is)\b")
# "needs more contrast", "needs bolder letters": a comparative asks for a change to the thing, not a new one.
_COMPARATIVE = re.compile(r"^(?:more|less|fewer|better|worse|(?P<er>[a-z]{3,}er))\s+\S")


def _changes_the_thing(wanted: str) -> bool:
    m = _COMPARATIVE.match(wanted)
    return bool(m) and not (m.group("er") and _matches(m.group("er")))  # "poster ideas" names a thing
# What a host carries as a sound of its own when listed after a "with" ("with music and a voiceover").
_CARRIED_SOUNDS = frozenset({"speech", "music", "sound"})
# Speech nouns that describe the voice rather than name a recording.
_VOICE_WORDS = frozenset({"voice", "narrator", "speaker", "accent"})
# A part that asks for another one of a kind ("another jingle", "a second voice") is new even in a bundle.
_ARTICLE_NEW = re.compile(r"^(?:another|a second|a separate|an extra|one more)\b")
_PER_ITEM = re.compile(r"^[\w.-]+\s*-?\s*(?:seconds?|secs?|s|minutes?|mins?)\s+(?:each|per \w+)$")
_CLAUSE_COLON = re.compile(r"(?<!\d):|:(?!\d)")
_SAYING = re.compile(r"\b(?:say|says|saying|reading|reads)\b")
# A part that only names a look: "watercolor style", "in oil painting style", "pixel art look".
_STYLE_ONLY = re.compile(r"^(?:in )?(?:an? )?[\w -]{1,30} (?:style|look|aesthetic|vibe)s?$")
_CONVERT = re.compile(r"\b(?:turn|convert|transform|change|make|render|adapt|remix)\b")
_PRONOUN_OBJ = re.compile(r"\b(?:it|them|this|that|how it works|what it does)\b")
_WRITE = re.compile(r"\b(?:write|draft|type|jot)\b")
# "put this quote on a poster", "write it on a banner": words placed on a picture; the picture is made.
_PLACE_ON = re.compile(r"\b(?:put|print|write|place|stick|stamp|paint|display|show|set|add)\b.*?"
                       r"\b(?:on|onto|across|over)\s+(?:a|an|the|my|our|this|some)\s+")


@dataclass
class _Match:
    start: int
    end: int
    kind: str
    role: str
    text: str
    several: bool = False  # alternatives to choose from ("logo options"): the count applies
    why: str = ""  # why an alternatives compound has its kind


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
    return _compounds(text, chosen)


def _alternatives(generic: _Match, artifact: _Match) -> tuple[str, str]:
    """The kind of "<artifact> <ideas|options|...>" and why (the policy is in ``_cues.PROPOSALS``)."""
    named = f"{artifact.text} {generic.text}"
    if generic.kind == "proposal":
        if artifact.kind == "image":
            return "image", f"{named!r}: ideas for a picture are shown as pictures"
        return "text", f"{named!r}: ideas for a {artifact.text} ({artifact.kind}) are a written list"
    if generic.text == "designs" and artifact.kind in ("code", "text"):
        return "image", f"{named!r}: designs of a {artifact.text} are pictures of it"
    return artifact.kind, f"{named!r}: several {artifact.text}s ({artifact.kind}) to choose from"


_NEUTRAL = re.compile("|".join(cues.MEDIUM_NEUTRAL))
_PROGRAM_WORDS = frozenset({"script", "scripts", "class", "classes"})
_TIMED = frozenset({"speech", "music", "sound", "video"})
_LIST_GAP = re.compile(r"[,;:]|\b(?:and|or|then|plus)\b")


def _modifies(text: str, modifier: _Match | None, head: _Match, *, max_words: int) -> bool:
    """Whether ``modifier`` is a noun of the same compound as ``head``, right before it."""
    if modifier is None or modifier.role not in ("noun", "medium") or modifier.kind == "bundle":
        return False
    gap = text[modifier.end:head.start]
    words = _WORD.findall(gap)
    return len(words) <= max_words and not _LIST_GAP.search(gap) and not any(w in cues.BOUNDARY_WORDS for w in words)


def _medium_of(modifier: _Match, head: _Match) -> str | None:
    """The kind of "<modifier> <medium-neutral noun>" ("radio ad"), or None when the head's own kind stands."""
    if modifier.kind in _TIMED:
        return modifier.kind  # "a podcast trailer", "a song excerpt", "a voice memo"
    if modifier.kind == "image" and head.role == "neutral":
        return "image"  # "a banner ad": the ad is the picture; "a photo clip" stays a clip
    return None  # "a game trailer", "a book chapter": the modifier is the subject, not the medium


def _compounds(text: str, matches: list[_Match]) -> list[_Match]:
    """Read noun compounds whose head takes its kind from the noun before it.

    * Alternatives ("app icon ideas", "jingle options", "logo design variations"): the
      artifact noun at most two words before decides (policy in ``_cues.PROPOSALS``).
      Unattached, a proposal is a text noun ("ideas for my party") and a variant is
      dropped ("three options for a logo": the logo is the artifact).
    * Medium-neutral heads ("radio ad", "podcast trailer", "song excerpt"): the medium
      word right before decides (``_cues.MEDIUM_NEUTRAL``).

    Medium-only words ("radio") and neutral heads that name no medium are dropped when
    nothing joins them.
    """
    out: list[_Match] = []
    for m in matches:
        prev = out[-1] if out else None
        if m.role == "alternatives":
            if prev is not None and prev.role == "noun" and _modifies(text, prev, m, max_words=2):
                kind, why = _alternatives(m, prev)
                # Named for what is made: "logo" for logo options, "video ideas" for a list of ideas.
                name = prev.text if kind == prev.kind else text[prev.start:m.end]
                out[-1] = _Match(prev.start, m.end, kind, "noun", name, several=True, why=why)
            elif m.kind == "proposal":
                out.append(_Match(m.start, m.end, "text", "noun", m.text, several=True,
                                  why=f"{m.text!r}: proposals are a written list"))
            continue
        if m.role in ("noun", "neutral") and _NEUTRAL.fullmatch(m.text) and prev is not None \
                and _modifies(text, prev, m, max_words=0):
            kind = _medium_of(prev, m)
            if kind is not None:
                named = text[prev.start:m.end]
                out[-1] = _Match(prev.start, m.end, kind, "noun", named,
                                 why=f"{named!r}: a {m.text} in the medium of {prev.text!r} ({kind})")
                continue
        if m.text in _PROGRAM_WORDS and m.role in ("noun", "program"):
            verb = _parse.what_it_does(text, m.start)
            if verb and verb not in cues.ADDRESSING_VERBS:
                m = _Match(m.start, m.end, "code", "noun", m.text,
                           why=f"a {m.text} that {verb} something is a program")
        out.append(m)
    return [m for m in out if m.role not in ("neutral", "medium", "program")]


def normalize_pair(request: str) -> tuple[str, str, list[str]]:
    """(cased, lowered, quotes): the request with quotes replaced by QUOTED and polite openers dropped.

    ``lowered`` is what the cue tables read; ``cased`` has the same characters at
    the same positions in their original case, so a part found in ``lowered``
    can be read back with its names and capitals; ``quotes`` are the quoted texts
    in order.
    """
    text = " ".join(request.strip().split()).replace("’", "'")
    quotes = [m.group(0)[1:-1].strip() for m in _QUOTED.finditer(text)]
    cased = _QUOTED.sub(" QUOTED ", text)
    cased = " ".join(cased.split())
    polite = _POLITE.match(cased.lower())
    if polite:
        cased = cased[polite.end():]
    cased = cased.strip(" .!")
    return cased, cased.lower(), quotes


def normalize(request: str) -> str:
    return normalize_pair(request)[1]


def _strip_payload(text: str) -> str:
    """Drop the payload after a colon ("read this aloud: <payload>") unless it lists deliverables."""
    colon = _CLAUSE_COLON.search(text)
    if colon is None:
        return text  # "a 4:5 post", "the 8:15 train": a colon between digits is a ratio or a time
    head, tail = text[:colon.start()], text[colon.end():]
    if _OWN_FILES.match(head.strip()):
        return tail  # "with these photos a.jpg, b.jpg: make a slideshow": the head only points at the files
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
    several: bool = False  # the head asks for alternatives to choose from ("logo options")
    bundle: bool = False  # the head names a bundle of kinds ("podcast intro")
    # Kinds the head carries inside it, named by a modifier or a verb ("a narrated video": speech in the video).
    carries: list[str] = field(default_factory=list)


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

    place = _PLACE_ON.search(text)
    if place:
        on = [m for m in matches if m.start >= place.end() and m.role == "noun"]
        if on and on[0].kind in ("image", "video"):
            target = on[0]
            return _PartResult([target.kind], target.text, f"the words go on {target.text!r}", "noun")

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
    # "brainstorm five logo ideas": whatever decides the kind, alternatives keep their count.
    several = bool(nouns) and nouns[0].several
    # A verb after the artifact adds to it ("a bedtime story read aloud"); before it, it decides.
    first_noun_start = nouns[0].start if nouns else len(text)
    late_verbs = [v for v in verbs if v.start > first_noun_start]
    verbs = [v for v in verbs if v.start < first_noun_start]
    carries: list[str] = []
    if verbs and verbs[0].kind in _CARRIED_SOUNDS and nouns and nouns[0].kind == "video":
        # "narrate a slideshow of our trip": the verb adds its sound to the video it names.
        v, noun = verbs[0], nouns[0]
        kinds, cue, via, carries = ["video"], noun.text, "noun", [v.kind]
        reason = f"the request asks for {noun.text!r}, which is video; {v.text!r} puts {v.kind} in it"
    elif verbs:
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
            return _PartResult(list(kinds), noun.text, f"{noun.text!r} is a bundle of {', '.join(kinds)}", "noun",
                               bundle=True)
        kind = noun.kind
        reason = noun.why or f"the request asks for {noun.text!r}, which is {kind}"
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
        kinds, cue, via, several = [kind], noun.text, "noun", noun.several
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
        if mod.kind in kinds or mod.kind in carries:
            continue
        if kinds and (kinds[0], mod.kind) in cues.CONTAINS:
            carries.append(mod.kind)  # "a narrated video": the narration goes into it
            reason += f"; {mod.text!r} puts {mod.kind} in it"
            continue
        if mod.kind == "video" and kinds == ["image"]:  # "an animated logo" is a video
            kinds = ["video"]
            continue
        kinds.append(mod.kind)
        reason += f"; {mod.text!r} adds {mod.kind}"
    return _PartResult(kinds, cue, reason, via, several, carries=carries)


# -- the whole request -------------------------------------------------------

# The words that join two items of one list ("music and a voiceover"), as opposed to a comma or "then".
_LIST_AND = re.compile(r"^\s*(?:and|&|\+|plus|as well as)\s*$")


def _split(text: str) -> list[tuple[str, str]]:
    """Parts with how each joins the previous one: "and" (new deliverable) or "with" (attribute).

    "a trailer with dramatic music and a voiceover": the item after a plain "and" that follows a
    "with" attribute is read as "with-and", another attribute of the same host if the host can
    carry it (decided in :func:`find_parts`).
    """
    out: list[tuple[str, str]] = []
    pieces = re.split(f"({cues.AND_SPLIT})", text)
    after_with = False
    for i in range(0, len(pieces), 2):
        chunk, sep = pieces[i], pieces[i - 1] if i else ""
        if not chunk.strip():
            continue
        subs = [sub.strip() for sub in re.split(cues.WITH_SPLIT, chunk)]
        for j, sub in enumerate(subs):
            if not sub:
                continue
            if j > 0:
                join = "with"
            elif not out:
                join = "first"
            else:
                join = "with-and" if after_with and _LIST_AND.match(sep) else "and"
            out.append((sub, join))
        after_with = len([s for s in subs if s]) > 1 or (bool(out) and out[-1][1] == "with-and")
    return out


# "for Brightside, a budgeting app for students": an appositive after a proper
# name says what the subject is; its nouns ("app") are not deliverables. One
# holding "and"/"plus" is a list of deliverables instead ("for Jazz Night, a
# poster and a jingle"), and so is a bare "a jingle": both are left alone.
_APPOSITIVE = re.compile(r"(\b(?:for|about|called|named|of)\s+[A-Z][\w'&.-]*(?:\s+[A-Z][\w'&.-]*)*),"
                         r"\s+(?:a|an|the)\s+(?=[^\s,;:]+\s+[^\s,;:])(?:(?!\band\b|\bplus\b|&)[^,;:])+(?=[,;:]|$)")


def _drop_appositives(request: str) -> str:
    return _APPOSITIVE.sub(r"\1", request)


@dataclass
class Found:
    """What the rule stage found, with the normalized text the parts' words come from."""

    parts: list[Part]
    notes: list[str]
    cased: str  # normalized request, original case (quotes replaced by QUOTED)
    lowered: str  # the same, lower-cased: parts' ``text`` are substrings of it
    quotes: list[str]
    # The words that ask for something: the request minus parts that only describe the user's files.
    asking: str = ""
    # Where the words after a clause colon start in ``lowered``/``cased`` ("read this aloud and put it on
    # a card: 2 eggs, 1 cup flour"), when they are the words the parts refer to, not more parts.
    payload_at: int | None = None


def find_parts(request: str) -> Found:
    """The parts a request names (possibly none), and notes for explanations.

    Parts an earlier part carries ("a video *with* narration", "an image *with* the
    headline") are kept with ``carried_by`` set: they are made to go into the host.
    """
    cased, text, quotes = normalize_pair(_drop_appositives(request))
    found = Found([], [], cased, text, quotes, asking=text)
    if not text:
        return found
    if _QUESTION.match(text) and not re.match(r"^(?:is|are) (?:a|an|the) ", text):
        found.parts.append(Part("text", text, text.split()[0], "a question: the answer is text"))
        return found
    notes = found.notes
    whole, text = text, _strip_payload(text)
    if text != whole and whole.startswith(text):
        found.payload_at = len(whole) - len(whole[len(text):].lstrip(" :"))  # past the colon and spaces
    parts: list[Part] = []
    host: int | None = None
    # "In a female voice, say ...": a voice description that comes before the voice it
    # describes waits for it, instead of asking for a second, unscripted voice.
    waiting: list[str] = []
    for chunk, join in _split(text):
        if _PER_ITEM.search(chunk) and parts:
            parts[-1].settings.append(chunk)  # "2 seconds per photo": timing of the previous part
            continue
        if _NEGATED.match(chunk):
            if parts:
                parts[-1].settings.append(chunk)
            continue  # "no captions", "without drums": a setting of the previous part, never a deliverable
        if _HAVE.match(chunk) or _OWN_FILES.match(chunk):
            found.asking = found.asking.replace(chunk, " ").strip(" ,;")
            continue  # "i have a recording called x.m4a": the user's own file, not something to make
        res = _classify_part(chunk)
        needs = cues.NEEDS.match(chunk)
        if needs and _changes_the_thing(needs.group("wanted")):
            thing = _classify_part(needs.group("thing"))  # "the banner needs bolder letters": a banner
            res = thing if thing.kinds else res
        elif needs:
            wanted = _classify_part(needs.group("wanted"))
            if not wanted.kinds:  # "interview.wav needs a transcript": a transcript *of* it
                wanted = _classify_part(f"{needs.group('wanted')} of {needs.group('thing')}")
            res = wanted if wanted.kinds else res  # nothing wanted by name: what the thing is
        host_kind = parts[host].kind if host is not None else None
        if not res.kinds or (join == "with" and res.via == "weak" and host is not None):
            if parts:
                parts[-1].settings.append(chunk)
            continue  # "with an example in Python": an attribute named by no artifact is no deliverable
        voiced = [p for p in parts if p.kind in ("speech", "video")]
        describes_voice = (res.kinds == ["speech"] and bool(res.cue) and res.cue.split()[-1] in _VOICE_WORDS
                           and not _SAYING.search(chunk))
        if voiced and describes_voice:
            voiced[-1].settings.append(chunk)  # "..., deep male voice": how the voice sounds
            continue
        if describes_voice and not parts and not waiting:
            waiting.append(chunk)
            continue
        if waiting and any(k in ("speech", "video") for k in res.kinds):
            kind = "speech" if "speech" in res.kinds else "video"
            part_settings, waiting = list(waiting), []
        else:
            part_settings = []
        if parts and join == "and" and _STYLE_ONLY.match(chunk):
            parts[-1].settings.append(chunk)  # "draw a cat, watercolor style": the look of the same picture
            continue
        bundled = [p for p in parts if len({q.kind for q in parts if q.text == p.text}) > 1]
        same = next((p for p in bundled if res.kinds == [p.kind]), None)
        if same is not None and join in ("with", "and") and not _ARTICLE_NEW.match(chunk):
            same.settings.append(chunk)  # "a podcast intro with music and a voice saying ...": the bundle's own parts
            continue  # "narrate the intro, deep British narrator": how the voice sounds, not a second voice
        refers_back = res.via == "verb" and _PRONOUN_OBJ.search(chunk) and res.kinds == ["text"]
        if join == "with-and" and host is not None and host_kind == "speech" and res.kinds == ["speech"] \
                and not _ARTICLE_NEW.match(chunk):
            parts[host].settings.append(chunk)  # "a trailer with music and narration": the trailer's own voice
            continue
        if join == "with-and":
            # "with dramatic music and a voiceover": a sound the host can carry continues the with-list;
            # anything else ("with a headline and a jingle") is a deliverable of its own.
            sound_attr = (res.via == "noun" and host_kind is not None and not _ARTICLE_NEW.match(chunk)
                          and all(k in _CARRIED_SOUNDS and (host_kind, k) in cues.CONTAINS for k in res.kinds))
            join = "with" if sound_attr else "and"
        first = len(parts)
        first = len(parts)
        for k in res.kinds:
            carried = host_kind is not None and (join == "with" or refers_back) and (host_kind, k) in cues.CONTAINS
            into: int | None = host if carried else None
            if carried:
                notes.append(f"{chunk!r} goes into the {host_kind}, not a separate {k} deliverable")
            elif res.bundle and len(parts) > first and (res.kinds[0], k) in cues.CONTAINS:
                into = first  # a bundle's own parts: "a podcast intro" is the spoken intro over its music
                notes.append(f"the {k} of {res.cue!r} goes into its {res.kinds[0]}")
            parts.append(Part(k, chunk, res.cue, res.reason, join=join, carried_by=into, several=res.several))
            if part_settings and k == kind:
                parts[-1].settings.extend(part_settings)
        for k in res.carries:
            notes.append(f"{chunk!r} puts {k} into the {res.kinds[0]}, not a separate {k} deliverable")
            parts.append(Part(k, chunk, res.cue, res.reason, join="with", carried_by=first))
        if join != "with" and res.kinds:
            host = first
    for chunk in waiting:  # no voice followed: the description asked for one itself ("a deep male voice")
        res = _classify_part(chunk)
        parts.insert(0, Part("speech", chunk, res.cue, res.reason, join="first"))
    found.parts = parts
    return found
