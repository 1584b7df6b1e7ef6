"""``/v1/models``, ``/v1/chat/completions`` and ``/v1/completions``.

Thin on purpose: parameters are mapped once onto :class:`GenerationParams`,
the library's own :func:`genloom.text.api.chat`/``generate`` do the work (and
record provenance), and tokens are forwarded as they come. Tool calling is
:mod:`genloom.text.tools` (constrained decoding under the functions' schemas);
this module only translates it to OpenAI's message and chunk shapes. Both
endpoints share one response path: a :class:`_Shape` says how an event looks
as a chat or a text-completion choice.
"""

from __future__ import annotations

import queue
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
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

# OpenAI request fields genloom cannot honour: a 400 naming the field beats a
# client believing it worked. Each maps to "is it actually asked for?".
UNSUPPORTED: dict[str, Callable[[Any], bool]] = {
    "logit_bias": lambda v: bool(v),
    "logprobs": lambda v: bool(v),
    "top_logprobs": lambda v: v is not None,
    "audio": lambda v: v is not None,
    "modalities": lambda v: bool(v) and list(v) != ["text"],
    "prediction": lambda v: v is not None,
    "web_search_options": lambda v: v is not None,
    "functions": lambda v: v is not None,
    "function_call": lambda v: v is not None,
    "best_of": lambda v: v not in (None, 1),
    "reasoning_effort": lambda v: v is not None,
    "verbosity": lambda v: v is not None,
}
_HINTS = {
    "functions": "use tools (the legacy functions field is not supported)",
    "function_call": "use tool_choice (the legacy function_call field is not supported)",
    "audio": "make speech with POST /v1/audio/speech",
    "modalities": "make speech with POST /v1/audio/speech",
}
# Fields clients send as bookkeeping; accepting them changes nothing the client could notice.
HARMLESS = {"user", "metadata", "store", "service_tier", "safety_identifier", "prompt_cache_key"}


def _reject_unsupported(body: Any) -> None:
    extra = dict(body.model_extra or {})
    for name, asked in UNSUPPORTED.items():
        if name in extra and asked(extra[name]):
            raise APIError(f"{name} is not supported by genloom", status=400, code="unsupported_parameter",
                           param=name, hint=_HINTS.get(name, "remove it from the request"))
    unknown = sorted(set(extra) - set(UNSUPPORTED) - HARMLESS)
    if unknown:
        raise APIError(f"Unknown request field {unknown[0]!r}", status=400, code="unsupported_parameter",
                       param=unknown[0], hint="genloom follows the OpenAI API; remove fields it does not define")


def _text_of(m: ChatMessage) -> str:
    if not isinstance(m.content, list):
        return m.content or ""
    texts = [p.text or "" for p in m.content if p.type in ("text", "input_text")]
    if len(texts) != len(m.content):
        raise APIError("Only text content parts are supported", status=400, code="unsupported_content",
                       param="messages", hint="send images or audio to their own endpoints")
    return "".join(texts)


def _messages(items: list[ChatMessage]) -> list[dict[str, Any]]:
    """The request's messages as dicts the tool layer reads (tool calls and results kept)."""
    out = []
    for m in items:
        msg: dict[str, Any] = {"role": {"developer": "system"}.get(m.role, m.role), "content": _text_of(m)}
        if m.tool_calls:
            msg["tool_calls"] = [c.model_dump() for c in m.tool_calls]
        if m.tool_call_id:
            msg["tool_call_id"] = m.tool_call_id
        if m.name:
            msg["name"] = m.name
        out.append(msg)
    return out


def _params(body: ChatRequest | CompletionRequest) -> dict[str, Any]:
    _reject_unsupported(body)
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


def _tool_plan(body: ChatRequest, options: dict[str, Any]) -> Any:
    from genloom.text.tools import plan_tools

    tools = [t.model_dump(exclude_none=True) for t in body.tools] if body.tools else None
    choice = body.tool_choice.model_dump() if hasattr(body.tool_choice, "model_dump") else body.tool_choice
    plan = plan_tools(tools, choice, body.parallel_tool_calls)
    if plan is not None and (options.get("json_object") or options.get("json_schema")):
        raise APIError("tools cannot be combined with a JSON response_format", status=400,
                       code="unsupported_parameter", param="response_format",
                       hint="the reply is already JSON-constrained when tools are on; drop one of the two")
    return plan


