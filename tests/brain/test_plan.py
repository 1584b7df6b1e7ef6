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


@pytest.mark.parametrize(("request_text", "kind", "params"), [
    ("a 25-second voiceover in a low male voice about our hiking boots", "speech",
     {"seconds": 25.0, "voice_traits": {"gender": "male", "pitch": "low"}}),
    ("three square stickers of a happy avocado", "image", {"n": 3, "aspect": "1:1"}),
    ("an Instagram story announcing our summer sale", "image", {"width": 1080, "height": 1920}),
    ("a calm ambient track in A minor at 80 bpm, 40 seconds", "music",
     {"genre": "ambient", "key": "A", "mode": "minor", "tempo": 80, "seconds": 40.0}),
    ("fireplace crackling for ten minutes", "sound", {"sound": "fire", "seconds": 600.0}),
])
def test_each_step_carries_its_settings_as_params(fake_model, request_text: str, kind: str,
                                                   params: dict) -> None:
    p = plan(request_text, use_llm=False)
    step = next(s for s in p.steps if s.kind == kind and s.deliverable)
    for key, value in params.items():
        assert step.params.get(key) == value, (key, step.params)


def test_named_format_without_words_gets_a_headline_step(fake_model) -> None:
    p = plan("a youtube thumbnail for my video about sourdough baking", use_llm=False)
    headline, image = p.steps
    assert headline.kind == "text" and not headline.deliverable
    assert image.inputs == [headline.id] and image.params["headline"] == "{" + headline.id + "}"
    assert (image.params["width"], image.params["height"]) == (1280, 720)


def test_narration_is_written_to_fit_the_video(fake_model) -> None:
    p = plan("a 20 second video about tide pools with narration", use_llm=False)
    script = next(s for s in p.steps if s.kind == "text")
    speech = next(s for s in p.steps if s.kind == "speech")
    video = next(s for s in p.steps if s.kind == "video")
    assert video.params["seconds"] == 20 and speech.id in video.inputs and script.id in speech.inputs
    assert "about 42 words" in script.prompt  # 20 s x 2.5 words/s, leaving room: TTS runs long


def test_user_files_become_step_inputs(fake_model) -> None:
    from genloom.brain.spec import InputFile

    f = InputFile(id="in1", path="/tmp/interview.mp3", kind="audio", named_as="interview.mp3")
    p = plan("transcribe interview.mp3 then summarize it", inputs=[f], use_llm=False)
    transcribe, summary = p.steps
    assert (transcribe.operation, transcribe.inputs, transcribe.deliverable) == ("transcribe", ["in1"], False)
    assert summary.operation == "summarize" and summary.inputs == [transcribe.id]
    assert p.deliverables == ["text"] and p.inputs == [f]


def test_kit_parts_share_one_palette(fake_model) -> None:
    p = plan("a poster, a hero image and a 10-second video for GlowTrail, a solar lantern", use_llm=False)
    looks = {s.instruction.rsplit("(palette: ", 1)[-1] for s in p.steps if s.kind in ("image", "video")}
    assert len(looks) == 1 and p.spec.name == "GlowTrail"


def test_notes_say_what_installed_models_cannot_do(fake_model, monkeypatch: pytest.MonkeyPatch) -> None:
    from genloom.audio import voices
    from genloom.brain import notes

    monkeypatch.setattr(notes, "_installed", lambda kind: ["genloom-composer"] if kind == "image" else [])
    monkeypatch.setattr(voices, "installed_voices", lambda: [
        voices._voice("heart", "hibari", {"gender": "female", "languages": ["en"]}, True),
        voices._voice("joe", "piper-joe", {"gender": "male", "pitch": "low", "languages": ["en"]}, True)])
    photo = plan("a photo of a red vintage car on a coastal road", use_llm=False)
    assert any("genloom pull sd-turbo" in n for n in photo.notes)
    child = plan("a bedtime story narrated in a child's voice", use_llm=False)
    assert any("age=child" in n for n in child.notes)
    french = plan("a French voiceover welcoming guests to our hotel", use_llm=False)
    assert any("French" in n and "fr_FR" in n for n in french.notes)
    assert not plan("a watercolor of a fox", use_llm=False).notes


def test_voice_traits_resolve_to_an_installed_voice_with_the_reason(fake_model,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from genloom.audio import voices

    monkeypatch.setattr(voices, "installed_voices", lambda: [
        voices._voice("heart", "hibari", {"gender": "female", "languages": ["en"]}, True),
        voices._voice("joe", "piper-joe", {"gender": "male", "pitch": "low", "languages": ["en"]}, True)])
    for request, voice in [("a deep male voice reading our welcome message", "joe"),
                           ("record a short greeting, woman's voice", "heart")]:
        p = plan(request, use_llm=False)
        speech = next(s for s in p.steps if s.kind == "speech")
        assert speech.params["voice"] == voice and "voice:" in speech.reason and not p.notes
        assert speech.model == {"joe": "piper-joe", "heart": "hibari"}[voice]  # the voice's own model


def test_a_sound_genloom_cannot_make_is_noted_as_failing_before_it_runs() -> None:
    p = plan("the sound of a squeaky swing, 4 seconds", use_llm=False)
    note = next(n for n in p.notes if "squeaky swing" in n)
    assert "will fail" in note and "rain" in note and "closest" not in note
    assert not any("squeaky" in n for n in plan("rain on a tin roof, 10 seconds", use_llm=False).notes)


@pytest.mark.parametrize(("request_text", "sung"), [
    ("a reggae tune about island life with a singer", True),
    ("compose a ballad and have someone sing the chorus", True),
    ("a calm piano piece, no vocals", False),
    ("an instrumental version of a wedding march", False),
])
def test_sung_words_are_noted_as_instrumental_and_never_passed_on(request_text: str, sung: bool) -> None:
    p = plan(request_text, use_llm=False)
    assert any("cannot sing" in n for n in p.notes) is sung
    assert all("vocals" not in s.params for s in p.steps)  # a note, not a generator parameter
