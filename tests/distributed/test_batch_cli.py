"""``genloom batch`` in-process: JSONL parsing, outputs, manifest, resume, bad lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import ray_fakes
from click.testing import CliRunner

from genloom import api
from genloom.batch import Manifest, read_requests, run_batch
from genloom.cli import cli


def _write(path: Path, lines: list) -> Path:
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")
    return path


@pytest.fixture
def fake_image(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []

    def run(prompt: str, **kw):
        calls.append(prompt)
        if prompt == "interrupt":
            raise KeyboardInterrupt
        return ray_fakes.run_fake_image(prompt, **kw)

    monkeypatch.setattr(ray_fakes, "counted_image", run, raising=False)
    monkeypatch.setitem(api.RUNNERS, "image", "ray_fakes:counted_image")
    return calls


def test_bad_lines_are_reported_with_line_numbers(tmp_path: Path) -> None:
    items, bad = read_requests(_write(tmp_path / "r.jsonl", [
        {"kind": "image", "prompt": "ok", "id": "a"},
        "{not json",
        {"kind": "hologram", "prompt": "x"},
        "",
        {"kind": "image", "prompt": "  "},
        {"kind": "image", "prompt": "x", "colour": "red"},
        {"kind": "image", "prompt": "dup", "id": "a"},
        {"kind": "image", "prompt": "x", "output": "../escape.png"},
        [1, 2],
        {"request": "a poster about tea"},
    ]))
    assert [i.id for i in items][0] == "a" and [i.kind for i in items] == ["image", "request"]
    by_line = {b.line: b.error for b in bad}
    assert sorted(by_line) == [2, 3, 5, 6, 7, 8, 9]
    assert "not valid JSON" in by_line[2] and "hologram" in by_line[3] and "colour" in by_line[6]
    assert "duplicate id 'a'" in by_line[7] and "inside the output folder" in by_line[8]


def test_batch_writes_outputs_and_manifest_then_skips_done_items(tmp_path: Path, fake_image: list[str],
                                                                 fake_model) -> None:
    fake_model.enqueue("a haiku about rain")
    req = _write(tmp_path / "r.jsonl", [
        {"kind": "image", "prompt": "a fox", "params": {"seed": 1}, "id": "fox"},
        {"kind": "image", "prompt": "a cat", "output": "cat.png"},
        {"kind": "text", "prompt": "haiku", "id": "poem"},
        "oops",
    ])
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["batch", str(req), "-o", str(out)])
    assert result.exit_code == 1, result.output  # the bad line makes it non-zero, the rest still ran
    assert "r.jsonl:4: not valid JSON" in result.output and "3 done" in result.output
    assert (out / "fox" / "fox.png").read_bytes() == ray_fakes._pixels("a fox", 1)
    cat_id = next(p.name for p in out.iterdir() if p.name.startswith("image-"))
    assert (out / cat_id / "cat.png").exists()
    assert (out / "poem" / "poem.md").read_text().endswith("ai_generated: true\n---\n\na haiku about rain")
    records = Manifest(out).load()
    assert {r["status"] for r in records.values()} == {"ok"} and len(records) == 3
    assert records["fox"]["files"] == ["fox/fox.png"] and records["fox"]["generation_id"]
    assert fake_image == ["a fox", "a cat"]

    again = run_batch(req, out)
    assert fake_image == ["a fox", "a cat"] and sorted(again.skipped) == sorted(records) and not again.done


def test_interrupted_batch_resumes_where_it_stopped(tmp_path: Path, fake_image: list[str]) -> None:
    lines = [{"kind": "image", "prompt": f"p{i}", "id": f"i{i}"} for i in range(4)]
    req = _write(tmp_path / "r.jsonl", [*lines[:2], {"kind": "image", "prompt": "interrupt", "id": "boom"}, *lines[2:]])
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        run_batch(req, out)
    assert set(Manifest(out).load()) == {"i0", "i1"}
    # The user fixes the file and runs the same command again: only the rest runs.
    _write(req, lines)
    fake_image.clear()
    report = run_batch(req, out)
    assert fake_image == ["p2", "p3"] and sorted(report.skipped) == ["i0", "i1"] and report.ok
    # A deleted output makes its item run again.
    (out / "i0" / "i0.png").unlink()
    fake_image.clear()
    assert run_batch(req, out).skipped and fake_image == ["p0"]


def test_failed_items_are_recorded_and_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(api.RUNNERS, "image", ray_fakes.FAILING)
    req = _write(tmp_path / "r.jsonl", [{"kind": "image", "prompt": "x", "id": "x"}])
    report = run_batch(req, tmp_path / "out")
    assert report.failed[0]["error"].startswith("fake runner refuses 'x'")
    monkeypatch.setitem(api.RUNNERS, "image", ray_fakes.FAKE_IMAGE)
    assert run_batch(req, tmp_path / "out").done[0]["id"] == "x"


def test_request_items_fail_clearly_when_the_brain_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import genloom.brain as brain

    def broken(request: str, **kw):
        raise RuntimeError("planner exploded")

    monkeypatch.setattr(brain, "plan", broken)
    report = run_batch(_write(tmp_path / "r.jsonl", [{"request": "a poster about tea", "id": "tea"}]),
                       tmp_path / "out")
    assert report.failed and report.failed[0]["id"] == "tea" and "planner exploded" in report.failed[0]["error"]


def test_missing_requests_file_is_one_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["batch", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1 and "No requests file" in result.output


def test_request_items_go_through_the_brain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import genloom.brain as brain
    from genloom.brain.graph import RunResult, StepResult

    seen: dict = {}

    def fake_plan(request: str, **kw):
        seen["request"] = request
        return type("Plan", (), {"deliverables": ["text"]})()

    def fake_execute(plan, *, output_dir=None, **kw):
        seen["output_dir"] = output_dir
        output_dir.mkdir(parents=True, exist_ok=True)
        (output_dir / "post.md").write_text("tea is nice")
        step = StepResult(step_id="s1", kind="text", status="ok", text="tea is nice",
                          paths=[str(output_dir / "post.md")])
        return RunResult.model_construct(run_id="gen_run1", plan=plan, steps=[step])

    monkeypatch.setattr(brain, "plan", fake_plan)
    monkeypatch.setattr(brain, "execute", fake_execute)
    out = tmp_path / "out"
    report = run_batch(_write(tmp_path / "r.jsonl", [{"request": "a blog post about tea", "id": "tea"}]), out)
    assert report.ok and seen == {"request": "a blog post about tea", "output_dir": out / "tea"}
    assert report.done[0]["files"] == ["tea/post.md"] and report.done[0]["generation_id"] == "gen_run1"
