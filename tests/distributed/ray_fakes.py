"""Fake runners for the distributed tests, importable by Ray worker processes.

Ray workers are separate processes: a runner monkeypatched into ``RUNNERS`` in
the test process does not exist there, so these live in a module that the
conftest puts on ``PYTHONPATH`` before Ray starts its workers.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Any

FAKE_IMAGE = "ray_fakes:run_fake_image"
CRASHY = "ray_fakes:run_crashy"
FAILING = "ray_fakes:run_failing"
SLOW = "ray_fakes:run_slow"


def _pixels(prompt: str, seed: int) -> bytes:
    # Deterministic "image" bytes: a PNG signature and a digest of the inputs.
    return b"\x89PNG\r\n\x1a\n" + hashlib.sha256(f"{prompt}|{seed}".encode()).digest() * 4


def run_fake_image(prompt: str, *, model: str | None, params: dict[str, Any], output: Path | None,
                   parent_ids: list[str] | None, run_id: str | None, progress: Any = None) -> Any:
    from genloom.api import Result, record_files
    from genloom.store.files import atomic_write_bytes

    seed = int(params.get("seed", 0))
    data = _pixels(prompt, seed)
    gid, ids, paths = record_files(
        kind="image", task="image", model_id=model or "fake-image", prompt=prompt, params=params,
        files=[{"data": data, "mime": "image/png", "ext": ".png"}], seed=seed, parent_ids=parent_ids,
        run_id=run_id, meta={"worker_pid": os.getpid()},
    )
    if output is not None:
        atomic_write_bytes(Path(output), data)
        paths = [Path(output)]
    return Result(kind="image", generation_id=gid, model_id=model or "fake-image", asset_ids=ids, paths=paths,
                  meta={"pid": os.getpid(), "seed": seed})


def run_crashy(prompt: str, **kw: Any) -> Any:
    """First attempt announces its pid in a marker file and hangs until killed; retries succeed."""
    marker = Path(kw["params"]["marker"])
    if not marker.exists():
        import ray

        marker.write_text(f"{os.getpid()} {ray.get_runtime_context().get_node_id()}")
        time.sleep(120)
    return run_fake_image(prompt, **kw)


def run_slow(prompt: str, **kw: Any) -> Any:
    time.sleep(float(kw["params"].get("sleep", 0.5)))
    return run_fake_image(prompt, **kw)


def run_failing(prompt: str, **kw: Any) -> Any:
    from genloom.errors import InvalidInput

    raise InvalidInput(f"fake runner refuses {prompt!r}", hint="ask nicely", param="prompt")
