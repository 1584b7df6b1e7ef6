"""Executing plans with fake generators: order, parallelism, provenance, per-step failures, events."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from genloom.brain import execute, plan
from genloom.brain.graph import Plan, Step
from genloom.store.db import get_store


def _kit_plan() -> Plan:
    return Plan(request="kit for a lamp", deliverables=["text", "image", "speech", "music", "video"], topic="a lamp",
                steps=[
                    Step(id="headline", kind="text", task="headline", instruction="headline", prompt="Headline for {topic}"),
                    Step(id="hero", kind="image", task="hero", instruction="Hero image with the headline",
                         inputs=["headline"], params={"headline": "{headline}"}),
                    Step(id="script", kind="text", task="script", instruction="script",
                         prompt="Script opening with {headline}", inputs=["headline"]),
                    Step(id="voice", kind="speech", task="voice", instruction="read it", inputs=["script"]),
                    Step(id="jingle", kind="music", task="jingle", instruction="A jingle for a lamp (15 seconds)"),
                    Step(id="video", kind="video", task="video", instruction="15-second promo",
                         inputs=["headline", "hero", "voice", "jingle"]),
                ])


def test_runs_graph_with_provenance_and_outputs(fake_model, fake_runners, tmp_path: Path, monkeypatch) -> None:
    replies = {  # the reply depends on the prompt, so thread scheduling cannot reorder them
        "Headline for": "Light, reinvented",
        "image prompt": '{"subject": "a lamp on a desk", "style": "photo", "composition": "centered", '
                        '"palette": "warm"}',
        "music brief": '{"mood": "bright", "key": "C major", "tempo_bpm": 120, "instruments": "piano"}',
        "Script opening": "Light, reinvented. Buy now.",
        "shot list": '{"shots": [{"seconds": 15, "shot": "the lamp glows"}]}',
    }

    def reply() -> str:
        last = fake_model.history[-1][0]
        text = last[-1].content if isinstance(last, list) else last
        return next(v for k, v in replies.items() if k in text)

    monkeypatch.setattr(fake_model, "_reply", reply)
    events: list[dict] = []
    result = execute(_kit_plan(), output_dir=tmp_path / "out", on_event=events.append, use_llm=True)
    statuses = {r.step_id: r.status for r in result.steps}
    assert all(s == "ok" for s in statuses.values()), [r.error for r in result.steps]

    # Placeholders were filled with the topic and with the headline step's output.
    script = result.result("script")
    assert script.prompt == "Script opening with Light, reinvented"
    assert result.result("headline").prompt == "Headline for a lamp"
    # The voice speaks the script verbatim; the image prompt carries the headline's words.
    calls = {c["kind"]: c for c in fake_runners}
    assert calls["speech"]["prompt"] == "Light, reinvented. Buy now."
    assert "Light, reinvented" in calls["image"]["prompt"]

    # Provenance: each step's parents include the steps it read; the root lists the deliverables.
    store = get_store()
    headline_gid = result.result("headline").generation_id
    assert headline_gid in store.generation(result.result("script").generation_id)["parent_ids"]
    assert result.result("script").generation_id in calls["speech"]["parent_ids"]
    assert all(c["run_id"] == result.run_id for c in fake_runners)
    root = store.tree(result.run_id)
    assert root["task"] == "run" and len(root["parents"]) == 6

    # Files were exported atomically under the output dir, one per step.
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files[0] == "01-headline.md" and any(f.endswith(".mp4") for f in files)
    headline = (tmp_path / "out" / "01-headline.md").read_text()
    assert headline.startswith("---\ngenerator: genloom\n") and headline.endswith("---\n\nLight, reinvented")

    types = [e["type"] for e in events]
    assert types[-1] == "run_finished" and types.count("step_started") == 6
    assert types.count("step_finished") == 6 and "step_progress" in types
    # Order: nothing starts before its inputs finished.
    finished_at = {e["step_id"]: i for i, e in enumerate(events) if e["type"] == "step_finished"}
    started_at = {e["step_id"]: i for i, e in enumerate(events) if e["type"] == "step_started"}
    assert started_at["video"] > max(finished_at[s] for s in ("headline", "hero", "voice", "jingle"))
    assert started_at["voice"] > finished_at["script"]


def test_only_deliverables_go_to_the_output_folder(fake_model, fake_runners, tmp_path: Path) -> None:
    # A script written only to be spoken, and a bed only to go under the voice, are not what the
    # user asked for: they stay in the store (with provenance), and the folder holds the voiceover.
    fake_model.enqueue("Fresh bread every morning on Mill Street.")
    p = Plan(request="a voiceover about our bakery with music under it", deliverables=["speech"],
             topic="our bakery", steps=[
                 Step(id="script", kind="text", task="script", instruction="script", prompt="Script for {topic}",
                      deliverable=False),
                 Step(id="bed", kind="music", task="bed", instruction="soft piano", deliverable=False),
                 Step(id="voiceover", kind="speech", task="voiceover", instruction="read it",
                      inputs=["script", "bed"]),
             ])
    result = execute(p, output_dir=tmp_path / "out", use_llm=False)
    assert all(r.status == "ok" for r in result.steps), [r.error for r in result.steps]
    assert sorted(f.name for f in (tmp_path / "out").iterdir()) == ["01-voiceover.wav"]
    for sid in ("script", "bed"):
        r = result.result(sid)
        assert r.generation_id and all(tmp_path / "out" not in Path(x).parents for x in r.paths)
    assert Path(result.result("bed").paths[0]).exists()  # kept in the asset store


def test_independent_media_steps_run_in_parallel(fake_model, fake_runners) -> None:
    p = Plan(request="r", deliverables=["speech", "music"], steps=[
        Step(id="a", kind="speech", task="a", instruction="x", prompt="hello there"),
        Step(id="b", kind="music", task="b", instruction="y", prompt="calm piano"),
    ])
    result = execute(p, use_llm=False)
    assert result.ok
    threads = {c["thread"] for c in fake_runners}
    assert len(threads) == 2  # both 0.3 s generators ran at the same time, on different threads
    assert abs(fake_runners[0]["t"] - fake_runners[1]["t"]) < 0.25


def test_missing_and_failing_generators_fail_only_their_step(fake_model, fake_runners, monkeypatch) -> None:
    from genloom import api

    runners = dict(api.RUNNERS)
    runners.pop("video")
    runners["music"] = "genloom_test_fake_runners:broken"
    monkeypatch.setattr(api, "RUNNERS", runners)
    fake_model.enqueue("A story about a fox.")
    p = Plan(request="r", deliverables=["text", "music", "video"], steps=[
        Step(id="story", kind="text", task="story", instruction="Write a story", prompt="Write a story"),
        Step(id="song", kind="music", task="song", instruction="a song", prompt="a song"),
        Step(id="film", kind="video", task="film", instruction="a film", prompt="a film", inputs=["story"]),
        Step(id="voice", kind="speech", task="voice", instruction="read", inputs=["story"]),
    ])
    result = execute(p, use_llm=False)
    by = {r.step_id: r for r in result.steps}
    assert by["story"].status == "ok" and by["story"].text == "A story about a fox."
    assert by["voice"].status == "ok"
    assert by["song"].status == "failed" and "fake music generator broke" in by["song"].error
    assert by["film"].status == "failed" and "cannot make 'video'" in by["film"].error
    assert not result.ok and {r.step_id for r in result.failed} == {"song", "film"}
    # The root still records what was made.
    assert len(get_store().generation(result.run_id)["parent_ids"]) == 2


def test_dependent_of_failed_step_still_runs_from_the_request(fake_model, fake_runners, monkeypatch) -> None:
    from genloom import api

    monkeypatch.setattr(api, "RUNNERS", {**api.RUNNERS, "image": "genloom_test_fake_runners:broken"})
    p = Plan(request="r", deliverables=["image", "video"], steps=[
        Step(id="pic", kind="image", task="pic", instruction="a cat", prompt="a cat"),
        Step(id="clip", kind="video", task="clip", instruction="a cat video", inputs=["pic"]),
    ])
    result = execute(p, use_llm=False)
    clip = result.result("clip")
    assert clip.status == "ok" and "pic" in clip.error  # made, with a note that its input failed


def test_cancel_stops_pending_steps(fake_model, fake_runners) -> None:
    cancel = threading.Event()
    cancel.set()
    p = Plan(request="r", deliverables=["speech"], steps=[
        Step(id="a", kind="speech", task="a", instruction="x", prompt="hi"),
    ])
    result = execute(p, cancel=cancel, use_llm=False)
    assert result.steps[0].status == "cancelled"
    assert not fake_runners


def test_plan_then_execute_end_to_end_with_fakes(fake_model, fake_runners, tmp_path: Path) -> None:
    fake_model.enqueue("Once upon a time a fox met a crow.")
    p = plan("an illustrated narrated story about a fox and a crow", use_llm=False)
    assert p.recipe == "illustrated-story"
    result = execute(p, output_dir=tmp_path, use_llm=False)
    assert result.ok, [r.error for r in result.steps]
    speech = next(c for c in fake_runners if c["kind"] == "speech")
    assert speech["prompt"] == "Once upon a time a fox met a crow."
    image = next(c for c in fake_runners if c["kind"] == "image")
    assert "fox" in image["prompt"]


@pytest.mark.parametrize("bad", ["{nope", '{"subject": ""}'])
def test_bad_llm_prompt_falls_back_to_template(fake_model, bad: str) -> None:
    from genloom.brain.prompts import write_prompt

    fake_model.enqueue(bad)
    written = write_prompt("image", "A poster for a jazz night", {})
    assert written.by == "template" and "jazz night" in written.prompt


def test_unquote_strips_one_wrapping_pair_only() -> None:
    from genloom.brain.executor import _unquote

    assert _unquote('"Light, reinvented"') == "Light, reinvented"
    assert _unquote("“Light”") == "Light"
    assert _unquote('He said "hi" and "bye"') == 'He said "hi" and "bye"'
    assert _unquote('"a" or "b"') == '"a" or "b"'


def test_video_is_made_from_the_kits_own_image_voice_and_jingle(fake_model, fake_runners) -> None:
    fake_model.enqueue("Light up the night", "Meet the lamp. Light up the night.")
    result = execute(_kit_plan(), use_llm=False)
    assert result.ok, [r.error for r in result.steps]
    store = get_store()

    def stored(kind: str) -> str:
        step = next(r for r in result.steps if r.kind == kind)
        return str(store.asset_path(store.asset(step.asset_ids[0])))

    video = next(c for c in fake_runners if c["kind"] == "video")
    assert video["params"]["images"] == [stored("image")]
    assert video["params"]["narration_audio"] == stored("speech")
    assert video["params"]["music_audio"] == stored("music")


def test_length_capped_text_ends_on_a_whole_sentence() -> None:
    from genloom.brain.executor import _whole_sentences

    assert _whole_sentences("Light up the night. Order now and experience the") == "Light up the night."
    assert _whole_sentences("Done! Really done.") == "Done! Really done."
    assert _whole_sentences("no sentence end at all") == "no sentence end at all"
