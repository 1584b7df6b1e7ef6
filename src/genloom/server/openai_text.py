"""``/v1/models``, ``/v1/chat/completions`` and ``/v1/completions``.

Thin on purpose: parameters are mapped once onto :class:`GenerationParams`,
the library's own :func:`genloom.text.api.chat`/``generate`` do the work (and
record provenance), and tokens are forwarded as they come.
"""

from __future__ import annotations

import queue
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from genloom.models.card import Kind
from genloom.server.common import SSE_HEADERS, iterate_in_thread, resolve_model, sse, state
from genloom.server.errors import APIError
from genloom.server.schemas import ChatMessage, ChatRequest, CompletionRequest

router = APIRouter(tags=["openai"])


@router.get("/v1/models", summary="List models (each with its output kind)")
def list_models(request: Request) -> dict[str, Any]:
    from genloom.models.registry import get_registry

    registry = get_registry()
    data = []
    for card in registry.cards():
        data.append({
            "id": card.id, "object": "model", "created": 0, "owned_by": card.source or "genloom",
            "kind": card.kind.value, "also": [k.value for k in card.also], "tasks": card.tasks,
            "aliases": card.aliases, "installed": card.installed_status(), "license": card.license,
            "size_bytes": card.size_bytes, "context_length": card.context_length,
        })
    aliases = {}
    for alias, target in state(request).settings.aliases.items():
        aliases[alias] = target
    return {"object": "list", "data": data, "aliases": aliases}


@router.get("/v1/models/{model_id:path}", summary="One model")
def get_model_info(model_id: str, request: Request) -> dict[str, Any]:
    from genloom.models.registry import get_registry

    target = state(request).settings.aliases.get(model_id, model_id)
    registry = get_registry()
    card = registry.default_card(target) if target in Kind.__members__ else registry.card(target)
    return {"id": card.id, "object": "model", "created": 0, "owned_by": card.source or "genloom",
            "kind": card.kind.value, "installed": card.installed_status()}


# -- parameters -----------------------------------------------------------

def _messages(items: list[ChatMessage]) -> list[dict[str, str]]:
    out = []
    for m in items:
        if isinstance(m.content, list):
            texts = [p.text or "" for p in m.content if p.type in ("text", "input_text")]
            if len(texts) != len(m.content):
                raise APIError("Only text content parts are supported", status=400, code="unsupported_content",
                               param="messages", hint="send images or audio to their own endpoints")
            content = "".join(texts)
        else:
            content = m.content or ""
        role = {"developer": "system"}.get(m.role, m.role)
        if role in ("tool", "function"):
            role, content = "user", f"Tool result{f' from {m.name}' if m.name else ''}:\n{content}"
        out.append({"role": role, "content": content})
    return out


def _params(body: ChatRequest | CompletionRequest) -> dict[str, Any]:
    stop = [body.stop] if isinstance(body.stop, str) else body.stop
    options: dict[str, Any] = {
        "temperature": body.temperature, "top_p": body.top_p,
        "max_tokens": getattr(body, "max_completion_tokens", None) or body.max_tokens,
        "stop": stop, "seed": body.seed % 2**32 if body.seed is not None else None,
        "presence_penalty": body.presence_penalty, "frequency_penalty": body.frequency_penalty,
    }
    fmt = getattr(body, "response_format", None)
    if fmt is not None and fmt.type == "json_object":
        options["json_object"] = True
    elif fmt is not None and fmt.type == "json_schema":
        schema = fmt.json_schema.schema_ if fmt.json_schema else None
        if not schema:
            raise APIError("response_format json_schema needs json_schema.schema", status=400,
                           code="invalid_value", param="response_format.json_schema")
        options["json_schema"] = schema
    from genloom.text.params import GenerationParams

    GenerationParams.build(**options)  # validate now: a bad value is a 400 before any model work
    return {k: v for k, v in options.items() if v is not None}


def _check_model(model_id: str, options: dict[str, Any]) -> None:
    if not (options.get("json_object") or options.get("json_schema")):
        return
    from genloom.models.registry import get_model

    model = get_model(model_id, Kind.text)
    if not getattr(model, "supports_schema", False):
        raise APIError(f"Model {model_id!r} cannot constrain its output to JSON", status=400,
                       code="response_format_unsupported", param="response_format",
                       hint="use a GGUF (llama.cpp) model")


def _seed_for(options: dict[str, Any], i: int) -> dict[str, Any]:
    # Each of the n choices gets its own seed, derived from the request's.
    if i and options.get("seed") is not None:
        return {**options, "seed": (options["seed"] + i) % 2**32}
    return options


def _usage(prompt: int, completion: int) -> dict[str, int]:
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


# -- generation in a worker thread -----------------------------------------

