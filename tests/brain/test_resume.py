"""Resuming a run: ``execute(plan, done=..., run_id=...)`` skips finished steps and feeds their outputs on."""

from __future__ import annotations

from typing import Any

from genloom.brain import execute
from genloom.brain.graph import Plan, Step
from genloom.store.db import get_store


def _plan() -> Plan:
    return Plan(request="a lamp", deliverables=["text", "image", "speech"], topic="a lamp", steps=[
        Step(id="headline", kind="text", task="headline", instruction="headline", prompt="Headline for {topic}"),
        Step(id="hero", kind="image", task="hero", instruction="hero", prompt="photo: {headline}",
             inputs=["headline"]),
        Step(id="voice", kind="speech", task="voice", instruction="read", prompt="{headline}", inputs=["headline"]),
    ])


def test_done_steps_are_skipped_and_feed_dependants(fake_model: Any, fake_runners: list[dict[str, Any]]) -> None:
    fake_model.enqueue("Light, reinvented")
    first = execute(_plan(), use_llm=False)
    assert first.ok, [s.error for s in first.steps]
    done = {"headline": first.result("headline"), "hero": first.result("hero")}
    fake_runners.clear()
    calls_before = len(fake_model.history)

    events: list[dict[str, Any]] = []
    again = execute(_plan(), use_llm=False, done=done, run_id="gen_resumed_run", on_event=events.append)
    assert again.ok and again.run_id == "gen_resumed_run"
    # Only the step that had not finished ran; it read the finished headline's text.
    assert [c["kind"] for c in fake_runners] == ["speech"]
    assert fake_runners[0]["prompt"] == "Light, reinvented" and fake_runners[0]["run_id"] == "gen_resumed_run"
    assert first.result("headline").generation_id in fake_runners[0]["parent_ids"]
    assert len(fake_model.history) == calls_before  # the text step was not asked again
    for sid in done:
        assert again.result(sid) == done[sid]
    resumed = [e["step_id"] for e in events if e["type"] == "step_finished" and e.get("resumed")]
    assert sorted(resumed) == ["headline", "hero"]
    assert not any(e["type"] == "step_started" and e["step_id"] in done for e in events)
    # The root generation is recorded once, even when a resumed run finds it already there.
    root = get_store().generation("gen_resumed_run")
    assert len(root["parent_ids"]) == 3
    execute(_plan(), use_llm=False, done={s.step_id: s for s in again.steps}, run_id="gen_resumed_run")
    assert [g["id"] for g in get_store().generations(limit=100) if g["id"] == "gen_resumed_run"] == [
        "gen_resumed_run"]
    assert [c["kind"] for c in fake_runners] == ["speech"]  # all done: nothing ran


def test_failed_or_unknown_done_steps_run_again(fake_model: Any, fake_runners: list[dict[str, Any]]) -> None:
    from genloom.brain.graph import StepResult

    fake_model.enqueue("Hello")
    done = {"hero": StepResult(step_id="hero", kind="image", status="failed", error="boom"),
            "ghost": StepResult(step_id="ghost", kind="image", status="ok")}
    result = execute(_plan(), use_llm=False, done=done)
    assert result.ok and sorted(c["kind"] for c in fake_runners) == ["image", "speech"]
    assert [s.step_id for s in result.steps] == ["headline", "hero", "voice"]