def _check_model(model_id: str, options: dict[str, Any], tools: bool = False) -> None:
    if not (tools or options.get("json_object") or options.get("json_schema")):
        return
    from genloom.models.registry import get_model

    model = get_model(model_id, Kind.text)
    if not getattr(model, "supports_schema", False):
        what, param = ("call tools", "tools") if tools else ("constrain its output to JSON", "response_format")
        raise APIError(f"Model {model_id!r} cannot {what}", status=400, code=f"{param}_unsupported", param=param,
                       hint="use a GGUF (llama.cpp) model: tool calls and JSON need constrained decoding")


def _seed_for(options: dict[str, Any], i: int) -> dict[str, Any]:
    # Each of the n choices gets its own seed, derived from the request's.
    if i and options.get("seed") is not None:
        return {**options, "seed": (options["seed"] + i) % 2**32}
    return options


def _usage(prompt: int, completion: int) -> dict[str, int]:
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


# -- generation in a worker thread -----------------------------------------
# Events: ("delta", choice, text), ("calls", choice, [ToolCall]),
#         ("done", choice, finish_reason, prompt_tokens, completion_tokens, generation id or [ids])

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


def _chat_events(model_id: str, messages: list[dict[str, Any]], options: dict[str, Any], n: int,
                 log_extra: dict[str, Any], plan: Any = None, width: int = 1) -> Iterator[tuple[Any, ...]]:
    from genloom.text.api import chat
    from genloom.text.tools import render_messages, reply_with_tools

    _check_model(model_id, options, tools=plan is not None)
    turns = render_messages(messages, plan)
    if plan is not None:
        log_extra = {**log_extra, "tools": [f.name for f in plan.functions], "tool_choice": plan.mode}

    def choice(i: int) -> Callable[[], Iterator[tuple[Any, ...]]]:
        def events() -> Iterator[tuple[Any, ...]]:
            opts = _seed_for(options, i)
            if plan is None:
                resp = chat(messages=turns, model=model_id, extra=log_extra, **opts)
                for piece in resp:
                    yield ("delta", i, piece)
                yield ("done", i, resp.finish_reason or "stop", resp.prompt_tokens or 0,
                       resp.completion_tokens or 0, resp.generation_id)
                return
            for ev in reply_with_tools(chat, turns, plan, {"model": model_id, "extra": log_extra, **opts}):
                if ev[0] == "text":
                    yield ("delta", i, ev[1])
                elif ev[0] == "calls":
                    yield ("calls", i, ev[1])
                else:
                    done = ev[2]
                    yield ("done", i, ev[1], sum(r.prompt_tokens or 0 for r in done),
                           sum(r.completion_tokens or 0 for r in done),
                           [r.generation_id for r in done if r.generation_id])
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


@dataclass
class _Collected:
    texts: dict[int, list[str]] = field(default_factory=dict)
    calls: dict[int, list[Any]] = field(default_factory=dict)
    finish: dict[int, str] = field(default_factory=dict)
    usage: list[int] = field(default_factory=lambda: [0, 0])
    gids: list[str] = field(default_factory=list)


def _collect(events: Iterator[tuple[Any, ...]]) -> _Collected:
    out = _Collected()
    for ev in events:
        out.texts.setdefault(ev[1], [])
        if ev[0] == "delta":
            out.texts[ev[1]].append(ev[2])
        elif ev[0] == "calls":
            out.calls[ev[1]] = ev[2]
        else:
            out.finish[ev[1]] = ev[2]
            out.usage[0] += ev[3]
            out.usage[1] += ev[4]
            # One generation id, or a list when a reply took two (a tool-call draft, then the call).
            out.gids += [g for g in (ev[5] if isinstance(ev[5], list) else [ev[5]]) if g]
    return out


# -- the two response shapes --------------------------------------------------

