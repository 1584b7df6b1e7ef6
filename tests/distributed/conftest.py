"""A real local Ray cluster for the distributed tests, started once per test module.

Kept small for a 2-core machine: 2 CPUs, no dashboard, a 200 MB object store.
The fake runners module is put on PYTHONPATH before Ray starts, so the worker
processes Ray spawns can import it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(HERE), os.environ.get("PYTHONPATH", "")) if p)


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[Any]:
    ray = pytest.importorskip("ray")
    from genloom.distributed.ray_backend import connect

    started = connect(None, num_cpus=2, object_store_memory=200 * 1024 * 1024)
    yield ray
    import genloom.distributed as dist

    dist.shutdown()
    if started and ray.is_initialized():
        ray.shutdown()
    import time

    from genloom.distributed.capture import _remove_stale_scratch

    time.sleep(0.5)  # let killed workers exit, then drop the scratch folders they left
    _remove_stale_scratch()


@pytest.fixture
def fake_runners(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    import ray_fakes

    from genloom import api

    monkeypatch.setitem(api.RUNNERS, "image", ray_fakes.FAKE_IMAGE)
    return {"image": ray_fakes.FAKE_IMAGE, "crashy": ray_fakes.CRASHY, "failing": ray_fakes.FAILING,
            "slow": ray_fakes.SLOW}
