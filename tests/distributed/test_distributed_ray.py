"""On a real local Ray cluster (2 CPUs): model actors, provenance, a killed worker, batch --ray."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
import ray_fakes
from click.testing import CliRunner

from genloom import api
from genloom.errors import InvalidInput
from genloom.store.db import get_store


@pytest.fixture
def runner(ray_cluster: Any, fake_runners: dict[str, str]) -> Any:
    from genloom.distributed import get_runner

    return get_runner("local")


def test_ray_result_matches_in_process_and_actor_is_reused(runner: Any, tmp_path: Path) -> None:
    local = api.create("image", "a fox", model="m-fox", params={"seed": 7})
    first = runner("image", "a fox", model="m-fox", params={"seed": 7}, parent_ids=["gen_p"], run_id="gen_r")
    second = runner("image", "a hare", model="m-fox", params={"seed": 8}, output=tmp_path / "o" / "hare.png")
    store = get_store()
    a, b = store.generation(local.generation_id), store.generation(first.generation_id)
    for key in ("kind", "task", "model_id", "prompt", "params", "seed"):
        assert a[key] == b[key], key
    assert b["parent_ids"] == ["gen_p"] and b["run_id"] == "gen_r"
    assert a["assets"][0]["sha256"] == b["assets"][0]["sha256"] and b["assets"][0]["meta"]["ai_generated"]
    # It ran in another process, and the same actor (model kept loaded) took the second job.
    assert first.meta["ray"]["pid"] != os.getpid()
    assert second.meta["ray"]["pid"] == first.meta["ray"]["pid"] and second.meta["ray"]["calls"] == 2
    assert (tmp_path / "o" / "hare.png").read_bytes() == ray_fakes._pixels("a hare", 8)
    assert second.paths == [tmp_path / "o" / "hare.png"]


def test_errors_come_back_with_their_class(runner: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(api.RUNNERS, "image", ray_fakes.FAILING)
    with pytest.raises(InvalidInput, match="refuses") as err:
        runner("image", "bad", model="m-fail")
    assert err.value.hint == "ask nicely"
    with pytest.raises(InvalidInput, match="Unknown output kind"):
        runner("hologram", "x")


def test_killed_worker_mid_job_is_retried_and_the_job_completes(runner: Any, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(api.RUNNERS, "image", ray_fakes.CRASHY)
    marker = tmp_path / "started.pid"
    pending = runner.submit("image", "survivor", model="m-crash", params={"seed": 5, "marker": str(marker)})
    deadline = time.monotonic() + 90
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    victim = int(marker.read_text().split()[0])
    os.kill(victim, signal.SIGKILL)  # the worker dies mid-job, holding the only copy of its work
    result = runner.result(pending)
    assert result.meta["ray"]["pid"] != victim
    gens = [g for g in get_store().generations(limit=100) if g["prompt"] == "survivor"]
    assert len(gens) == 1 and gens[0]["seed"] == 5  # finished once, recorded once
    assert Path(result.paths[0]).read_bytes() == ray_fakes._pixels("survivor", 5)


def test_batch_on_ray_runs_everything_and_resumes(ray_cluster: Any, fake_runners: dict[str, str],
                                                  tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from genloom.batch import Manifest
    from genloom.cli import cli

    monkeypatch.setitem(api.RUNNERS, "image", ray_fakes.SLOW)
    lines = [{"kind": "image", "prompt": f"p{i}", "model": f"m-{i % 2}", "id": f"i{i}",
              "params": {"sleep": 0.3, "seed": i}} for i in range(4)]
    req = tmp_path / "r.jsonl"
    req.write_text("\n".join(json.dumps(x) for x in lines) + "\n{\"kind\": 1}\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["batch", str(req), "-o", str(out), "--ray"])
    assert result.exit_code == 1 and "r.jsonl:5:" in result.output and "4 done" in result.output, result.output
    records = Manifest(out).load()
    assert sorted(records) == ["i0", "i1", "i2", "i3"] and {r["status"] for r in records.values()} == {"ok"}
    for i in range(4):
        assert (out / f"i{i}" / f"i{i}.png").read_bytes() == ray_fakes._pixels(f"p{i}", i)
    again = CliRunner().invoke(cli, ["batch", str(req), "-o", str(out), "--ray=local", "--json"])
    summary = json.loads(again.output[again.output.index("{"):])
    assert summary["skipped"] == 4 and summary["done"] == 0


def test_idle_model_actor_makes_room_for_a_model_that_needs_its_cpus(runner: Any) -> None:
    from genloom.models.card import Kind, ModelCard
    from genloom.models.registry import get_registry

    for mid in ("m-big-a", "m-big-b"):  # each reserves both CPUs of the test cluster
        get_registry().register(ModelCard(id=mid, kind=Kind.image, backend="fake", size_bytes=0, license="MIT",
                                          source="tests", options={"num_cpus": 2}), lambda c: None)
    assert runner("image", "a", model="m-big-a").meta["ray"]["calls"] == 1
    pending = runner.submit("image", "b", model="m-big-b")
    done, _ = runner.wait([pending], timeout=60)  # would never start if m-big-a kept its CPUs
    assert done and runner.result(pending).model_id == "m-big-b"
    assert "m-big-a" not in runner.actors() and "m-big-b" in runner.actors()


def test_brain_plan_runs_on_ray_like_in_process(ray_cluster: Any, fake_runners: dict[str, str]) -> None:
    """The same plan, executed with --ray, makes the same outputs with the same provenance."""
    from genloom.brain import execute
    from genloom.brain.graph import Plan, Step

    def kit() -> Plan:
        return Plan(request="two pictures", deliverables=["image"], steps=[
            Step(id="a", kind="image", task="a", instruction="x", prompt="a red fox", params={"seed": 3}),
            Step(id="b", kind="image", task="b", instruction="y", prompt="a grey owl", params={"seed": 4}),
        ])

    local = execute(kit(), use_llm=False)
    remote = execute(kit(), use_llm=False, ray_address="local")
    assert local.ok and remote.ok, [r.error for r in remote.steps]
    store = get_store()
    assert all(s.generation_id for s in remote.steps)
    for a, b in zip(local.steps, remote.steps, strict=True):
        ga, gb = store.generation(a.generation_id), store.generation(b.generation_id)
        assert ga["assets"][0]["sha256"] == gb["assets"][0]["sha256"]
        assert gb["run_id"] and gb["run_id"] != ga["run_id"]


def test_server_jobs_run_on_ray(ray_cluster: Any, fake_runners: dict[str, str]) -> None:
    """genloom serve --ray: the job manager sends generations to the cluster."""
    from genloom.jobs import JobManager

    manager = JobManager(workers=1, ray_address="local")
    job = manager.submit({"kind": "image", "prompt": "a ray-traced fox", "params": {"seed": 5}})
    assert manager.wait(job.id, timeout=60)
    data = manager.get(job.id)
    assert data["status"] == "succeeded", data
    gid = data["result"]["generation_id"]
    assert data["result"]["meta"]["ray"]["pid"] != os.getpid()  # made in a Ray worker, not here
    assert get_store().generation(gid)["assets"][0]["sha256"]