@dataclass
class _Shape:
    """How events look as OpenAI JSON: chat (``message``/``delta``) or text completion (``text``)."""

    chat: bool
    model_id: str
    prefix: Callable[[int], str] = lambda i: ""  # echo: the prompt before a completion's text
    cid: str = ""
    created: int = field(default_factory=lambda: int(time.time()))

    def __post_init__(self) -> None:
        self.cid = f"{'chatcmpl' if self.chat else 'cmpl'}-{uuid.uuid4().hex}"

    def _envelope(self, choices: list[dict[str, Any]], *, chunk: bool) -> dict[str, Any]:
        obj = ("chat.completion.chunk" if chunk else "chat.completion") if self.chat else "text_completion"
        out: dict[str, Any] = {"id": self.cid, "object": obj, "created": self.created, "model": self.model_id}
        if self.chat:
            out["system_fingerprint"] = "genloom"
        out["choices"] = choices
        return out

    def chunks(self, ev: tuple[Any, ...], first: bool) -> list[dict[str, Any]]:
        """The SSE chunks for one event (``first``: the choice's opening chunk comes before it)."""
        i = ev[1]

        def one(delta: Any, finish: str | None = None) -> dict[str, Any]:
            key = "delta" if self.chat else "text"
            return self._envelope([{"index": i, key: delta, "logprobs": None, "finish_reason": finish}], chunk=True)

        out = []
        if first:
            out.append(one({"role": "assistant", "content": ""} if self.chat else self.prefix(i)))
        if ev[0] == "delta":
            out.append(one({"content": ev[2]} if self.chat else ev[2]))
        elif ev[0] == "calls":
            # Name and id first, then the arguments: the order OpenAI streams them in.
            for k, call in enumerate(ev[2]):
                out.append(one({"tool_calls": [{"index": k, "id": call.id, "type": "function",
                                                "function": {"name": call.name, "arguments": ""}}]}))
                out.append(one({"tool_calls": [{"index": k, "function": {"arguments": call.arguments}}]}))
        else:
            out.append(one({} if self.chat else "", ev[2]))
        return out

    def usage_chunk(self, usage: list[int]) -> dict[str, Any]:
        return {**self._envelope([], chunk=True), "usage": _usage(*usage)}

    def response(self, got: _Collected) -> dict[str, Any]:
        choices = []
        for i in sorted(got.texts):
            text = "".join(got.texts[i])
            choice: dict[str, Any] = {"index": i, "logprobs": None, "finish_reason": got.finish.get(i, "stop")}
            if self.chat:
                message: dict[str, Any] = {"role": "assistant", "content": text, "refusal": None}
                if got.calls.get(i):
                    message["content"] = text or None
                    message["tool_calls"] = [c.to_openai() for c in got.calls[i]]
                choice["message"] = message
            else:
                choice["text"] = self.prefix(i) + text
            choices.append(choice)
        return {**self._envelope(choices, chunk=False), "usage": _usage(*got.usage),
                "genloom": {"generation_ids": got.gids}}


async def _stream(request: Request, model_id: str, make: Any, shape: _Shape, include_usage: bool,
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
                for out in shape.chunks(ev, first=ev[1] not in started):
                    yield sse(out)
                started.add(ev[1])
                if ev[0] == "done":
                    usage[0] += ev[3]
                    usage[1] += ev[4]
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
            yield sse(shape.usage_chunk(usage))
        yield b"data: [DONE]\n\n"

    return StreamingResponse(body(), media_type="text/event-stream", headers=SSE_HEADERS)


async def _respond(request: Request, body: Any, model_id: str, make: Callable[[], Iterator[tuple[Any, ...]]],
                   shape: _Shape, width: int = 1) -> Any:
    """Stream or collect ``make()``'s events, holding ``width`` of the model's slots meanwhile."""
    if body.stream:
        include = bool(body.stream_options and body.stream_options.include_usage)
        return await _stream(request, model_id, make, shape, include, width)
    async with state(request).scheduler.slot(model_id, units=width):
        got = await anyio.to_thread.run_sync(lambda: _collect(make()))
    return shape.response(got)


STREAMABLE = {200: {"description": "A completion, or SSE chunks when stream=true",
                    "content": {"application/json": {}, "text/event-stream": {}}}}


@router.post("/v1/chat/completions", summary="Chat completion (OpenAI-compatible; tools; SSE when stream=true)",
             responses=STREAMABLE)
async def chat_completions(body: ChatRequest, request: Request) -> Any:
    model_id = resolve_model(request, body.model, Kind.text)
    messages = _messages(body.messages)
    options = _params(body)
    plan = _tool_plan(body, options)
    from genloom.text.params import as_messages
    from genloom.text.tools import render_messages

    as_messages(messages=render_messages(messages, None))  # empty conversation -> 400 now
    extra = {"api": "chat.completions"}
    width = _width(model_id, body.n)

    def make() -> Iterator[tuple[Any, ...]]:
        return _chat_events(model_id, messages, options, body.n, extra, plan, width)

    return await _respond(request, body, model_id, make, _Shape(chat=True, model_id=model_id), width)


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
    width = _width(model_id, len(prompts) * body.n)

    def make() -> Iterator[tuple[Any, ...]]:
        return _completion_events(model_id, prompts, options, body.n, width)

    def prefix(i: int) -> str:
        return prompts[i // body.n] if body.echo else ""

    return await _respond(request, body, model_id, make, _Shape(chat=False, model_id=model_id, prefix=prefix),
                          width)
