"""Scale-out: run generations on a Ray cluster instead of in this process.

    >>> from genloom.distributed import get_runner
    >>> create = get_runner("auto")          # or None: everything in-process, as before
    >>> result = create("image", "a red fox", params={"seed": 1})

``get_runner(address)`` returns a callable with the signature of
:func:`genloom.api.create`, so a caller adopts Ray with a one-line change.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

__all__ = ["get_runner", "get_ray_runner", "shutdown"]

_runners: dict[str, Any] = {}
_lock = threading.Lock()


def get_ray_runner(address: str | None = None, **opts: Any) -> Any:
    """The process-wide :class:`~genloom.distributed.ray_backend.RayRunner` (actors reused across jobs).

    ``address``: "" or "local" starts a local cluster; "auto", "HOST:PORT" or "ray://HOST:PORT" joins one.
    """
    from genloom.distributed.ray_backend import RayRunner

    key = address or "local"
    with _lock:
        runner = _runners.get(key)
        if runner is None:
            runner = _runners[key] = RayRunner(None if key == "local" else key, **opts)
        return runner


def get_runner(ray_address: str | None) -> Callable[..., Any]:
    """``genloom.api.create`` when ``ray_address`` is None, else the same call executed on Ray."""
    if ray_address is None:
        from genloom.api import create

        return create
    return get_ray_runner(ray_address)


def shutdown() -> None:
    """Stop every Ray runner this process made (and any local cluster it started)."""
    with _lock:
        runners = list(_runners.values())
        _runners.clear()
    for runner in runners:
        runner.shutdown()
