"""Preparing text for a voice: cleaning and sentence splitting.

Voices are fed one sentence at a time: the first audio is ready after one
sentence, memory stays flat on long texts, and each clip is short enough for
the acoustic model's own length limit.
"""

from __future__ import annotations

import re
import unicodedata

from genloom.errors import EmptyPrompt, InvalidInput

MAX_CHARS = 20_000  # about 20 minutes of speech: longer requests should be split by the caller
MAX_SENTENCE_CHARS = 300

_SENT_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+(?=\S)")
_CLAUSE = re.compile(r"(?<=[,;:—–])\s+")
# Abbreviations whose period does not end a sentence.
_ABBREV = {"mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "no", "fig", "mt"}
_REPLACE = {"&": " and ", "%": " percent", "@": " at ", "+": " plus ", "=": " equals ", "#": " number ",
            "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2026": "...", "\u2014": ", ", "\u2013": "-"}


def clean(text: str) -> str:
    """Text a voice can read: emoji, symbols and control characters dropped, whitespace tidied.

    Raises EmptyPrompt when nothing speakable is left, InvalidInput when the
    text is over :data:`MAX_CHARS`.
    """
    if text is None or not str(text).strip():
        raise EmptyPrompt("The text to speak is empty", hint="pass some text as an argument or on stdin", param="input")
    if len(text) > MAX_CHARS:
        raise InvalidInput(
            f"The text is {len(text):,} characters; one request may have at most {MAX_CHARS:,}",
            hint=f"split it into parts of at most {MAX_CHARS:,} characters", param="input")
    text = unicodedata.normalize("NFKC", str(text))
    out = []
    for ch in text:
        if ch in _REPLACE:
            out.append(_REPLACE[ch])
            continue
        cat = unicodedata.category(ch)
        if ch in "\n\t ":
            out.append(ch)
        elif cat[0] in "LNP" or cat == "Zs":
            out.append(ch if cat != "Zs" else " ")
        elif cat == "Sc":  # currency symbols are read by the voices' normalisers
            out.append(ch)
        # Emoji (So), other symbols, marks on their own, controls and private use are dropped.
    cleaned = re.sub(r"[ \t]+", " ", "".join(out))
    cleaned = re.sub(r"\n\s*\n+", "\n\n", cleaned).strip()
    if not any(ch.isalnum() for ch in cleaned):
        raise EmptyPrompt("The text has nothing a voice can read (only symbols, emoji or punctuation)",
                          hint="pass words to speak", param="input")
    return cleaned


def split_sentences(text: str, max_chars: int = MAX_SENTENCE_CHARS) -> list[str]:
    """Sentences of ``text``; over-long ones are cut at clause punctuation, then between words."""
    sentences: list[str] = []
    for para in re.split(r"\n\s*\n|\n", text.strip()):
        para = para.strip()
        cut = 0
        for m in _SENT_END.finditer(para):
            word = para[para.rfind(" ", 0, m.start()) + 1:m.start()].rstrip(".").lower()
            nxt = para[m.end():m.end() + 1]
            if para[m.start() - 1] == "." and (word in _ABBREV or (len(word) == 1 and word.isalpha())):
                continue
            if nxt.islower():
                continue
            sentences.append(para[cut:m.start()].strip())
            cut = m.end()
        sentences.append(para[cut:].strip())
    out: list[str] = []
    for s in sentences:
        if not s:
            continue
        out.extend(_split_long(s, max_chars))
    return [s for s in out if any(ch.isalnum() for ch in s)]


def _split_long(sentence: str, max_chars: int) -> list[str]:
    if len(sentence) <= max_chars:
        return [sentence]
    pieces: list[str] = []
    cur = ""
    for part in _CLAUSE.split(sentence):
        words = part.split(" ") if len(part) > max_chars else [part]
        for w in words:
            if cur and len(cur) + 1 + len(w) > max_chars:
                pieces.append(cur)
                cur = w
            else:
                cur = f"{cur} {w}" if cur else w
    if cur:
        pieces.append(cur)
    return pieces
