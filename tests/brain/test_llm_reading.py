"""The LLM's one-line reading: its format, its closed lists, and what the spec takes from it."""

from __future__ import annotations

import pytest

from genloom.brain.understand import read
from genloom.brain.understand._llm import (
    GRAMMAR,
    GRAMMAR_OPEN,
    STYLE_WORDS,
    TONE_WORDS,
    parse_reading,
)


def test_line_with_kinds_parses() -> None:
    r = parse_reading("the Aurora lamp launch|warm||text,image,music")
    assert (r.topic, r.tone, r.style) == ("the Aurora lamp launch", "warm", "")
    assert r.ordered_kinds() == ["text", "image", "music"]


def test_line_without_kinds_parses_for_a_topic_only_reading() -> None:
    r = parse_reading("summer fair|cheerful|vintage")
    assert r.kinds == [] and r.topic == "summer fair" and r.style == "vintage"


def test_json_from_a_backend_without_grammar_still_parses() -> None:
    r = parse_reading('{"kinds": ["music"], "topic": "rain", "name": "", "tone": "calm", "style": "ambient"}')
    assert r.ordered_kinds() == ["music"] and r.tone == "calm"


@pytest.mark.parametrize("bad", ["", "just some words", "a|b", "a|b|c|d|e|f|g"])
def test_an_answer_of_the_wrong_shape_is_an_error_not_a_default(bad: str) -> None:
    with pytest.raises(ValueError, match="topic\\|tone\\|style\\|kinds|JSON"):
        parse_reading(bad)


def test_tone_and_style_are_closed_lists_the_generators_know() -> None:
    from genloom.brain.understand._extract import GENRES, STYLES

    assert set(STYLES) | set(GENRES) == set(STYLE_WORDS)
    for word in ("cheerful", "calm", "simple"):
        assert word in TONE_WORDS and f'"{word}"' in GRAMMAR
    # Only the full grammar asks for kinds; the topic-only one ends after the style.
    assert "kind (" in GRAMMAR and "kind (" not in GRAMMAR_OPEN


def test_a_genre_the_llm_reads_becomes_the_music_setting(fake_model) -> None:
    fake_model.enqueue("falling asleep|soothing|ambient|music")
    spec = read("something soothing to drift off with", use_embeddings=False)
    music = next(d for d in spec.deliverables if d.kind == "music")
    assert music.music is not None and music.music.genre == "ambient"
    assert spec.tone == "soothing"


def test_a_stated_genre_is_never_replaced_by_the_llms(fake_model) -> None:
    fake_model.enqueue("a rainy afternoon|calm|ambient")
    spec = read("a lofi track and a poster, rainy afternoon")
    music = next(d for d in spec.deliverables if d.kind == "music")
    assert music.music.genre == "lofi"
