"""Helpers shared by the route modules: model names, thread-to-async streams, SSE."""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import json
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from fastapi import Request

from genloom.jobs import jsonable  # noqa: F401 - re-exported for the route modules
from genloom.models.card import Kind
from genloom.server.errors import APIError, not_implemented


def state(request: Request) -> Any:
    return request.app.state.genloom


def resolve_model(request: Request, name: str | None, kind: Kind | str) -> str:
    """A registry id for ``name``: an id, an alias, a kind, or an OpenAI name.

    Only names are accepted: a request can never point the server at a path.
    """
    from genloom.models.registry import get_registry

    kind = Kind(kind)
    registry = get_registry()
    if not name:
        return registry.default_card(kind).id
    target = state(request).settings.aliases.get(name, name)
    if target in Kind.__members__:
        if Kind(target) == kind or {Kind(target), kind} == {Kind.text, Kind.code}:
            return registry.default_card(kind).id
        raise APIError(f"Model {name!r} makes {target}, not {kind.value}", status=400, code="model_not_supported",
                       param="model", hint=f"pick a {kind.value} model from GET /v1/models")
    card = registry.card(target)
    if not card.serves(kind):
        raise APIError(f"Model {card.id!r} makes {card.kind.value}, not {kind.value}", status=400,
                       code="model_not_supported", param="model",
                       hint=f"pick a {kind.value} model from GET /v1/models")
    return card.id


def require_module(module: str, what: str) -> Any:
    """Import a generator module, or raise a 501 naming what is missing."""
    try:
        if importlib.util.find_spec(module) is None:
            raise not_implemented(what, module)
    except ModuleNotFoundError:
        raise not_implemented(what, module) from None
    return importlib.import_module(module)


def has_runner(kind: str) -> bool:
    from genloom.api import RUNNERS

    return kind in RUNNERS


_END = object()


async def iterate_in_thread(make: Callable[[], Iterator[Any]], cancel: threading.Event) -> AsyncIterator[Any]:
    """Run a blocking iterator in its own thread and yield its items on the loop.

    One thread per stream (not a thread-pool hop per item) keeps per-token
    overhead to a ``call_soon_threadsafe``. Setting ``cancel`` (the client went
    away) closes the iterator at the next item, which frees the model.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

    def put(tag: str, value: Any) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, (tag, value))
        except RuntimeError:  # loop closed: nobody is listening any more
            pass

    def work() -> None:
        it: Iterator[Any] | None = None
        try:
            it = make()
            for item in it:
                put("item", item)
                if cancel.is_set():
                    break
        except BaseException as exc:  # handed to the consumer, raised there
            put("error", exc)
        finally:
            close = getattr(it, "close", None)
            if callable(close):
                try:
                    close()
                except Exception:
                    pass
            put("end", None)

    threading.Thread(target=work, name="genloom-stream", daemon=True).start()
    try:
        while True:
            tag, value = await queue.get()
            if tag == "item":
                yield value
            elif tag == "error":
                raise value
            else:
                return
    finally:
        cancel.set()


def sse(data: Any) -> bytes:
    payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"), default=str)
    return f"data: {payload}\n\n".encode()


SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
