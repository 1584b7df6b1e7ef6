"""GGUF models through xllamacpp: llama.cpp's server engine, in process.

One engine per loaded model holds ``parallel`` slots. Each generation runs
the engine's blocking handler in its own thread and streams the chunks the
engine calls back with; sequences running at the same time share each decode
batch (continuous batching). The engine also gives:

* prompt-prefix caching: a request reuses the KV cache of the slot holding
  the longest common prefix (and a RAM cache of earlier prefixes), so a
  constant system prompt and few-shot examples are evaluated once;
* n-gram (prompt-lookup) speculation: when the last few generated tokens
  already occur in the context, the tokens that followed them there are
  verified in one batch. Nothing is drafted without such a match, so free
  prose pays (almost) nothing. Verification scores the draft as a batch, and
  llama.cpp's kernels are not batch-invariant, so greedy output can differ
  from the plain decode where two tokens are nearly tied.

``GENLOOM_REPRODUCIBLE=on`` trades all three for bit-identical replays: one
slot, no speculation, and every prompt evaluated afresh (a cached prefix is
another batch shape, with the same drift).

Cancellation is per sequence: closing the stream makes the next engine
callback return True, which cancels that task and frees its slot.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import secrets
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from genloom import config
from genloom.backends import gguf_runtime
from genloom.backends.gguf import check_gguf, gguf_sha256, resolve_gguf
from genloom.errors import (
    BackendUnavailable,
    ContextOverflow,
    CorruptWeights,
    GenerationFailed,
    InvalidInput,
)
from genloom.models.card import ModelCard
from genloom.text.base import Chunk, TextModel
from genloom.text.params import GenerationParams, Message

# N-gram drafting: look up the last NGRAM_N tokens in the context and propose
# the NGRAM_M tokens that followed them. Measured with bench/text.py --task
# rewrite: shorter keys draft spuriously on prose, longer drafts waste a batch
# at the first edit.
NGRAM_N = 6
NGRAM_M = 16

_END = object()

# Sequences still decoding, so the interpreter can stop them before it exits: a daemon thread
# killed inside llama.cpp's C++ loop aborts the whole process ("FATAL: exception not rethrown"),
# which turns a clean exit (a CLI run, a test session) into a crash.
_LIVE: dict[threading.Thread, threading.Event] = {}
_LIVE_LOCK = threading.Lock()


@atexit.register
def _stop_live_sequences() -> None:
    with _LIVE_LOCK:
        live = list(_LIVE.items())
    for _thread, cancel in live:
        cancel.set()  # the engine's callback returns True at its next token and frees the slot
    for thread, _cancel in live:
        thread.join(timeout=30)


def _import() -> Any:
    try:
        import xllamacpp
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise BackendUnavailable("xllamacpp is not installed",
                                 hint="run 'make setup' or 'pip install genloom[llama]'") from exc
    return xllamacpp


class XLlamaCppModel(TextModel):
    supports_schema = True

    def __init__(self, card: ModelCard, *, n_ctx: int | None = None, n_threads: int | None = None,
                 parallel: int | None = None, ngram: bool | None = None, reproducible: bool | None = None):
        super().__init__(card)
        xl = _import()
        path = resolve_gguf(card)
        check_gguf(path)
        self.path: Path = path
        self.threads = n_threads or int(card.options.get("n_threads") or config.default_threads())
        self.reproducible = gguf_runtime.reproducible_for(card) if reproducible is None else reproducible
        if self.reproducible:
            if (parallel or 1) > 1 or ngram:
                raise InvalidInput("reproducible mode runs one sequence at a time without speculation",
                                   hint="drop parallel/ngram, or turn GENLOOM_REPRODUCIBLE off")
            parallel, ngram = 1, False
        self.parallel = parallel or gguf_runtime.parallel_for(card)
        self.n_ctx = n_ctx or gguf_runtime.ctx_for(card)  # per sequence
        self.ngram = gguf_runtime.ngram_for(card) if ngram is None else ngram
        # The engine also listens on a localhost HTTP port; a random key keeps it private.
        self._key = secrets.token_urlsafe(24)
        p = xl.CommonParams()
        p.model.path = str(path)
        p.n_parallel = self.parallel
        p.n_ctx = self.n_ctx * self.parallel  # split evenly: each slot gets n_ctx
        p.kv_unified = False
        p.ctx_shift = False  # a full context ends the reply ("length"), never drops the prompt
        p.cpuparams.n_threads = self.threads
        p.cpuparams_batch.n_threads = self.threads
        p.warmup = False
        p.cache_prompt = not self.reproducible
        p.cache_ram_mib = 0 if self.reproducible else gguf_runtime.prompt_cache_mb()
        p.api_keys = [self._key]
        p.verbosity = 1 if os.environ.get("GENLOOM_DEBUG") else -1
        if self.ngram:
            p.speculative.types = [xl.common_speculative_type.COMMON_SPECULATIVE_TYPE_NGRAM_SIMPLE]
            p.speculative.ngram_simple.size_n = NGRAM_N
            p.speculative.ngram_simple.size_m = NGRAM_M
        try:
            self.server = xl.Server(p)
        except (RuntimeError, ValueError) as exc:
            raise CorruptWeights(
                f"llama.cpp could not load {path}: the file is truncated or corrupted",
                hint="delete it and install or download the model again",
            ) from exc
        self._active = 0
        self._count = threading.Lock()

    @property
    def context_length(self) -> int:
        return self.n_ctx

    @property
    def busy(self) -> bool:
        return self._active > 0

    def weights_sha256(self) -> str:
        return gguf_sha256(self.card, self.path)

    def count_tokens(self, text: str) -> int:
        body = json.dumps({"content": text, "add_special": False, "parse_special": True}).encode()
        req = urllib.request.Request(f"{self.server.listening_address}/tokenize", data=body, headers={
            "Authorization": f"Bearer {self._key}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return len(json.load(resp)["tokens"])
        except (urllib.error.URLError, OSError, KeyError, ValueError) as exc:
            raise GenerationFailed(f"llama.cpp could not tokenize the text: {exc}") from exc

    # -- generation -----------------------------------------------------
    def chat_stream(self, messages: list[Message], params: GenerationParams) -> Iterator[Chunk]:
        body = self._body(params)
        body["messages"] = [m.model_dump() for m in messages]
        # Keep the reply as the model wrote it: no reasoning or tool-call extraction.
        body["reasoning_format"] = "none"
        return self._run(self.server.handle_chat_completions, body, chat=True)

    def complete_stream(self, prompt: str, params: GenerationParams) -> Iterator[Chunk]:
        body = self._body(params)
        body["prompt"] = prompt
        return self._run(self.server.handle_completions, body, chat=False)

    def _body(self, params: GenerationParams) -> dict[str, Any]:
        body: dict[str, Any] = {
            "temperature": params.temperature, "top_p": params.top_p, "top_k": params.top_k,
            "min_p": params.min_p, "max_tokens": params.max_tokens, "stop": list(params.stop),
            "seed": params.seed if params.seed is not None else secrets.randbelow(2**31),
            "repeat_penalty": params.repeat_penalty, "frequency_penalty": params.frequency_penalty,
            "presence_penalty": params.presence_penalty,
            "stream": True, "stream_options": {"include_usage": True},
            "cache_prompt": not self.reproducible,
        }
        if params.grammar:
            body["grammar"] = params.grammar
        elif params.json_schema is not None:
            body["json_schema"] = params.json_schema
        elif params.json_object:
            body["json_schema"] = {"type": "object"}
        return body

    def _run(self, handler: Callable[..., Any], body: dict[str, Any], *, chat: bool) -> Iterator[Chunk]:
        """Run one sequence in a worker thread; yield its chunks; cancel it if abandoned."""
        events: queue.SimpleQueue[Any] = queue.SimpleQueue()
        cancel = threading.Event()

        def on_chunk(data: Any) -> bool:
            events.put(data)
            return cancel.is_set()  # True stops the engine's task: the slot is freed

        def work() -> None:
            try:
                handler(body, on_chunk)
            except (ValueError, RuntimeError) as exc:
                events.put(exc)
            finally:
                events.put(_END)
                with _LIVE_LOCK:
                    _LIVE.pop(threading.current_thread(), None)

        with self._count:
            self._active += 1
        worker = threading.Thread(target=work, name=f"xllamacpp-{self.card.id}", daemon=True)
        with _LIVE_LOCK:
            _LIVE[worker] = cancel
        try:
            worker.start()
            yield from self._chunks(events, chat)
        finally:
            cancel.set()
            with self._count:
                self._active -= 1

    def _chunks(self, events: queue.SimpleQueue[Any], chat: bool) -> Iterator[Chunk]:
        finish: str | None = None
        usage: dict[str, Any] = {}
        timings: dict[str, Any] | None = None
        while (item := events.get()) is not _END:
            if isinstance(item, ValueError):  # the engine refused the request before starting it
                if "schema" in str(item) or "grammar" in str(item):
                    raise InvalidInput(f"Invalid grammar or JSON schema: {item}", param="response_format") from item
                raise InvalidInput(f"llama.cpp rejected the request: {item}") from item
            if isinstance(item, BaseException):
                raise GenerationFailed(f"llama.cpp failed while generating: {item}") from item
            if not isinstance(item, dict):
                continue
            if "error" in item:
                raise self._error(item["error"])
            timings = item.get("timings") or timings
            usage = item.get("usage") or usage
            for choice in item.get("choices") or []:
                text = (choice.get("delta") or {}).get("content") if chat else choice.get("text")
                if text:
                    yield Chunk(text)
                finish = choice.get("finish_reason") or finish
        yield Chunk("", finish_reason=finish or "stop", prompt_tokens=usage.get("prompt_tokens"),
                    completion_tokens=usage.get("completion_tokens"), timings=timings)

    def _error(self, err: dict[str, Any]) -> Exception:
        kind = err.get("type")
        if kind == "exceed_context_size_error":
            return ContextOverflow(
                f"The prompt is {err.get('n_prompt_tokens')} tokens but {self.card.id} has a context window of "
                f"{err.get('n_ctx', self.n_ctx)}",
                hint="shorten the prompt, or raise the window with GENLOOM_CTX (up to the model's trained length)",
                param="prompt",
            )
        if kind == "invalid_request_error" and "grammar" in str(err.get("message", "")):
            return InvalidInput(f"Invalid grammar or JSON schema: {err.get('message')}", param="response_format")
        if kind == "invalid_request_error":
            return InvalidInput(f"llama.cpp rejected the request: {err.get('message')}")
        return GenerationFailed(f"llama.cpp failed while generating: {err.get('message')}")

    def close(self) -> None:
        # Dropping the engine stops its loop once running sequences let go of it.
        self.server = None
