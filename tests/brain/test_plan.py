"""Planning: the plan graph, its JSON format, models per step, LLM brief with fallback."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from genloom.brain import plan
from genloom.brain.graph import Plan, Step
from genloom.errors import EmptyPrompt

KIT = ("for the Aurora lamp I need: a headline, ad copy, a hero image with the headline, "
       "a voiceover, a jingle and a 15-second video")


def test_single_output_plan_uses_request_as_prompt(fake_model) -> None:
    p = plan("write a haiku about rain", use_llm=False)
    assert p.deliverables == ["text"]
    assert len(p.steps) == 1
    step = p.steps[0]
    assert step.kind == "text" and step.model == "fake" and step.prompt == "write a haiku about rain"
    assert "text" in step.reason
    assert not fake_model.history  # no LLM call for a single-output request


def test_json_format_has_documented_fields(fake_model) -> None:
    data = plan("write a story about a fox and illustrate it", use_llm=False).model_dump(mode="json")
    assert {"format", "request", "deliverables", "steps", "topic"} <= set(data)
    assert data["deliverables"] == ["text", "image"]
    for step in data["steps"]:
        assert {"id", "kind", "task", "model", "reason", "inputs", "params", "prompt"} <= set(step)
    image = next(s for s in data["steps"] if s["kind"] == "image")
    story = next(s for s in data["steps"] if s["kind"] == "text")
    assert image["inputs"] == [story["id"]]
    assert "story" in image["instruction"]  # "illustrate it" names what "it" is


def test_multi_part_uses_llm_brief_and_falls_back(fake_model, fake_runners) -> None:
    request = "headline, hero image and jingle, Aurora lamp launch"  # no "for X": the LLM finds the topic
    fake_model.enqueue('{"topic": "the Aurora lamp", "tone": "warm"}')
    p = plan(request)
    assert p.planned_by == "llm" and p.topic == "the Aurora lamp"
    assert p.deliverables == ["text", "image", "music"]
    assert all("Aurora lamp" in s.instruction for s in p.steps)
    assert fake_model.history[-1][1].json_schema is not None  # constrained decoding was requested

    fake_model.enqueue("I think the topic is lamps {broken")
    p2 = plan(request)
    assert p2.planned_by == "rules" and p2.topic == request

    fake_model.enqueue('{"topic": "a marketing launch kit", "tone": "fun"}')  # names deliverables, not a subject
    assert plan(request).planned_by == "rules"

    # A subject named by "for X" needs no LLM call at all.
    calls = len(fake_model.history)
    p3 = plan("a headline, a hero image and a jingle for the Aurora lamp")
    assert p3.topic == "the Aurora lamp" and len(fake_model.history) == calls


def test_kit_plan_chains_steps(fake_model, fake_runners) -> None:
    p = plan(KIT, use_llm=False)
    assert p.deliverables == ["text", "image", "speech", "music", "video"]
    delivered = [s.kind for s in p.steps if s.deliverable]
    assert delivered.count("text") == 2  # headline and ad copy; the voiceover's script is an intermediate
    image = next(s for s in p.steps if s.kind == "image")
    headline = next(s for s in p.steps if s.task == "headline")
    assert image.inputs == [headline.id]
    video = next(s for s in p.steps if s.kind == "video")
    assert {s.id for s in p.steps if s.kind in ("image", "speech", "music")} <= set(video.inputs)
    ids = [s.id for s in p.steps]
    for s in p.steps:  # inputs always come earlier
        assert all(i == "request" or ids.index(i) < ids.index(s.id) for i in s.inputs)


def test_recipe_request_uses_recipe(fake_model) -> None:
    p = plan("marketing launch kit for our solar charger: headline, ad copy, hero image, voiceover script, "
             "narrated audio, a jingle and a 15-second promo video", use_llm=False)
    assert p.recipe == "launch-kit" and p.topic == "our solar charger"
    assert [s.id for s in p.steps][:2] == ["headline", "ad_copy"]
    assert "our solar charger" in p.steps[0].prompt


def test_missing_generator_is_explained(fake_model, monkeypatch: pytest.MonkeyPatch) -> None:
    from genloom import api

    monkeypatch.setattr(api, "RUNNERS", {k: v for k, v in api.RUNNERS.items() if k != "video"})
    p = plan("make a video of a cat", use_llm=False)
    assert p.deliverables == ["video"] and p.steps[0].model is None
    assert "no video generator" in p.steps[0].reason


def test_plan_validation_rejects_bad_graphs() -> None:
    step = Step(id="a", kind="text", task="t", instruction="x", inputs=["b"])
    with pytest.raises(ValidationError):
        Plan(request="r", deliverables=["text"], steps=[step])
    with pytest.raises(ValidationError):
        Step(id="bad id!", kind="text", task="t", instruction="x")
    with pytest.raises(ValidationError):
        Step(id="a", kind="hologram", task="t", instruction="x")  # type: ignore[arg-type]


def test_empty_request_is_a_clear_error() -> None:
    with pytest.raises(EmptyPrompt):
        plan("   ")


def test_parse_json_repairs_truncation() -> None:
    from genloom.brain.llm import parse_json
    from genloom.brain.understand._llm import Reading

    assert parse_json('```json\n{"topic": "tea", "tone": "calm"}\n```', Reading).topic == "tea"
    assert parse_json('{"topic": "green tea", "tone": "ca', Reading).topic == "green tea"
    assert parse_json("nothing", Reading) is None


@pytest.mark.parametrize(("request_text", "words"), [
    ("say 'happy birthday Maria' in a cheerful voice", "happy birthday Maria"),
    ("read this aloud: The store closes in ten minutes.", "The store closes in ten minutes."),
    ("say good morning in a calm voice", "good morning"),
])
def test_speech_request_speaks_the_given_words(fake_model, fake_runners, request_text: str, words: str) -> None:
    p = plan(request_text, use_llm=False)
    assert p.deliverables == ["speech"]
    assert p.steps[0].prompt == words and p.steps[0].prompt_by == "request"


def test_speech_without_words_gets_a_written_script(fake_model, fake_runners) -> None:
    p = plan("record a 20-second voiceover for our bakery's opening", use_llm=False)
    script, speech = p.steps
    assert script.kind == "text" and not script.deliverable and speech.inputs == [script.id]
    assert "about 50 words" in script.prompt and "bakery" in script.prompt
    assert speech.prompt is None and speech.params["seconds"] == 20  # the voice reads the script, never the request
