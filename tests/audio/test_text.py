"""Cleaning and sentence splitting of text for the voices."""

from __future__ import annotations

import pytest

from genloom.audio.text import MAX_CHARS, MAX_SENTENCE_CHARS, clean, split_sentences
from genloom.errors import EmptyPrompt, InvalidInput


def test_clean_drops_emoji_and_controls_keeps_words() -> None:
    out = clean("Hello 😀 world\x07! Cost: $5 & more 🎉")
    assert "😀" not in out and "🎉" not in out and "\x07" not in out
    assert "Hello" in out and "world" in out and "$5" in out and " and " in out


@pytest.mark.parametrize("text", ["", "   \n ", "😀😀", "!!! ... ???", "\u200b\u200b"])
def test_nothing_to_say(text: str) -> None:
    with pytest.raises(EmptyPrompt):
        clean(text)


def test_too_long() -> None:
    with pytest.raises(InvalidInput, match="100,000 characters"):
        clean("a" * 100_000)
    assert clean("word " * (MAX_CHARS // 5 - 1))


def test_split_sentences_respects_abbreviations() -> None:
    parts = split_sentences("Dr. Smith arrived at 5 p.m. today. He sat down! Did he eat? Yes.")
    assert parts == ["Dr. Smith arrived at 5 p.m. today.", "He sat down!", "Did he eat?", "Yes."]


def test_long_sentences_are_cut_below_the_limit() -> None:
    text = ", ".join(["this clause goes on for a while"] * 40) + ". " + "word " * 200
    parts = split_sentences(text)
    assert len(parts) > 2
    assert all(len(p) <= MAX_SENTENCE_CHARS for p in parts)
    assert " ".join(parts).split() == text.replace(",", ",").split()


def test_paragraphs_split() -> None:
    assert split_sentences("First line\nSecond line\n\nThird") == ["First line", "Second line", "Third"]
