"""Run the real ``genloom`` CLI with slow fake generators, for the crash tests.

    python tests/server/crash_fakes.py serve --port 8123

Every kind records one asset through :func:`genloom.api.record_files` like a
real generator. A prompt containing ``slow:SECONDS`` sleeps that long first
(in small slices, reporting progress; times ``$CRASH_FAKES_SLOW``), so a
test can kill the server while that step runs. Each call appends a line to ``$GENLOOM_HOME/fake-calls.log``.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path
from typing import Any

MIMES = {"text": ("text/plain", ".txt"), "code": ("text/plain", ".txt"), "image": ("image/png", ".png"),
         "speech": ("audio/wav", ".wav"), "music": ("audio/wav", ".wav"), "video": ("video/mp4", ".mp4")}


def _run(kind: str, prompt: str, *, model: str | None, params: dict[str, Any], output: Path | None,
         parent_ids: list[str] | None, run_id: str | None, progress: Any) -> Any:
    from genloom.api import Result, record_files
    from genloom.config import home

    with open(home() / "fake-calls.log", "a") as log:
        log.write(f"{os.getpid()} {kind} {prompt}\n")
    m = re.search(r"slow:([\d.]+)", prompt)
    # CRASH_FAKES_SLOW scales the sleeps: a restarted server need not wait as long.
    seconds = float(m.group(1)) * float(os.environ.get("CRASH_FAKES_SLOW", "1")) if m else 0.0
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if progress:
            progress(min(0.99, (time.monotonic() - start) / seconds), "working")
        time.sleep(0.05)
    mime, ext = MIMES[kind]
    # Big enough that writing the blob takes a moment, and tied to the prompt.
    data = (f"{kind}:{prompt}\n" * 20000).encode()
    gid, ids, paths = record_files(kind=kind, task=f"fake-{kind}", model_id=f"fake-{kind}", prompt=prompt,
                                   params=params, parent_ids=parent_ids, run_id=run_id,
                                   files=[{"data": data, "mime": mime, "ext": ext}])
    return Result(kind=kind, generation_id=gid, model_id=f"fake-{kind}", text=f"{kind} for {prompt[:40]}",
                  asset_ids=ids, paths=paths)


def _runner(kind: str) -> Any:
    def run(prompt: str, **kw: Any) -> Any:
        return _run(kind, prompt, **kw)

    return run


text, code, image, speech, music, video = (_runner(k) for k in MIMES)

if __name__ == "__main__":
    import crash_fakes  # this file under its own name, so RUNNERS can point at it

    from genloom import api
    from genloom.cli import cli

    for kind in MIMES:
        api.RUNNERS[kind] = f"{crash_fakes.__name__}:{kind}"
    sys.exit(cli.main(args=sys.argv[1:], prog_name="genloom"))