def _merge(streams: list[Callable[[], Iterator[tuple[Any, ...]]]], width: int) -> Iterator[tuple[Any, ...]]:
    """The events of several sequences (``n`` choices, prompts), ``width`` of them generating at once.

    With a model that decodes several sequences per batch the choices share its
    batches; with ``width`` 1 they run one after the other. Closing the merged
    stream stops every sequence at its next token.
    """
    if width <= 1 or len(streams) <= 1:
        for make in streams:
            yield from make()
        return
    events: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
    stop = threading.Event()
    todo = iter(streams)
    take = threading.Lock()

    def worker() -> None:
        try:
            while not stop.is_set():
                with take:
                    make = next(todo, None)
                if make is None:
                    return
                it = make()
                try:
                    for ev in it:
                        events.put(("ev", ev))
                        if stop.is_set():
                            return
                finally:
                    it.close()
        except BaseException as exc:  # handed to the consumer, raised there
            stop.set()
            events.put(("error", exc))
        finally:
            events.put(("end", None))

    threads = [threading.Thread(target=worker, name="genloom-choice", daemon=True)
               for _ in range(min(width, len(streams)))]
    for t in threads:
        t.start()
    running = len(threads)
    try:
        while running:
            tag, value = events.get()
            if tag == "ev":
                yield value
            elif tag == "error":
                raise value
            else:
                running -= 1
    finally:
        stop.set()


def _chat_events(model_id: str, messages: list[dict[str, str]], options: dict[str, Any], n: int,
                 log_extra: dict[str, Any], width: int = 1) -> Iterator[tuple[Any, ...]]:
    from genloom.text.api import chat

    _check_model(model_id, options)

    def choice(i: int) -> Callable[[], Iterator[tuple[Any, ...]]]:
        def events() -> Iterator[tuple[Any, ...]]:
            resp = chat(messages=messages, model=model_id, extra=log_extra, **_seed_for(options, i))
            for piece in resp:
                yield ("delta", i, piece)
            yield ("done", i, resp.finish_reason or "stop", resp.prompt_tokens or 0, resp.completion_tokens or 0,
                   resp.generation_id)
        return events

    yield from _merge([choice(i) for i in range(n)], width)


def _completion_events(model_id: str, prompts: list[str], options: dict[str, Any], n: int,
                       width: int = 1) -> Iterator[tuple[Any, ...]]:
    from genloom.text.api import generate

    _check_model(model_id, options)

    def choice(index: int, prompt: str, i: int) -> Callable[[], Iterator[tuple[Any, ...]]]:
        def events() -> Iterator[tuple[Any, ...]]:
            resp = generate(prompt, model=model_id, **_seed_for(options, i))
            for piece in resp:
                yield ("delta", index, piece)
            yield ("done", index, resp.finish_reason or "stop", resp.prompt_tokens or 0,
                   resp.completion_tokens or 0, resp.generation_id)
        return events

    yield from _merge([choice(k * n + i, p, i) for k, p in enumerate(prompts) for i in range(n)], width)


def _width(model_id: str, sequences: int) -> int:
    """How many of a request's sequences run at once: as many as the model decodes together."""
    from genloom.server.queue import parallelism

    return max(1, min(sequences, parallelism(model_id)))


def _collect(events: Iterator[tuple[Any, ...]]) -> tuple[dict[int, list[str]], dict[int, str], list[int], list[str]]:
    texts: dict[int, list[str]] = {}
    finish: dict[int, str] = {}
    usage = [0, 0]
    gids: list[str] = []
    for ev in events:
        if ev[0] == "delta":
            texts.setdefault(ev[1], []).append(ev[2])
        else:
            texts.setdefault(ev[1], [])
            finish[ev[1]] = ev[2]
            usage[0] += ev[3]
            usage[1] += ev[4]
            if ev[5]:
                gids.append(ev[5])
    return texts, finish, usage, gids


async def _stream(request: Request, model_id: str, make: Any, chunk: Any, include_usage: bool,
                  units: int = 1) -> StreamingResponse:
    """Hold the model's slots for the whole stream; errors before the first token keep their status."""
    slot = state(request).scheduler.slot(model_id, units=units)
    await slot.__aenter__()
    cancel = threading.Event()
    events = iterate_in_thread(make, cancel)
    try:
        first = await events.__anext__()
    except StopAsyncIteration:
        first = None
    except BaseException as exc:
        await events.aclose()
        await slot.__aexit__(type(exc), exc, None)
        raise

    async def body() -> AsyncIterator[bytes]:
        usage = [0, 0]
        started: set[int] = set()
        try:
            ev = first
            while ev is not None:
                if ev[1] not in started:
                    started.add(ev[1])
                    yield sse(chunk(ev[1], None, None, first=True))
                if ev[0] == "delta":
                    yield sse(chunk(ev[1], ev[2], None))
                else:
                    usage[0] += ev[3]
                    usage[1] += ev[4]
                    yield sse(chunk(ev[1], None, ev[2]))
                ev = await events.__anext__()
        except StopAsyncIteration:
            pass
        except Exception as exc:  # mid-stream failure: the status is already sent, so say it in-band
            from genloom.errors import GenloomError

            err = exc if isinstance(exc, GenloomError) else None
            yield sse({"error": {"message": str(exc), "type": err.type if err else "server_error",
                                 "param": None, "code": err.code if err else "internal_error"}})
        finally:
            await events.aclose()
            await slot.__aexit__(None, None, None)
        if include_usage:
            yield sse(chunk(None, None, None, usage=_usage(*usage)))
        yield b"data: [DONE]\n\n"

    return StreamingResponse(body(), media_type="text/event-stream", headers=SSE_HEADERS)


