"""A text's length in words: state it, measure it, continue a short text, cut a long one.

Small language models rarely hit a length: asked for 50 words, Qwen2.5-Coder-1.5B
writes 18 to 60, and a script for a 25-second voiceover often stops after three
sentences. Writing the whole text again at the right length is no better (the
same model stops at the same place), so a short text is *continued*: the model
gets the text so far and writes only the next sentences, which are appended,
for up to :data:`ROUNDS` rounds. A long text loses its last whole sentences;
nothing is ever cut mid-word or mid-sentence.

    >>> t = WordTarget(50, "about")
    >>> (t.low, t.high, t.accepts(44), t.accepts(70))
    (40, 60, True, False)
    >>> cut_to("One two three. Four five six. Seven eight.", WordTarget(6, "max"))
    'One two three. Four five six.'

How a target binds: ``about`` accepts +-:data:`TOLERANCE`; ``max`` and ``min`` are hard limits.
A list ("three taglines, under 8 words") has a target per item: it is stated per item and
measured on the whole, and it is neither continued nor cut (that would add or drop items).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Bound = Literal["about", "max", "min"]
# An "about" length is met within this share of the target either way.
TOLERANCE = 0.2
# Continuation rounds for a short text: each round asks for the words still missing.
ROUNDS = 3
# Tokens per English word for a small model's tokenizer, with room for punctuation and markup.
TOKENS_PER_WORD = 1.6
# One reply never asks for more than this many tokens (the context window holds prompt and reply);
# a longer text comes in continuation rounds.
MAX_REPLY_TOKENS = 1500

# The same words a reader counts (and bench/fidelity.py's checker): letters, digits, apostrophes.
_WORD = re.compile(r"[a-z0-9']+")
# Where a text may end: after a sentence's closing mark (and closing quotes or brackets), or at a line's end.
_END = re.compile(r"[.!?…][\"'”’)\]*_]*(?=\s|$)|\S(?=[ \t]*\n)")
# A reply's own preamble ("Here is the continuation:").
_PREAMBLE = re.compile(r"^\s*(?:here(?:'s| is)[^\n:]{0,60}|continuation|continued|next part|sure[^\n:]{0,40}):\s*",
                       re.I)


def count_words(text: str) -> int:
    return len(_WORD.findall(text.lower().replace("’", "'")))


@dataclass(frozen=True)
class WordTarget:
    """How many words a text must have, and how strictly (``words`` per item when ``items`` > 1)."""

    words: int
    bound: Bound = "about"
    items: int = 1

    @property
    def total(self) -> int:
        return self.words * self.items

    @property
    def low(self) -> int:
        """The fewest words that meet the target (0 for a maximum)."""
        if self.bound == "max":
            return 0
        if self.bound == "min":
            return self.total
        return math.ceil(self.total * (1 - TOLERANCE))

    @property
    def high(self) -> int | None:
        """The most words that meet the target (None for a minimum)."""
        if self.bound == "min":
            return None
        if self.bound == "max":
            return self.total
        return math.floor(self.total * (1 + TOLERANCE))

    def accepts(self, n: int) -> bool:
        return n >= self.low and (self.high is None or n <= self.high)

    def ask(self) -> str:
        """The sentence a prompt states the target with."""
        each = " each" if self.items > 1 else ""
        if self.bound == "max":
            return f"At most {self.words} words{each}."
        if self.bound == "min":
            return f"At least {self.words} words{each}."
        return f"About {self.words} words{each}."

    def max_tokens(self) -> int:
        """A reply budget that holds the target with room to finish the sentence (a minimum gets more room)."""
        words = self.total * (1.3 if self.bound == "min" else 1.0) + 4 * (self.items - 1)  # list markers
        return min(MAX_REPLY_TOKENS, int(words * TOKENS_PER_WORD) + 40)

    def stated_in(self, prompt: str) -> bool:
        """Whether ``prompt`` already says :meth:`ask` ("about 62 words" in a planner's script prompt).

        A request's own wording ("a 50-word description") does not count: the plain sentence
        is what a small model follows best.
        """
        return bool(re.search(rf"(?<![\w,]){re.escape(self.ask()[:-1])}\b", prompt, re.I))


@dataclass
class Fitted:
    text: str
    words: int
    rounds: int  # continuation rounds that added words
    note: str | None  # why the target was not met, else None


def cut_to(text: str, target: WordTarget) -> str:
    """``text`` ended at the whole sentence (or line) that brings it nearest ``target``.

    A maximum is a hard limit: the end is at most ``target.high`` words in. An "about" target
    prefers an end within its range; when no sentence ends there, the nearest end either side
    (the whole text, maybe). A minimum and a list are never cut. The text is unchanged when it
    is within the limit, or when even its first sentence is over a maximum (a word is never
    cut; the caller says the target was missed).
    """
    high = target.high
    if high is None or target.items > 1 or count_words(text) <= high:
        return text  # a list keeps every item
    ends = [(count_words(text[:m.end()]), m.end()) for m in _END.finditer(text)]
    ends.append((count_words(text), len(text)))
    inside = [e for e in ends if target.low <= e[0] <= high]
    pool = inside or [e for e in ends if e[0] and (target.bound != "max" or e[0] <= high)]
    if not pool:
        return text
    n, end = min(pool, key=lambda e: (abs(target.total - e[0]), -e[0]))
    return text[:end].rstrip()


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def _key(sentence: str) -> str:
    return " ".join(_WORD.findall(sentence.lower()))


def clean_continuation(text: str, reply: str) -> str:
    """The new words of a continuation reply: no preamble, no repeat of the text so far, whole sentences.

    The reply keeps its lines (bullets, paragraphs) when the text has lines; a text of running
    sentences gets running sentences.
    """
    more = _PREAMBLE.sub("", reply.strip()).strip().strip('"“”').strip()
    head = text.strip()
    if more.startswith(head):  # the model wrote the text again, then went on
        more = more[len(head):].strip()
    seen = {_key(s) for s in _sentences(text)}
    lines: list[str] = []
    for line in more.splitlines():
        new = [s for s in re.split(r"(?<=[.!?])\s+", line.strip()) if _key(s) and _key(s) not in seen]
        if new:
            lines.append(" ".join(new))
        elif not line.strip() and lines and lines[-1]:
            lines.append("")  # a paragraph break
    joined = "\n".join(lines).strip() if "\n" in head else " ".join(x for x in lines if x)
    if not joined:
        return ""
    if not joined.endswith((".", "!", "?", "…")):  # the reply ran out mid-sentence: keep its whole sentences
        cut = max(joined.rfind(p) for p in (". ", "! ", "? ", ".\n", "!\n", "?\n"))
        if cut > 0:
            joined = joined[:cut + 1]
    return joined.strip()


def join(text: str, more: str) -> str:
    """Append a continuation: as a new paragraph or line when the text is made of them, else as its next sentences."""
    base = text.rstrip()
    if "\n\n" in base:
        return f"{base}\n\n{more}"
    return f"{base}\n{more}" if "\n" in base else f"{base} {more}"


# A closing line: the last sentence of a text with a body before it, short enough to be a sign-off
# or a call to action ("Goodnight!", "Try it today!"); continuations go before it, so it stays last.
CLOSER_WORDS = 6


def split_closer(text: str) -> tuple[str, str]:
    """``text`` as (body, closing line); the closing line is empty when the text has none."""
    ends = [m.end() for m in _END.finditer(text.rstrip())]
    if len(ends) < 2:
        return text, ""
    body, last = text[:ends[-2]], text[ends[-2]:]
    if count_words(last) > CLOSER_WORDS or "\n\n" in last.strip():
        return text, ""
    return body.rstrip(), last.strip()


# Writes the next words of a text: called with the text so far and how many words are missing,
# returns the model's reply (the new words, possibly with noise that clean_continuation removes).
Continue = Callable[[str, int], str]


def fit(text: str, target: WordTarget, more: Continue | None, *, rounds: int = ROUNDS,
        what: str = "text") -> Fitted:
    """Bring ``text`` to ``target``: continue it while too short (when ``more`` is given), cut it when too long."""
    done = 0
    why_short = "it is made only from its source, so nothing was added" if more is None else \
        f"still short after {rounds} continuation rounds"
    if target.items > 1:
        more, why_short = None, f"it is a list of {target.items}: items are neither added nor dropped"
    for _ in range(rounds if more is not None else 0):
        have = count_words(text)
        if have >= target.low:
            break
        missing = max(target.total - have, 8)
        body, closer = split_closer(text)
        added = clean_continuation(text, more(body, missing))  # type: ignore[misc]
        if not added:  # the model has nothing to add: say so below rather than ask again
            why_short = f"the language model added nothing new after {done} continuation round{'s' * (done != 1)}"
            break
        text, done = join(join(body, added), closer) if closer else join(text, added), done + 1
    cut = cut_to(text, target)
    n = count_words(cut)
    note = None
    if not target.accepts(n):
        asked = {"about": "about", "max": "at most", "min": "at least"}[target.bound]
        first = next((k for m in _END.finditer(text) if (k := count_words(text[:m.end()]))), n)
        if target.items > 1 or (cut == text and n < target.low):
            why = why_short
        elif target.high is not None and first > target.high:
            why = "its first sentence alone is longer"
        else:
            why = f"no whole sentence ends between {target.low} and {target.high} words"
        per = f" ({target.words} for each of {target.items})" if target.items > 1 else ""
        note = f"the {what} has {n} words, not {asked} {target.total}{per} as asked: {why}"
    return Fitted(text=cut, words=n, rounds=done, note=note)
