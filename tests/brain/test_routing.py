"""Output-first routing: the deliverables a request asks for, decided without the LLM."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from genloom.brain.routing import route
from genloom.brain.understand._parts import find_parts, normalize

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.mark.parametrize(
    ("request_text", "expected"),
    [
        ("record a voiceover for our launch", ["speech"]),
        ("write a voiceover script for our launch", ["text"]),
        ("describe a logo for a bakery", ["text"]),
        ("design a logo for a bakery", ["image"]),
        ("write the SVG for an icon of a house", ["code"]),
        ("write a caption for my photo of a sunset", ["text"]),
        ("how do I record a good voiceover at home?", ["text"]),
        ("read this aloud: the meeting starts at nine", ["speech"]),
        ("write a python script for my video editing workflow", ["code"]),
        ("a hero image with the headline 'Coffee, reinvented' on it", ["image"]),
        ("make a video with a voiceover explaining our product", ["video"]),
        ("write a blog post about tea with a header image", ["text", "image"]),
        ("write a story and narrate it", ["text", "speech"]),
        ("podcast intro: a jingle plus a spoken welcome", ["speech", "music"]),
        ("write a Python function to sort a list and explain how it works", ["code"]),
        ("a headline, ad copy, a hero image, a voiceover, a jingle and a 15-second video for my cafe",
         ["text", "image", "speech", "music", "video"]),
    ],
)
def test_tricky_requests(request_text: str, expected: list[str]) -> None:
    result = route(request_text, use_llm=False, use_embeddings=False)
    assert result.deliverables == expected, result.to_dict()
    assert result.stage == "rules"


def test_payload_after_colon_and_in_quotes_is_not_routed() -> None:
    # The words to be spoken mention a video and a picture; the request is still speech.
    assert route("say 'make a video and a picture' in a calm voice", use_llm=False).deliverables == ["speech"]
    assert route("text to speech: buy a poster and a song today", use_llm=False).deliverables == ["speech"]


def test_launch_kit_list_after_colon_is_kept() -> None:
    r = route("launch kit for my shoe: a headline, a hero image and a jingle", use_llm=False)
    assert r.deliverables == ["text", "image", "music"]


def test_no_cue_and_no_stages_defaults_to_text() -> None:
    r = route("hmm", use_llm=False, use_embeddings=False)
    assert r.deliverables == ["text"] and r.stage == "default"
    assert find_parts("").parts == []
    assert normalize("  Please   Can you DRAW a cat!  ") == "draw a cat"


def test_parts_carry_reasons() -> None:
    r = route("describe a logo", use_llm=False)
    assert "describe" in r.parts[0].reason


def test_llm_stage_is_constrained_and_validated(fake_model, monkeypatch: pytest.MonkeyPatch) -> None:
    from genloom.brain.understand import _vote

    # Force the fast stages to be undecided so the LLM decides.
    monkeypatch.setattr(_vote, "route_embedding", lambda request: ("text", 0.1, 0.0))
    fake_model.enqueue('{"kinds": ["music", "image", "bogus"], "topic": "my grandmother\'s party", '
                       '"name": "", "tone": "warm", "style": ""}')
    r = route("something for my grandmother's party", use_llm=True)
    assert r.stage == "llm" and r.deliverables == ["image", "music"]
    params = fake_model.history[-1][1]
    assert params.json_schema is not None and params.json_schema["properties"]["kinds"]


def test_llm_stage_garbage_falls_back_to_text(fake_model, monkeypatch: pytest.MonkeyPatch) -> None:
    from genloom.brain.understand import _vote

    monkeypatch.setattr(_vote, "route_embedding", lambda request: ("text", 0.1, 0.0))
    fake_model.enqueue("not json at all")
    r = route("something for my grandmother's party", use_llm=True)
    assert r.deliverables == ["text"] and r.stage == "default"
    assert any("LLM routing failed" in n for n in r.notes)


@pytest.mark.parametrize("name", ["routing_set.jsonl", "routing_heldout.jsonl", "routing_outside.jsonl"])
def test_labelled_sets_are_valid(name: str) -> None:
    rows = [json.loads(line) for line in (BENCH / name).read_text().splitlines() if line.strip()]
    assert len(rows) >= 60
    for row in rows:
        assert row["request"].strip()
        assert set(row["deliverables"]) <= {"text", "code", "transcript", "image", "speech", "music", "sound", "video"}


def test_dev_set_accuracy_without_llm() -> None:
    rows = [json.loads(line) for line in (BENCH / "routing_set.jsonl").read_text().splitlines() if line.strip()]
    assert len(rows) > 120
    correct = sum(set(route(r["request"], use_llm=False).deliverables) == set(r["deliverables"]) for r in rows)
    assert correct / len(rows) >= 0.95


@pytest.mark.parametrize(("request_text", "expected"), [
    ("recycled-plastic sneakers by Loop: headline, ad copy and a promo video", ["text", "video"]),
    ("a jingle for Pixel Quest, a platform game", ["music"]),
    ("launch kit for Brightside, a budgeting app for students", ["text", "image", "speech", "music", "video"]),
    ("a poster for Jazz Night, a jingle", ["image", "music"]),
    ("a poster for Jazz Night, a jingle and a voiceover", ["image", "speech", "music"]),
    ("turn this into an audiobook snippet: It was a dark and stormy night.", ["speech"]),
])
def test_subject_descriptions_are_not_deliverables(request_text: str, expected: list[str]) -> None:
    assert route(request_text, use_llm=False).deliverables == expected
