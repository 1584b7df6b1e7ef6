"""Run ``genloom.api.create`` calls on a Ray cluster, on model actors reused across jobs.

One actor (or ``replicas`` actors) per model id holds that model loaded, so the
second job for a model pays no load time. An actor asks Ray for the resources
its model card says it needs (CPU, GPU, memory from the weights' size), so Ray
places it on a node that has them. A killed actor process is restarted by Ray
(``max_restarts``) and its in-flight call is retried (``max_task_retries``),
on another node if its own is gone. Results come back as bytes and are
recorded by the driver (:mod:`genloom.distributed.capture`), so provenance is
identical to an in-process run.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genloom.distributed.capture import Scratch, call_captured, driver_env, import_packed
from genloom.errors import BackendUnavailable, InvalidInput

NAMESPACE = "genloom"
REQUEST_TARGET = "genloom.distributed.capture:run_request"
MIB = 1024 * 1024


def _ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise BackendUnavailable("Ray is not installed", hint="pip install 'genloom[ray]'") from exc
    return ray


def connect(address: str | None = None, *, num_cpus: int | None = None,
            object_store_memory: int | None = None) -> bool:
    """Join the Ray cluster at ``address`` ("auto", "HOST:PORT", "ray://...") or start a local one.

    Returns True when this call started a local cluster (the caller owns it).
    Reuses an existing connection in this process.
    """
    ray = _ray()
    if ray.is_initialized():
        return False
    address = address or os.environ.get("GENLOOM_RAY_ADDRESS") or None
    if address and address != "local":
        try:
            ray.init(address=address, namespace=NAMESPACE, log_to_driver=False)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise BackendUnavailable(f"Cannot connect to the Ray cluster at {address!r}: {exc}",
                                     hint="start one with 'ray start --head' or pass --ray without an address "
                                          "to run a local one") from exc
        return False
    # A local cluster sized for a laptop: no dashboard, a small object store.
    ray.init(
        num_cpus=num_cpus or int(os.environ.get("GENLOOM_RAY_CPUS", 0)) or os.cpu_count() or 1,
        include_dashboard=False,
        object_store_memory=object_store_memory or int(os.environ.get("GENLOOM_RAY_OBJECT_STORE_MB", 200)) * MIB,
        namespace=NAMESPACE,
        log_to_driver=False,
        configure_logging=False,
    )
    return True


def resources_for(model_id: str | None, kind: str) -> dict[str, Any]:
    """Ray actor options for a model: the CPUs, GPUs and memory its card asks for.

    CPUs are reserved only when the card says so (``options.num_cpus``): an actor
    holds its reservation for its whole life, so reserving a core per loaded
    model would let a few idle models block every other one on a small
    cluster. Without it Ray still needs a node with a CPU to place the actor.
    """
    try:
        from genloom.models.registry import get_registry

        registry = get_registry()
        card = registry.card(model_id) if model_id else registry.default_card(kind)
    except Exception:  # unknown to the driver: the worker will say so if it matters
        return {}
    opts = card.options or {}
    res: dict[str, Any] = {}
    if opts.get("num_cpus"):
        res["num_cpus"] = float(opts["num_cpus"])
    if opts.get("num_gpus"):
        res["num_gpus"] = float(opts["num_gpus"])
    if card.size_bytes:
        # Weights plus working memory; Ray places the actor only where that fits.
        res["memory"] = int(card.size_bytes * 1.5) + 256 * MIB
    return res


def _actor_class() -> Any:
    ray = _ray()

    @ray.remote(max_restarts=-1, max_task_retries=3)
    class ModelActor:
        """Keeps models loaded between calls (the registry caches them in this process)."""

        def __init__(self, model_key: str, reserved_cpus: float = 0.0):
            self.model_key = model_key
            if not reserved_cpus:
                # Ray pins OMP_NUM_THREADS=1 in actors that reserve no CPU; a model
                # runs with the threads it would use in-process instead.
                os.environ.pop("OMP_NUM_THREADS", None)
            self.scratch = Scratch()
            self.calls = 0

        def run(self, target: str, prompt: str, kind: str, model: str | None, params: dict[str, Any],
                output_name: str | None, parent_ids: list[str] | None, run_id: str | None,
                env: dict[str, str]) -> dict[str, Any]:
            self.calls += 1
            packed = call_captured(self.scratch, target, prompt, kind=kind, model=model, params=params,
                                   output_name=output_name, parent_ids=parent_ids, run_id=run_id, env=env)
            packed["worker"] = {"pid": os.getpid(), "node": ray.get_runtime_context().get_node_id(),
                                "calls": self.calls}
            return packed

        def info(self) -> dict[str, Any]:
            return {"pid": os.getpid(), "node": ray.get_runtime_context().get_node_id(), "calls": self.calls,
                    "model": self.model_key}

    return ModelActor


@dataclass
class _Pool:
    actors: list[Any]
    busy: list[int]
    last_used: float = field(default_factory=time.monotonic)
    resources: dict[str, Any] = field(default_factory=dict)


@dataclass
class Pending:
    """A submitted call: wait on :attr:`ref`, then :meth:`RayRunner.result`."""

    ref: Any
    output: Path | None
    pool_key: str
    slot: int
    tag: Any = None


class RayRunner:
    """Callable like :func:`genloom.api.create`, executing on Ray model actors."""

    def __init__(self, address: str | None = None, *, replicas: int | None = None, num_cpus: int | None = None):
        self.started_local = connect(address, num_cpus=num_cpus)
        self.ray = _ray()
        self.replicas = max(1, replicas or int(os.environ.get("GENLOOM_RAY_REPLICAS", 1)))
        self._pools: dict[str, _Pool] = {}
        self._lock = threading.Lock()
        self._cls = _actor_class()

    # -- actors --------------------------------------------------------------------
    def _key(self, kind: str, model: str | None) -> str:
        if kind == "request":
            return "brain"
        # Aliases resolve to the card id, so one model never gets two actors.
        try:
            from genloom.models.registry import get_registry

            registry = get_registry()
            return registry.card(model).id if model else registry.default_card(kind).id
        except Exception:
            return model or f"default-{kind}"

    def _pool(self, key: str, kind: str, model: str | None) -> _Pool:
        pool = self._pools.get(key)
        if pool is not None:
            return pool
        res = resources_for(model, kind) if kind != "request" else {}
        self._evict_for(res)
        opts = {k: v for k, v in res.items() if v}
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in key)
        actors = [
            self._cls.options(name=f"genloom-{safe}-{i}-{os.getpid()}", **opts).remote(key, float(res.get("num_cpus", 0)))
            for i in range(self.replicas)
        ]
        pool = _Pool(actors=actors, busy=[0] * len(actors), resources=res)
        self._pools[key] = pool
        return pool

    def _evict_for(self, res: dict[str, Any]) -> None:
        """Free idle model actors (least recently used first) until the new one's reservation fits."""
        if not res:
            return
        total = self.ray.cluster_resources()
        names = {"num_cpus": "CPU", "num_gpus": "GPU", "memory": "memory"}
        while True:
            fits = True
            for opt, name in names.items():
                need = res.get(opt, 0) * self.replicas
                used = sum(p.resources.get(opt, 0) * len(p.actors) for p in self._pools.values())
                if need and used + need > total.get(name, 0) + 1e-9:
                    fits = False
            if fits:
                return
            idle = [(p.last_used, k) for k, p in self._pools.items() if not any(p.busy)]
            if not idle:
                return  # everything is busy: the new actor waits in Ray's queue
            _, victim = min(idle)
            for actor in self._pools.pop(victim).actors:
                self.ray.kill(actor, no_restart=True)

    def default_in_flight(self) -> int:
        """How many calls to keep running at once: one per CPU in the cluster.

        Model actors reserve no CPU (see :func:`resources_for`) and each uses
        its node's cores, so more calls than CPUs only oversubscribe them
        (llama.cpp slows down several-fold when its cores are shared).
        """
        return max(1, int(self.ray.cluster_resources().get("CPU", 1)))

    def actors(self) -> dict[str, list[Any]]:
        return {k: list(p.actors) for k, p in self._pools.items()}

    # -- calls ---------------------------------------------------------------------
    def submit(self, kind: str, prompt: str, *, model: str | None = None, params: dict[str, Any] | None = None,
               output: Path | None = None, parent_ids: list[str] | None = None, run_id: str | None = None,
               tag: Any = None) -> Pending:
        from genloom.api import RUNNERS
        from genloom.models.card import KINDS

        if kind == "request":
            target = REQUEST_TARGET
        else:
            if kind not in KINDS:
                raise InvalidInput(f"Unknown output kind {kind!r}", hint=f"one of {', '.join(KINDS)}", param="kind")
            target = RUNNERS.get(kind)
            if target is None:
                raise InvalidInput(f"genloom cannot make {kind!r} output yet",
                                   hint="no generator of that kind is installed", param="kind")
        key = self._key(kind, model)
        with self._lock:
            pool = self._pool(key, kind, model)
            slot = min(range(len(pool.actors)), key=lambda i: pool.busy[i])
            pool.busy[slot] += 1
            pool.last_used = time.monotonic()
            ref = pool.actors[slot].run.remote(
                target, prompt, kind, model, dict(params or {}), Path(output).name if output else None,
                parent_ids, run_id, driver_env())
        return Pending(ref=ref, output=Path(output) if output else None, pool_key=key, slot=slot, tag=tag)

    def result(self, pending: Pending) -> Any:
        """Wait for one call and record what it made in the local store; returns a ``Result``."""
        try:
            packed = self.ray.get(pending.ref)
        except self.ray.exceptions.RayError as exc:
            from genloom.errors import GenerationFailed

            raise GenerationFailed(f"the Ray worker failed: {type(exc).__name__}: {exc}"[:2000],
                                   hint="see 'ray status' and the worker logs") from exc
        finally:
            with self._lock:
                pool = self._pools.get(pending.pool_key)
                if pool is not None and pending.slot < len(pool.busy):
                    pool.busy[pending.slot] = max(0, pool.busy[pending.slot] - 1)
                    pool.last_used = time.monotonic()
        result = import_packed(packed, pending.output)
        result.meta.setdefault("ray", packed.get("worker"))
        return result

    def wait(self, pending: Iterable[Pending], timeout: float | None = None) -> tuple[list[Pending], list[Pending]]:
        """Split into (finished, still running), returning as soon as at least one has finished."""
        items = list(pending)
        if not items:
            return [], []
        by_ref = {p.ref: p for p in items}
        done, rest = self.ray.wait(list(by_ref), num_returns=1, timeout=timeout)
        return [by_ref[r] for r in done], [by_ref[r] for r in rest]

    def __call__(self, kind: str, prompt: str, *, model: str | None = None, params: dict[str, Any] | None = None,
                 output: Path | None = None, parent_ids: list[str] | None = None, run_id: str | None = None,
                 progress: Any = None) -> Any:
        if progress:
            progress(0.0, "queued on Ray")
        result = self.result(self.submit(kind, prompt, model=model, params=params, output=output,
                                         parent_ids=parent_ids, run_id=run_id))
        if progress:
            progress(1.0, "done")
        return result

    def shutdown(self) -> None:
        """Stop this runner's actors, and the local cluster if this runner started it."""
        with self._lock:
            for pool in self._pools.values():
                for actor in pool.actors:
                    try:
                        self.ray.kill(actor, no_restart=True)
                    except Exception:
                        pass
            self._pools.clear()
        if self.started_local and self.ray.is_initialized():
            self.ray.shutdown()
            from genloom.distributed.capture import _remove_stale_scratch

            _remove_stale_scratch()
