"""Durable jobs: kill -9 a real ``genloom serve`` mid-job, start it again, and check the job.

The server runs in a subprocess with slow fake generators (``crash_fakes.py``)
and this test's GENLOOM_HOME, so the test reads the same SQLite database and
blob store afterwards.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from server_testutil import free_port

HERE = Path(__file__).parent


class Server:
    def __init__(self, home: Path, **env: str):
        self.home = home
        self.env = {**os.environ, "GENLOOM_HOME": str(home), **env}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        self.home.mkdir(parents=True, exist_ok=True)
        self.log = open(self.home / f"server-{self.port}.log", "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "crash_fakes.py"), "serve", "--port", str(self.port), "--log-level",
             "warning"], env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.output()
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError(f"server did not start:\n{self.output()}")

    def output(self) -> str:
        return "".join(p.read_text(errors="replace") for p in self.home.glob("server-*.log"))

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)  # reaped: no zombie that still looks alive

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()

    def get(self, path: str) -> Any:
        r = httpx.get(f"{self.url}{path}", timeout=30)
        assert r.status_code == 200, r.text
        return r.json()


@pytest.fixture
def servers(genloom_home: Path) -> Iterator[Callable[..., Server]]:
    made: list[Server] = []

    def make(**env: str) -> Server:
        server = Server(genloom_home, **env).start()
        made.append(server)
        return server

    yield make
    for server in made:
        server.stop()


def _plan(slow: float) -> dict[str, Any]:
    step = {"task": "t", "instruction": "make it"}
    return {"request": "a poster and a voiceover", "deliverables": ["text", "image", "speech"], "steps": [
        {**step, "id": "script", "kind": "text", "prompt": "a script"},
        {**step, "id": "art", "kind": "image", "prompt": "a poster of {script}", "inputs": ["script"]},
        {**step, "id": "voice", "kind": "speech", "prompt": f"slow:{slow} read {{script}}", "inputs": ["script"]},
        {**step, "id": "summary", "kind": "text", "prompt": "sum up {art} and {voice}", "inputs": ["art", "voice"]},
    ]}


def _wait(server: Server, job_id: str, ready: Callable[[dict[str, Any]], bool], timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = server.get(f"/v1/jobs/{job_id}")
        if ready(job):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job never got there: {json.dumps(job)[:2000]}\n{server.output()[-3000:]}")


def _steps(job: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in job["steps"]}


def _kill_mid_job(server: Server) -> tuple[str, dict[str, dict[str, Any]]]:
    """Submit the plan; kill -9 once script and art finished and voice is running."""
    r = httpx.post(f"{server.url}/v1/jobs", json={"plan": _plan(slow=30)}, timeout=30)
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    job = _wait(server, job_id, lambda j: len(j["steps"]) == 4 and _steps(j)["art"]["status"] == "succeeded"
                and _steps(j)["script"]["status"] == "succeeded" and _steps(j)["voice"]["status"] == "running")
    finished = {sid: s["result"] for sid, s in _steps(job).items() if s["status"] == "succeeded"}
    assert set(finished) == {"script", "art"}
    server.kill()
    return job_id, finished


def _calls(home: Path) -> list[str]:
    return (home / "fake-calls.log").read_text().splitlines()


def _store_checks(home: Path, run_id: str) -> list[dict[str, Any]]:
    """No corrupt blob, no temp file; returns the run's step generations."""
    import sqlalchemy as sa

    from genloom.store import schema
    from genloom.store.db import get_store
    from genloom.store.files import sha256_file

    store = get_store()
    assert str(home) in str(store.blobs.root)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    for asset in store.assets(limit=1000):
        path = store.asset_path(asset)
        assert path.is_file(), asset
        assert path.stat().st_size == asset["size"] and sha256_file(path) == asset["sha256"], asset
    leftovers = [p for p in store.blobs.root.rglob("*") if p.is_file() and p.name.endswith(".tmp")]
    assert leftovers == []
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(schema.generations).where(schema.generations.c.run_id == run_id)).all()
    return [dict(r._mapping) for r in rows]


