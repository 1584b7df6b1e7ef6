"""A speech with a music bed is one track; a voice for the user's clip with nothing to say is refused.

Spec and plan shapes with no LLM; the executor on fake generators (silent WAVs), so the
mix, its length and its provenance are checked on real files in milliseconds. The
real-model run is in test_beds_e2e.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from genloom.brain import execute, plan
from genloom.brain.spec import InputFile, RequestSpec
from genloom.brain.understand import read
from genloom.testing import checks


def _read(request: str, inputs: list[InputFile] | None = None) -> RequestSpec:
    return read(request, inputs=inputs, use_llm=False, use_embeddings=False)


def _speech_and_bed(spec: RequestSpec) -> tuple[Any, Any]:
    assert [d.kind for d in spec.deliverables if d.deliverable] == ["speech"], \
        [(d.kind, d.deliverable) for d in spec.deliverables]
    speech = next(d for d in spec.deliverables if d.kind == "speech")
    beds = [spec.deliverables[j] for j in speech.carries if spec.deliverables[j].kind == "music"]
    assert speech.with_music and len(beds) == 1
    assert not beds[0].deliverable
    return speech, beds[0]


@pytest.mark.parametrize("request_text", [
    "a radio ad with background music for a bike shop",
    "record a voicemail greeting for Oak Dental with some gentle music",
    "an audio tour of the old harbour accompanied by ambient music",
    "A 40-second podcast intro about urban beekeeping.",
    "a podcast trailer with music and narration",  # the narration is the trailer's own voice
    "a 20 second radio ad with a deep voice and some upbeat background music",
])
def test_speech_with_music_is_one_deliverable(request_text: str) -> None:
    _speech_and_bed(_read(request_text))


def test_music_settings_reach_the_bed_and_the_duration_is_the_tracks() -> None:
    speech, bed = _speech_and_bed(_read("a 30-second voiceover about our spa with soft piano music at 70 bpm"))
    assert speech.params()["seconds"] == 30.0 and speech.params()["music"] is True
    assert bed.seconds is None  # the bed is made to the voice's length
    assert "piano" in bed.music.instruments and bed.music.tempo == 70 and bed.music.mood == "soft"


def test_a_duration_stated_after_the_bed_is_the_speechs() -> None:
    speech, bed = _speech_and_bed(_read("a radio ad for Spoke and Chain bikes with upbeat rock music, 20 seconds"))
    assert speech.seconds == 20.0 and bed.seconds is None and bed.music.genre == "rock"


def test_words_said_in_the_bed_phrase_are_the_voices() -> None:
    speech, _ = _speech_and_bed(_read('a radio ad with soft piano music that says "Fresh bread, every morning."'))
    assert speech.verbatim == "Fresh bread, every morning."


@pytest.mark.parametrize("request_text", [
    "a voiceover and a separate jingle for our bakery",
    "a jingle and a voiceover for our bakery",
    "a voice message for my mum, and a lullaby with soft piano",
])
def test_two_things_asked_stay_two_deliverables(request_text: str) -> None:
    spec = _read(request_text)
    assert spec.kinds() == ["speech", "music"]
    assert all(d.deliverable and not d.with_music for d in spec.deliverables)


def test_a_voice_going_into_a_video_brings_its_bed_to_the_video() -> None:
    spec = _read("a 20-second video about cats with a voiceover with calm music")
    assert spec.kinds() == ["video"]
    video = next(d for d in spec.deliverables if d.kind == "video")
    assert {spec.deliverables[j].kind for j in video.made_from} >= {"speech", "music"} and video.with_music
    assert not any(d.with_music for d in spec.deliverables if d.kind == "speech")


def test_plan_mixes_the_bed_into_the_speech(fake_model) -> None:
    p = plan("a 30-second radio ad about Spoke and Chain bikes with calm guitar music", use_llm=False)
    assert p.deliverables == ["speech"]
    speech = next(s for s in p.steps if s.kind == "speech")
    music = next(s for s in p.steps if s.kind == "music")
    script = next(s for s in p.steps if s.kind == "text")
    assert not music.deliverable and not script.deliverable and speech.deliverable
    assert speech.inputs == [script.id, music.id] and speech.params["music"] is True
    assert music.params.get("instruments") == ["acoustic guitar"] or "guitar" in str(music.params)
    # The voice shares the 30 s with the bed's lead-in and tail: the script is sized to what is left.
    from genloom.video.soundtrack import voice_seconds_over_bed

    assert f"{voice_seconds_over_bed(30):g}-second" in script.prompt


def test_podcast_intro_recipe_delivers_one_sized_track(fake_model) -> None:
    p = plan("A 40-second podcast intro about urban beekeeping.", use_llm=False)
    assert p.planned_by == "recipe:podcast-intro" and p.deliverables == ["speech"]
    speech = [s for s in p.steps if s.kind == "speech"]
    assert len(speech) == 1 and speech[0].params == {"music": True, "seconds": 40.0}
    assert [s.deliverable for s in p.steps if s.kind == "music"] == [False]


def test_executor_delivers_one_mixed_track_with_both_parents(fake_model, fake_runners, tmp_path: Path) -> None:
    from genloom.store.db import get_store
    from genloom.video.soundtrack import BED_LEAD_S, BED_TAIL_S

    p = plan('a radio ad with soft piano music that says "Ride further with Spoke and Chain."', use_llm=False)
    result = execute(p, output_dir=tmp_path / "out", use_llm=False)
    assert result.ok, [(r.step_id, r.error) for r in result.steps]
    speech = next(r for r in result.steps if r.kind == "speech")
    music = next(r for r in result.steps if r.kind == "music")
    assert len(speech.paths) == 1
    # The fake voice lasts 1 s: the track holds the lead-in, the whole voice and the tail.
    assert checks.seconds(speech.paths[0]) == pytest.approx(BED_LEAD_S + 1.0 + BED_TAIL_S, abs=0.05)
    mix = get_store().generation(speech.generation_id)
    parents = {get_store().generation(g)["kind"] for g in mix["parent_ids"]}
    assert parents == {"speech", "music"} and music.generation_id in mix["parent_ids"]
    voice_call = next(c for c in fake_runners if c["kind"] == "speech")
    assert "music" not in voice_call["params"]  # the bed is mixed here, the voice runner never sees it
    bed_call = next(c for c in fake_runners if c["kind"] == "music")
    assert bed_call["params"]["seconds"] > 1 + BED_LEAD_S + BED_TAIL_S  # sized from the words, with room


def test_a_stated_length_is_the_whole_tracks(fake_model, fake_runners, tmp_path: Path) -> None:
    from genloom.video.soundtrack import voice_seconds_over_bed

    p = plan('a 12-second voiceover with calm piano music saying "Welcome to the Hive."', use_llm=False)
    result = execute(p, use_llm=False)
    speech = next(r for r in result.steps if r.kind == "speech")
    assert checks.seconds(speech.paths[0]) == pytest.approx(12.0, abs=0.05)
    voice_call = next(c for c in fake_runners if c["kind"] == "speech")
    assert voice_call["params"]["seconds"] == pytest.approx(voice_seconds_over_bed(12.0))
    assert next(c for c in fake_runners if c["kind"] == "music")["params"]["seconds"] >= 12.0


def test_a_failed_bed_leaves_the_voice_with_a_note(fake_model, fake_runners, monkeypatch) -> None:
    from genloom import api

    monkeypatch.setitem(api.RUNNERS, "music", "genloom_test_fake_runners:broken")
    p = plan('a voiceover with piano music saying "Hello there."', use_llm=False)
    result = execute(p, use_llm=False)
    speech = next(r for r in result.steps if r.kind == "speech")
    assert speech.status == "ok" and "no music under the voice" in (speech.error or "")
    assert next(r for r in result.steps if r.kind == "music").status == "failed"


# -- a voice for the user's clip with nothing to say -------------------------------------------

def _clip(tmp_path: Path) -> InputFile:
    clip = tmp_path / "demo.mp4"
    clip.write_bytes(b"\0")
    return InputFile(id="in1", path=str(clip), kind="video", named_as="demo.mp4", seconds=4.0)


@pytest.mark.parametrize("request_text", ["add a voiceover to demo.mp4", "narrate demo.mp4",
                                          "add a voiceover and music to demo.mp4"])
def test_nothing_to_say_for_a_clip_is_blocked_before_anything_runs(
        request_text: str, fake_model, fake_runners, tmp_path: Path) -> None:
    from genloom.brain.planner import plan as plan_spec

    p = plan_spec(spec=_read(request_text, [_clip(tmp_path)]), use_llm=False)
    assert any("Nothing to say" in n and "-i" in n for n in p.notes)
    assert not any(s.kind == "text" for s in p.steps)  # no script is written about the request's own words
    video = next(s for s in p.steps if s.kind == "video")
    assert video.blocked and "about" in video.blocked
    result = execute(p, use_llm=False)
    assert result.result(video.id).status == "failed" and "Nothing to say" in (result.result(video.id).error or "")
    assert not fake_runners and not fake_model.history  # nothing was generated


@pytest.mark.parametrize("request_text", ["add a voiceover about our cafe to demo.mp4",
                                          'add a voiceover saying "Welcome to the cafe" to demo.mp4'])
def test_a_subject_or_words_for_the_clip_keep_it_working(request_text: str, tmp_path: Path) -> None:
    spec = _read(request_text, [_clip(tmp_path)])
    assert spec.kinds() == ["video"] and not any(d.blocked for d in spec.deliverables)


def test_a_text_file_for_the_clip_keeps_it_working(tmp_path: Path) -> None:
    (tmp_path / "script.txt").write_text("Welcome to our cafe.")
    inputs = [_clip(tmp_path), InputFile(id="in2", path=str(tmp_path / "script.txt"), kind="text",
                                         named_as="script.txt")]
    spec = _read("narrate demo.mp4 with the words in script.txt", inputs)
    assert spec.kinds() == ["video"] and not any(d.blocked for d in spec.deliverables)


def test_a_topic_read_into_the_file_name_is_no_subject(fake_model, tmp_path: Path) -> None:
    # Three parts and no "about": the LLM is asked for the topic, and makes one up around "demo".
    fake_model.enqueue('{"kinds": ["video"], "topic": "the product demo", "name": "", "tone": "", "style": ""}')
    spec = read("add a voiceover and music to demo.mp4", inputs=[_clip(tmp_path)], use_llm=True,
                use_embeddings=False)
    assert spec.topic_by == "llm" and "product" in (spec.topic or "")
    assert any(d.blocked for d in spec.deliverables), (spec.topic, spec.topic_by)
