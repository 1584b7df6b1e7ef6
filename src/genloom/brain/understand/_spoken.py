"""Quoted words that someone in a video says: the video's narration, spoken verbatim.

'a short video where a narrator says "…"', 'a clip in which an old man tells us "…"',
'a video of waves while a voice whispers "…"': the quote is what a *speaker* says
inside the video, so it is heard (a narration, word for word), not drawn into the
shots. The parse decides: the quote follows a verb of saying, and that verb's
subject is someone who can speak. A subject that shows words ("the sign says",
"the title reads", "a video that says") keeps them on screen, and a quote no verb
of saying takes ("a video titled …") is not spoken.

"a video *with* a narrator saying …" needs none of this: the "with" part is a
speech part of its own already (``_parts``). This reads the clause forms that sit
inside the video's own phrase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from genloom.brain.understand import _parse

# Verbs only a voice does: their subject is a speaker whoever it is ("a voice whispers", "our host announces").
_SPEAKING = frozenset("""speak speaks speaking spoke tell tells telling told narrate narrates narrating narrated
announce announces announcing announced whisper whispers whispering whispered shout shouts shouting shouted yell
yells yelling yelled exclaim exclaims exclaiming exclaimed declare declares declaring declared ask asks asking
asked greet greets greeting greeted repeat repeats repeating repeated explain explains explaining explained
""".split())
# Verbs a voice or a written thing does ("the narrator says", "the sign says"): the subject decides.
_SAYING = frozenset("say says saying said read reads reading".split())
# Subjects that show words rather than speak them; cue nouns of a written or visual kind are checked too.
_SHOWS_WORDS = frozenset("""sign signs screen screens label labels overlay words board billboard whiteboard
chalkboard plaque display note notes page menu ticker shirt t-shirt mug cake graphic graphics it this
""".split())
_RELATIVE = frozenset({"who", "that", "which"})
_SHOWN_KINDS = frozenset({"text", "image", "video", "code", "transcript"})
_PLACEHOLDER = "quoted"
# Words that joined the clause to the video ("where", "in which", "that has"): cut with the clause.
_CONNECTORS = re.compile(r"(?:\s*[,;:]|\s+(?:where|in which|during which|while|as|when|that|which|has|have|with|"
                         r"and|in|shows?|showing|features?|featuring))+\s*$")


@dataclass
class SpokenLine:
    """A quote someone says inside a video part, located in the part's (lower-cased, masked) text."""

    start: int  # where the speaking clause begins: its subject, or the verb when it has none
    end: int  # just after the quote's placeholder
    speaker: str  # "a deep male voice", "an old man", or "" when no subject is named
    verb: str  # "says", "whispers"

    def host_text(self, text: str) -> str:
        """The part's words without the clause: "a short video where a narrator says QUOTED" -> "a short video"."""
        return _CONNECTORS.sub("", text[:self.start]).strip()


def spoken_line(text: str) -> SpokenLine | None:
    """The first quote a speaker says in ``text`` (quotes written as the word "quoted"), or None."""
    low = text.lower()
    if _PLACEHOLDER not in low or not any(w in _SPEAKING or w in _SAYING for w in re.findall(r"[a-z-]+", low)):
        return None  # no quote, or no verb of saying: no parse to pay for
    # Upper-cased, the placeholder reads as a name (the object of the verb), not as the verb "quoted".
    doc = _parse._doc(re.sub(rf"\b{_PLACEHOLDER}\b", _PLACEHOLDER.upper(), low))
    for quote in (t for t in doc if t.text == _PLACEHOLDER.upper()):
        verb = next((t for t in reversed(doc[max(0, quote.i - 5):quote.i])
                     if t.lower_ in _SPEAKING or t.lower_ in _SAYING), None)
        if verb is None or any(t.pos_ == "VERB" and t.lower_ not in ("us", "me") for t in doc[verb.i + 1:quote.i]):
            continue  # the quote is not what this verb says ("says hello and shows QUOTED")
        subject = _subject(verb)
        if not _speaks(verb, subject):
            continue
        if subject is not None and not _is_speaker(subject, verb):
            subject = None  # "a video of a dog, narrated: …": the video is narrated, no one is named
        start = subject.left_edge.idx if subject is not None else verb.idx
        named = verb.head if subject is not None and subject.lower_ in _RELATIVE and verb.dep_ == "relcl" else subject
        speaker = doc[named.left_edge.i:named.i + 1].text if named is not None else ""
        return SpokenLine(start=start, end=quote.idx + len(quote.text), speaker=speaker, verb=verb.lower_)
    return None


def _subject(verb: Any) -> Any | None:
    """Who says it: the verb's subject, or the noun a participle describes ("a voice saying …")."""
    # The subject nearest the verb: "a video that has a kid saying …" has two, the kid says it.
    subject = next((c for c in reversed(list(verb.children)) if c.dep_ in ("nsubj", "nsubjpass") and c.i < verb.i),
                   None)
    if subject is None and verb.dep_ == "acl" and verb.head.pos_ in ("NOUN", "PROPN", "PRON"):
        subject = verb.head
    return subject


def _referent(subject: Any, verb: Any) -> str:
    """The noun a subject stands for: "who"/"that" in a relative clause are its antecedent ("a chef who says")."""
    if subject.lower_ in _RELATIVE and verb.dep_ == "relcl":
        return str(verb.head.lower_)
    return str(subject.lower_)


def _is_speaker(subject: Any, verb: Any) -> bool:
    """Whether the subject names someone who speaks (not a written thing, nor the video itself)."""
    from genloom.brain.understand._parts import _matches

    word = _referent(subject, verb)
    if word in _SHOWS_WORDS:
        return False
    return not any(m.kind in _SHOWN_KINDS for m in _matches(word) if m.role == "noun")


def _speaks(verb: Any, subject: Any | None) -> bool:
    """Whether the words are heard: a voice-only verb, or a verb of saying whose subject is a speaker."""
    if verb.lower_ in _SPEAKING:
        return True
    # "a video saying …" (no subject), "the sign says", "a video that says": on screen, or undecided.
    return subject is not None and _is_speaker(subject, verb)
