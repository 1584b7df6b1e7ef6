"""Durable jobs in-process: restart settings, temp-file sweeping, and which manager owns a job."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest

from genloom.errors import InvalidInput


def test_on_restart_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from genloom.jobs import JobManager
    from genloom.server.settings import Settings

    assert Settings.from_env().jobs_on_restart == "resume"
    monkeypatch.setenv("GENLOOM_JOBS_ON_RESTART", "FAIL")
    assert Settings.from_env().jobs_on_restart == "fail"
    monkeypatch.setenv("GENLOOM_JOBS_ON_RESTART", "retry")
    with pytest.raises(InvalidInput, match="GENLOOM_JOBS_ON_RESTART"):
        Settings.from_env()
    with pytest.raises(InvalidInput, match="on_restart"):
        JobManager(persist=False, on_restart="retry")


def test_sweep_removes_only_dead_writers_temp_files(tmp_path: Path) -> None:
    import subprocess
    import sys

    from genloom.store.files import _host, atomic_write_bytes, sweep_temp_files

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    here, host = os.getpid(), _host()
    (tmp_path / "ab").mkdir()
    names = {
        "dead": f".x.png.{host}-{dead.pid}.k2j4h5g6.tmp",
        "mine": f".y.png.{host}-{here}.k2j4h5g6.tmp",  # a write in progress in this process
        "other_host": f".z.png.otherbox-{dead.pid}.k2j4h5g6.tmp",  # a shared folder: not ours to judge
        "not_temp": "cdef.png",
    }
    for name in names.values():
        (tmp_path / "ab" / name).write_bytes(b"x")
    assert sweep_temp_files(tmp_path) == [tmp_path / "ab" / names["dead"]]
    assert sorted(p.name for p in (tmp_path / "ab").iterdir()) == sorted(v for k, v in names.items() if k != "dead")
    # Real writes use the tagged names, and leave nothing behind.
    atomic_write_bytes(tmp_path / "out.bin", b"data")
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == ["out.bin"]


def _slow_model(fake_model: Any, gate: threading.Event, started: threading.Event) -> None:
    original = fake_model.chat_stream

    def slow(messages: Any, params: Any) -> Any:
        started.set()
        gate.wait(10)
        return original(messages, params)

    fake_model.chat_stream = slow  # type: ignore[method-assign]


def test_live_managers_jobs_are_not_taken_over(fake_model: Any) -> None:
    from genloom.jobs import JobManager

    gate, started = threading.Event(), threading.Event()
    _slow_model(fake_model, gate, started)
    fake_model.enqueue("one")
    first = JobManager(workers=1)
    job = first.submit({"kind": "text", "prompt": "one"})
    assert started.wait(10)
    second = JobManager(workers=1)  # e.g. a second server on the same database
    assert second.jobs == {}
    gate.set()
    assert first.wait(job.id, 10) and first.get(job.id)["status"] == "succeeded"
    assert second.get(job.id)["attempts"] == 1


def test_graceful_shutdown_leaves_jobs_resumable(fake_model: Any) -> None:
    from genloom.jobs import JobManager

    gate, started = threading.Event(), threading.Event()
    _slow_model(fake_model, gate, started)
    first = JobManager(workers=1)
    job = first.submit({"kind": "text", "prompt": "one"})
    assert started.wait(10)
    first.shutdown()  # cancels the running job, as the server's shutdown does
    gate.set()
    assert first.wait(job.id, 10)
    assert first.get(job.id)["status"] == "interrupted"

    fake_model.enqueue("resumed reply")
    second = JobManager(workers=1)
    assert list(second.jobs) == [job.id]
    assert second.wait(job.id, 10)
    snap = second.get(job.id)
    assert snap["status"] == "succeeded" and snap["attempts"] == 2 and snap["result"]["text"] == "resumed reply"
    assert "job_resumed" in [e["type"] for e in second.job(job.id).snapshot(events=True)["events"]]