STREAMABLE = {200: {"description": "A completion, or SSE chunks when stream=true",
                    "content": {"application/json": {}, "text/event-stream": {}}}}


@router.post("/v1/chat/completions", summary="Chat completion (OpenAI-compatible; SSE when stream=true)",
             responses=STREAMABLE)
async def chat_completions(body: ChatRequest, request: Request) -> Any:
    model_id = resolve_model(request, body.model, Kind.text)
    messages = _messages(body.messages)
    from genloom.text.params import as_messages

    as_messages(messages=messages)  # empty conversation -> 400 now
    options = _params(body)
    cid = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    extra = {"api": "chat.completions"}
    width = _width(model_id, body.n)

    def make() -> Iterator[tuple[Any, ...]]:
        return _chat_events(model_id, messages, options, body.n, extra, width)

    if body.stream:
        def chunk(i: int | None, text: str | None, finish: str | None, first: bool = False,
                  usage: dict[str, int] | None = None) -> dict[str, Any]:
            out: dict[str, Any] = {"id": cid, "object": "chat.completion.chunk", "created": created,
                                   "model": model_id, "system_fingerprint": "genloom"}
            if usage is not None:
                out["choices"], out["usage"] = [], usage
                return out
            delta: dict[str, Any] = {"role": "assistant", "content": ""} if first else (
                {"content": text} if text is not None else {})
            out["choices"] = [{"index": i, "delta": delta, "logprobs": None, "finish_reason": finish}]
            return out

        include = bool(body.stream_options and body.stream_options.include_usage)
        return await _stream(request, model_id, make, chunk, include, width)

    async with state(request).scheduler.slot(model_id, units=width):
        texts, finish, usage, gids = await anyio.to_thread.run_sync(lambda: _collect(make()))
    return {
        "id": cid, "object": "chat.completion", "created": created, "model": model_id,
        "system_fingerprint": "genloom",
        "choices": [{"index": i, "message": {"role": "assistant", "content": "".join(texts[i]), "refusal": None},
                     "logprobs": None, "finish_reason": finish.get(i, "stop")} for i in sorted(texts)],
        "usage": _usage(*usage),
        "genloom": {"generation_ids": gids},
    }


@router.post("/v1/completions", summary="Text completion (OpenAI-compatible; SSE when stream=true)",
             responses=STREAMABLE)
async def completions(body: CompletionRequest, request: Request) -> Any:
    model_id = resolve_model(request, body.model, Kind.text)
    prompts = [body.prompt] if isinstance(body.prompt, str) else list(body.prompt)
    if not prompts or len(prompts) > 16:
        raise APIError("prompt must be a string or a list of 1 to 16 strings", status=400, code="invalid_value",
                       param="prompt")
    if any(not p.strip() for p in prompts):
        raise APIError("The prompt is empty", status=400, code="empty_prompt", param="prompt")
    if body.suffix:
        raise APIError("suffix (fill-in-the-middle) is not supported", status=400, code="unsupported_parameter",
                       param="suffix")
    options = _params(body)
    cid = f"cmpl-{uuid.uuid4().hex}"
    created = int(time.time())

    width = _width(model_id, len(prompts) * body.n)

    def make() -> Iterator[tuple[Any, ...]]:
        return _completion_events(model_id, prompts, options, body.n, width)

    def prefix(i: int) -> str:
        return prompts[i // body.n] if body.echo else ""

    if body.stream:
        def chunk(i: int | None, text: str | None, finish: str | None, first: bool = False,
                  usage: dict[str, int] | None = None) -> dict[str, Any]:
            out: dict[str, Any] = {"id": cid, "object": "text_completion", "created": created, "model": model_id}
            if usage is not None:
                out["choices"], out["usage"] = [], usage
                return out
            piece = prefix(i) if first else (text or "")
            out["choices"] = [{"index": i, "text": piece, "logprobs": None, "finish_reason": finish}]
            return out

        include = bool(body.stream_options and body.stream_options.include_usage)
        return await _stream(request, model_id, make, chunk, include, width)

    async with state(request).scheduler.slot(model_id, units=width):
        texts, finish, usage, gids = await anyio.to_thread.run_sync(lambda: _collect(make()))
    return {
        "id": cid, "object": "text_completion", "created": created, "model": model_id,
        "choices": [{"index": i, "text": prefix(i) + "".join(texts[i]), "logprobs": None,
                     "finish_reason": finish.get(i, "stop")} for i in sorted(texts)],
        "usage": _usage(*usage),
        "genloom": {"generation_ids": gids},
    }
