"""Per-model admission: one generation at a time per loaded model, a bounded
FIFO queue in front of it, 429 + ``Retry-After`` when the queue is full, idle
unloading and a memory budget when switching models.

Gates live on the event loop (no thread is parked per waiting request); the
work itself runs in threads, and the slot is released from the loop when the
work (or the stream) ends.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from genloom.server.errors import APIError
from genloom.server.settings import Settings

log = logging.getLogger("genloom.server")


class QueueFull(APIError):
    def __init__(self, model_id: str, retry_after: int):
        super().__init__(
            f"Model {model_id!r} is busy and its queue is full", status=429, code="queue_full",
            type="rate_limit_error", headers={"Retry-After": str(retry_after)},
            hint=f"retry in {retry_after} s",
        )


class Gate:
    """A fair FIFO semaphore with a bounded number of waiters."""

    def __init__(self, model_id: str, slots: int, max_waiting: int):
        self.model_id = model_id
        self.slots = max(1, slots)
        self.max_waiting = max_waiting
        self.active = 0
        self.waiters: deque[asyncio.Future[None]] = deque()
        self.avg_s = 2.0  # running estimate of one job's duration, for Retry-After
        self.last_used = time.monotonic()
        self.served = 0
        self.rejected = 0
        self.peak_waiting = 0

    def retry_after(self) -> int:
        return max(1, math.ceil(self.avg_s * (len(self.waiters) + 1) / self.slots))

    async def acquire(self) -> None:
        if self.active < self.slots and not self.waiters:
            self.active += 1
            return
        if len(self.waiters) >= self.max_waiting:
            self.rejected += 1
            raise QueueFull(self.model_id, self.retry_after())
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiters.append(fut)
        self.peak_waiting = max(self.peak_waiting, len(self.waiters))
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                # The slot was handed to us just as we were cancelled: pass it on.
                self._release_slot()
            else:
                try:
                    self.waiters.remove(fut)
                except ValueError:
                    pass
            raise

    def _release_slot(self) -> None:
        while self.waiters:
            fut = self.waiters.popleft()
            if not fut.done():
                fut.set_result(None)  # the slot moves to the next waiter; active is unchanged
                return
        self.active -= 1

    def release(self, duration_s: float) -> None:
        self.avg_s = 0.8 * self.avg_s + 0.2 * max(0.01, duration_s)
        self.last_used = time.monotonic()
        self.served += 1
        self._release_slot()

    @property
    def busy(self) -> bool:
        return self.active > 0 or bool(self.waiters)

    def stats(self) -> dict[str, Any]:
        return {"model": self.model_id, "active": self.active, "waiting": len(self.waiters),
                "slots": self.slots, "queue_size": self.max_waiting, "served": self.served,
                "rejected": self.rejected, "peak_waiting": self.peak_waiting, "avg_seconds": round(self.avg_s, 3)}


class Scheduler:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.gates: dict[str, Gate] = {}
        self._task: asyncio.Task[None] | None = None

    def gate(self, model_id: str, slots: int = 1) -> Gate:
        gate = self.gates.get(model_id)
        if gate is None:
            gate = self.gates[model_id] = Gate(model_id, slots, self.settings.queue_size)
        return gate

    @asynccontextmanager
    async def slot(self, model_id: str, *, slots: int = 1) -> AsyncIterator[Gate]:
        """Hold ``model_id``'s slot for the body of the ``async with``."""
        gate = self.gate(model_id, slots)
        await gate.acquire()
        start = time.monotonic()
        try:
            self.make_room(model_id)
            yield gate
        finally:
            gate.release(time.monotonic() - start)

    # -- memory ---------------------------------------------------------
    def make_room(self, model_id: str) -> None:
        """Unload least recently used idle models until ``model_id`` fits the budget."""
        from genloom.models.registry import get_registry

        registry = get_registry()
        loaded = registry.loaded()
        if model_id in loaded:
            return
        try:
            need = registry.card(model_id).size_bytes or 0
        except Exception:  # not a registry model (e.g. a speech voice): nothing to budget
            return
        sizes = {m: _size(registry, m) for m in loaded}
        total = sum(sizes.values()) + need
        if total <= self.settings.memory_budget_bytes:
            return
        idle = sorted((m for m in sizes if not self._busy(registry, m)),
                      key=lambda m: self.gates[m].last_used if m in self.gates else 0.0)
        for m in idle:
            if total <= self.settings.memory_budget_bytes:
                break
            log.info("unloading %s to stay within the memory budget", m)
            registry.unload(m)
            total -= sizes[m]

    def unload_idle(self, now: float | None = None) -> list[str]:
        if self.settings.idle_unload_s <= 0:
            return []
        from genloom.models.registry import get_registry

        registry = get_registry()
        now = time.monotonic() if now is None else now
        gone = []
        for m in registry.loaded():
            gate = self.gates.get(m)
            # Models no HTTP request has used (loaded by a job) have no idle clock here.
            if gate is None or self._busy(registry, m):
                continue
            if now - gate.last_used >= self.settings.idle_unload_s:
                log.info("unloading %s after %.0f s idle", m, now - gate.last_used)
                registry.unload(m)
                gone.append(m)
        return gone

    def _busy(self, registry: Any, model_id: str) -> bool:
        gate = self.gates.get(model_id)
        if gate is not None and gate.busy:
            return True
        # A background job may be generating with it outside any gate: llama.cpp
        # models hold their lock for the whole generation.
        lock = getattr(registry._loaded.get(model_id), "_lock", None)
        return bool(lock is not None and hasattr(lock, "locked") and lock.locked())

    async def _reaper(self) -> None:
        period = max(1.0, min(60.0, self.settings.idle_unload_s / 4))
        while True:
            await asyncio.sleep(period)
            try:
                self.unload_idle()
            except Exception:  # pragma: no cover - never let the reaper die
                log.exception("idle unload failed")

    def start(self) -> None:
        if self.settings.idle_unload_s > 0 and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._reaper())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    def stats(self) -> list[dict[str, Any]]:
        return [g.stats() for g in self.gates.values()]


def _size(registry: Any, model_id: str) -> int:
    try:
        return registry.card(model_id).size_bytes or 0
    except Exception:  # a model unregistered since it was loaded
        return 0
