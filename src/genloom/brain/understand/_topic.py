"""What the request is about, and the subject's own name, read from its words.

"a headline, a hero image and a jingle for GlowTrail, a solar lantern" is about
"GlowTrail, a solar lantern" (the appositive is kept: it is what the writers
most need); its name is "GlowTrail". When no "for X"/"about X" names the
subject, the LLM is asked (see ``_llm``) and its answer must come from the
request's own words.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from genloom.brain.understand._cues import NEEDS

_TOPIC = re.compile(r"\b(?:about|for|of|on|called|named)\s+(.+)")
# A comma ends the topic, except before an appositive that says what the subject is.
_TOPIC_STOP = re.compile(
    r"\s*(?:[:;]|,(?!\s+(?:a|an|the|our|my|your)\s)|\bwith\b|\bthat\b|\bwhich\b|\bin (?:a|an|the)\b|"
    r"\b(?:then|and then)\b|\b(?:(?:to|into|onto|on|under|over|from|in) )?zfile\d+\b|\b(?:i|we) (?:need|want|would like|'d like)\b).*$")
_AND = re.compile(r"\s+(?:and|then|plus)\s+")
# "a caption for sunset.jpg promoting our rooftop bar": what a piece promotes or announces is its subject.
_PROMOTES = re.compile(r"\b(?:promoting|advertising|announcing|celebrating|introducing|showcasing|"
                       r"advertises|promotes|announces|celebrates|introduces|showcases)\s+(.+)")
_DURATION_TAIL = re.compile(r"[,\s]*\b(?:\d+|one|two|three|ten|fifteen|twenty|thirty)\s*-?\s*(?:seconds?|secs?|s|"
                            r"minutes?|mins?)\b.*$", re.I)
_STOP = frozenset("""a an the and or with for of to in on my our your me i we you it this that some short long
need want like please make create write design give generate produce compose draw record get do build plus then also
just quick nice good great little new one two three four five few second seconds minute minutes catchy cool""".split())
_DELIVERABLE_WORDS = frozenset("""kit launch marketing headline image video jingle voiceover copy audio script promo
story post hero logo poster music song banner""".split())


def heuristic_topic(text: str, names_parts: Callable[[str], bool]) -> str | None:
    """The subject after "about"/"for"/"promoting"/"of"/"called", the thing that "needs" something, or None. ``names_parts`` says whether words name deliverables."""
    head = re.split(r":(?!\d)", text, maxsplit=1)[0]  # "a 9:16 poster" has no colon clause
    needs = NEEDS.match(head.strip())
    if needs and names_parts(needs.group("wanted")) and not re.search(r"\b(?:who|that|which|zfile\d+)\b",
                                                                     needs.group("thing")):
        # "our bike shop's website needs a new logo": the logo is for the thing that needs it.
        thing = needs.group("thing").strip(" .!?,")
        if len(thing) >= 3:
            return thing
    for pattern in (r"\babout\s+(.+)", r"\bfor\s+(.+)", _PROMOTES.pattern, _TOPIC.pattern):
        m = re.search(pattern, head, re.I)
        if not m:
            continue
        topic = _TOPIC_STOP.sub("", m.group(1)).strip(" .!?,")
        topic = _DURATION_TAIL.sub("", topic).strip(" .!?,")
        topic = re.sub(r"\s+(?:for|of|in|at|with|to|by)$", "", topic)
        # "about a fox and a crow" keeps its "and"; "about remote work and a header image" does not.
        for sep in _AND.finditer(topic):
            if names_parts(topic[sep.end():]):
                topic = topic[:sep.start()]
                break
        if len(topic) >= 3 and not re.fullmatch(r"(?:me|us|my \w+)", topic, re.I):
            return topic
    return None


def subject_words(text_without_cues: str) -> set[str]:
    """Content words left once cue words are removed: is there a subject to find at all?"""
    return {w for w in re.findall(r"[a-z][a-z'-]+", text_without_cues.lower()) if w not in _STOP and len(w) > 2}


def plausible(topic: str, request: str) -> bool:
    """An LLM topic must come from the request and not only name the deliverables ("a launch kit")."""
    words = {w for w in re.findall(r"[a-z0-9]+", topic.lower()) if len(w) > 2}
    content = words - _DELIVERABLE_WORDS - {"the", "and", "for", "with"}
    return bool(content) and bool(content & set(re.findall(r"[a-z0-9]+", request.lower())))


def name_from(topic: str | None, names: list[str], *, starts_sentence: bool = False) -> str | None:
    """The subject's name: a capitalised name the parse found inside the topic, else the topic's own leading name.

    ``starts_sentence``: the topic is not words after "for"/"about" but the start of a sentence
    (the whole request, or words the user quoted), whose first word is capitalised by grammar:
    "A short video ...", "Turn p1.jpg ...", "Fresh bread ..." name nothing. There a leading
    capital is a name only when the parse reads it as a proper noun or it is written like one
    ("GlowTrail").
    """
    if topic:
        for n in names:
            if n in topic:
                return n
        m = re.match(r"(?:the\s+)?([A-Z][\w'&-]*(?:\s+[A-Z][\w'&-]*)*)", topic)
        if m and m.group(1).lower() not in {"i", "my", "our"} and \
                (not starts_sentence or _proper_at_start(topic, m.group(1))):
            return m.group(1)
    return names[0] if names else None


def _proper_at_start(topic: str, lead: str) -> bool:
    """Whether ``lead``, the capitalised words ``topic`` starts with, is a name and not grammar's capital.

    Written like a name ("GlowTrail", "IKEA") it is one. One plain capitalised word proves
    nothing there ("Combine", "Sunday"); several are a name when the parse reads them all
    as proper nouns ("Crumb Bakery grand opening").
    """
    words = lead.split()
    if any(re.search(r"[a-z][A-Z]|^[A-Z]{2,}$", w) for w in words):
        return True
    if len(words) < 2:
        return False
    from genloom.brain.understand import _parse

    doc = _parse._doc(topic)
    lead_end = topic.find(lead) + len(lead)
    return all(t.pos_ == "PROPN" for t in doc if t.idx < lead_end and t.is_alpha)