def test_kill_9_mid_job_then_resume(servers: Callable[..., Server], genloom_home: Path) -> None:
    server = servers()
    killed_pid = server.proc.pid if server.proc else 0
    job_id, finished = _kill_mid_job(server)
    # What a kill in the middle of a blob write leaves: a temp file beside the target.
    from genloom.store.db import get_store
    from genloom.store.files import _host

    stale = get_store().blobs.root / "ab" / f".cdef.wav.{_host()}-{killed_pid}.zz9abcde.tmp"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"half a wav")
    assert len(_calls(genloom_home)) == 3  # script, art, and the voice that was cut off

    server = servers(CRASH_FAKES_SLOW="0.02")  # resume is the default
    job = _wait(server, job_id, lambda j: j["status"] in ("succeeded", "failed", "cancelled"), timeout=40)
    assert job["status"] == "succeeded", job["error"]
    assert job["attempts"] == 2
    steps = _steps(job)
    assert all(s["status"] == "succeeded" for s in steps.values()), steps
    # The steps that finished before the kill kept their results: same generations, same assets.
    for sid, before in finished.items():
        assert steps[sid]["result"]["generation_id"] == before["generation_id"]
        assert steps[sid]["result"]["asset_ids"] == before["asset_ids"]
    # ...and were not made again: only voice (cut off) and summary (never started) ran after the restart.
    calls = _calls(genloom_home)
    assert [c.split(" ", 2)[1] for c in calls[3:]] == ["speech", "text"], calls
    assert not stale.exists()

    events = httpx.get(f"{server.url}/v1/jobs/{job_id}/events", timeout=30).text
    types = [json.loads(line[6:])["type"] for line in events.splitlines() if line.startswith("data: ")]
    assert "job_resumed" in types and types[-1] == "end"
    # Events of the first attempt were kept, and numbered before the resumed ones.
    resumed_at = types.index("job_resumed")
    assert "step_finished" in types[:resumed_at] and types.count("job_finished") == 1

    gens = _store_checks(genloom_home, job["run_id"])
    by_step = sorted(g["kind"] for g in gens)
    assert by_step == ["image", "speech", "text", "text"], by_step  # one generation per step, none twice
    asset_ids = [a for s in steps.values() for a in s["result"]["asset_ids"]]
    assert len(asset_ids) == 4 and len(set(asset_ids)) == 4
    assert len(get_store().assets(limit=1000)) == 4  # no stray asset from the cut-off attempt
    # The run's root generation lists the deliverables, once.
    root = get_store().generation(job["run_id"])
    assert root["task"] == "run" and len(root["parent_ids"]) == 4


def test_kill_9_then_fail_mode(servers: Callable[..., Server], genloom_home: Path) -> None:
    server = servers()
    job_id, finished = _kill_mid_job(server)

    server = servers(GENLOOM_JOBS_ON_RESTART="fail", CRASH_FAKES_SLOW="0.02")
    job = server.get(f"/v1/jobs/{job_id}")
    assert job["status"] == "failed"
    assert "GENLOOM_JOBS_ON_RESTART=fail" in job["error"]["message"] and job["error"]["code"] == "interrupted"
    assert _steps(job)["voice"]["status"] == "failed"
    time.sleep(0.5)
    assert len(_calls(genloom_home)) == 3  # nothing ran again
    assert server.get(f"/v1/jobs/{job_id}")["status"] == "failed"
    gens = _store_checks(genloom_home, job["run_id"])
    assert sorted(g["id"] for g in gens) == sorted(r["generation_id"] for r in finished.values())


def test_single_generator_job_reruns(servers: Callable[..., Server], genloom_home: Path) -> None:
    server = servers()
    r = httpx.post(f"{server.url}/v1/jobs", json={"kind": "music", "prompt": "slow:1.5 a tune"}, timeout=30)
    job_id = r.json()["id"]
    _wait(server, job_id, lambda j: j["status"] == "running" and j["steps"] and j["steps"][0]["progress"] > 0)
    server.kill()

    server = servers(CRASH_FAKES_SLOW="0.1")
    job = _wait(server, job_id, lambda j: j["status"] in ("succeeded", "failed"), timeout=30)
    assert job["status"] == "succeeded" and job["attempts"] == 2
    assert [c.split(" ", 2)[1] for c in _calls(genloom_home)] == ["music", "music"]
    gens = _store_checks(genloom_home, job_id)
    assert [g["id"] for g in gens] == [job["result"]["generation_id"]]
