"""Per-model admission: as many sequences at a time as the model decodes at
once (its ``parallel`` setting: 1 for most backends, K continuous-batching
slots for xllamacpp), a bounded FIFO queue in front of it, 429 +
``Retry-After`` when the queue is full, idle unloading and a memory budget
when switching models.

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
    """A fair FIFO semaphore with a bounded number of waiters.

    A request may take several units (one per sequence it generates at once,
    e.g. ``n`` choices); a waiter is served only when the one before it has
    been, so a large request is not starved by small ones behind it.
    """

    def __init__(self, model_id: str, slots: int, max_waiting: int):
        self.model_id = model_id
        self.slots = max(1, slots)
        self.max_waiting = max_waiting
        self.active = 0
        self.waiters: deque[tuple[asyncio.Future[None], int]] = deque()
        self.avg_s = 2.0  # running estimate of one job's duration, for Retry-After
        self.last_used = time.monotonic()
        self.served = 0
        self.rejected = 0
        self.peak_waiting = 0

    def retry_after(self) -> int:
        return max(1, math.ceil(self.avg_s * (len(self.waiters) + 1) / self.slots))

    async def acquire(self, units: int = 1) -> int:
        """Take ``units`` slots (capped at the gate's size); returns how many were taken."""
        units = max(1, min(units, self.slots))
        if self.active + units <= self.slots and not self.waiters:
            self.active += units
            return units
        if len(self.waiters) >= self.max_waiting:
            self.rejected += 1
            raise QueueFull(self.model_id, self.retry_after())
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (fut, units)
        self.waiters.append(entry)
        self.peak_waiting = max(self.peak_waiting, len(self.waiters))
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                # The slots were handed to us just as we were cancelled: pass them on.
                self._release_slots(units)
            else:
                try:
                    self.waiters.remove(entry)
                except ValueError:
                    pass
                self._wake()  # a big waiter leaving may let smaller ones behind it in
            raise
        return units

    def _wake(self) -> None:
        """Hand free slots to waiters in FIFO order while the head one fits."""
        while self.waiters:
            fut, units = self.waiters[0]
            if fut.done():
                self.waiters.popleft()
                continue
            if self.active + min(units, self.slots) > self.slots:
                return
            self.waiters.popleft()
            self.active += min(units, self.slots)
            fut.set_result(None)

    def _release_slots(self, units: int) -> None:
        self.active = max(0, self.active - units)
        self._wake()

    def release(self, duration_s: float, units: int = 1) -> None:
        self.avg_s = 0.8 * self.avg_s + 0.2 * max(0.01, duration_s)
        self.last_used = time.monotonic()
        self.served += 1
        self._release_slots(units)

    def resize(self, slots: int) -> None:
        """Follow the model's parallelism once it is known (e.g. after loading)."""
        slots = max(1, slots)
        if slots != self.slots:
            self.slots = slots
            self._wake()

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

    def gate(self, model_id: str, slots: int | None = None) -> Gate:
        """``model_id``'s gate, sized to the sequences the model decodes at once."""
        size = parallelism(model_id) if slots is None else slots
        gate = self.gates.get(model_id)
        if gate is None:
            gate = self.gates[model_id] = Gate(model_id, size, self.settings.queue_size)
        else:
            gate.resize(size)
        return gate

    @asynccontextmanager
    async def slot(self, model_id: str, *, slots: int | None = None, units: int = 1) -> AsyncIterator[Gate]:
        """Hold ``units`` of ``model_id``'s slots for the body of the ``async with``."""
        gate = self.gate(model_id, slots)
        taken = await gate.acquire(units)
        start = time.monotonic()
        try:
            self.make_room(model_id)
            yield gate
        finally:
            if slots is None:
                gate.resize(parallelism(model_id))  # the model may have loaded meanwhile
            gate.release(time.monotonic() - start, taken)

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
        # A background job may be generating with it outside any gate.
        model = registry._loaded.get(model_id)
        busy = getattr(model, "busy", None)
        if isinstance(busy, bool):
            return busy
        lock = getattr(model, "_lock", None)  # models that hold a lock while they work
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


def parallelism(model_id: str) -> int:
    """Sequences ``model_id`` decodes at once: the loaded model's, else what loading will give."""
    from genloom.models.registry import get_registry

    registry = get_registry()
    model = registry._loaded.get(model_id)
    if model is not None:
        return max(1, int(getattr(model, "parallel", 1) or 1))
    from genloom.errors import GenloomError

    try:
        card = registry.card(model_id)
    except GenloomError:  # not a registry model (e.g. a gate keyed by a kind): one at a time
        return 1
    from genloom.backends.gguf_runtime import expected_parallel

    return expected_parallel(card)


def _size(registry: Any, model_id: str) -> int:
    try:
        return registry.card(model_id).size_bytes or 0
    except Exception:  # a model unregistered since it was loaded
        return 0
