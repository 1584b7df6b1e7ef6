"""Fake generators for the brain's tests: every kind records a small file, fast."""

from __future__ import annotations

import sys
import threading
import time
import types
from pathlib import Path
from typing import Any

import pytest

CALLS: list[dict[str, Any]] = []
_lock = threading.Lock()


def _silent_wav(seconds: float, rate: int = 8000) -> bytes:
    import io
    import wave

    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x00" * int(seconds * rate))
    return buf.getvalue()


def _fake_runner(kind: str, ext: str, mime: str, fail: bool = False, delay: float = 0.0) -> Any:
    def run(prompt: str, *, model: str | None, params: dict[str, Any], output: Path | None,
            parent_ids: list[str] | None, run_id: str | None, progress: Any) -> Any:
        from genloom.api import Result, record_files

        with _lock:
            CALLS.append({"kind": kind, "prompt": prompt, "parent_ids": parent_ids, "run_id": run_id,
                          "params": params, "thread": threading.current_thread().name, "t": time.perf_counter()})
        if progress:
            progress(0.5, "half way")
        if delay:
            time.sleep(delay)
        if fail:
            raise RuntimeError(f"fake {kind} generator broke")
        # Audio is a real (silent, 1 s) WAV: the executor measures narrations to time videos.
        data = _silent_wav(1.0) if mime.startswith("audio/") else f"{kind}:{prompt}".encode()
        gid, ids, paths = record_files(kind=kind, task=f"fake-{kind}", model_id=f"fake-{kind}", prompt=prompt,
                                       params=params, parent_ids=parent_ids, run_id=run_id,
                                       files=[{"data": data, "mime": mime, "ext": ext}])
        if progress:
            progress(1.0, "done")
        return Result(kind=kind, generation_id=gid, model_id=f"fake-{kind}", asset_ids=ids, paths=paths,
                      meta={"t_end": time.perf_counter()})

    return run


@pytest.fixture
def fake_runners(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Registers fake image/speech/music/video runners in genloom.api.RUNNERS; returns the call log."""
    from genloom import api

    module = types.ModuleType("genloom_test_fake_runners")
    module.image = _fake_runner("image", ".png", "image/png")  # type: ignore[attr-defined]
    module.speech = _fake_runner("speech", ".wav", "audio/wav", delay=0.3)  # type: ignore[attr-defined]
    module.music = _fake_runner("music", ".wav", "audio/wav", delay=0.3)  # type: ignore[attr-defined]
    module.video = _fake_runner("video", ".mp4", "video/mp4")  # type: ignore[attr-defined]
    module.broken = _fake_runner("music", ".wav", "audio/wav", fail=True)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    runners = dict(api.RUNNERS)
    for kind in ("image", "speech", "music", "video"):
        runners[kind] = f"{module.__name__}:{kind}"
    monkeypatch.setattr(api, "RUNNERS", runners)
    CALLS.clear()
    return CALLS
