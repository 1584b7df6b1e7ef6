"""Text generation with provenance: the layer between callers and backends.

A :class:`Response` streams text as the backend produces it and, once the
stream ends, records the whole generation in the store in one transaction.
A stream that fails or is abandoned records nothing.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from typing import Any

from genloom.models.card import Kind
from genloom.text.base import Chunk, TextModel
from genloom.text.params import GenerationParams, Message, as_messages


class Response:
    def __init__(
        self,
        model: TextModel,
        messages: list[Message] | None,
        prompt: str | None,
        params: GenerationParams,
        *,
        task: str,
        kind: str,
        log: bool,
        parent_ids: list[str] | None = None,
        run_id: str | None = None,
        extra: dict[str, Any] | None = None,
    ):
        self.model = model
        self.messages = messages
        self.prompt = prompt
        self.params = params
        self.task = task
        self.kind = kind
        self.log = log
        self.parent_ids = parent_ids
        self.run_id = run_id
        self.extra = extra or {}
        self.chunks: list[str] = []
        self.finish_reason: str | None = None
        self.prompt_tokens: int | None = None
        self.completion_tokens: int | None = None
        # Runtime figures from the backend, when it has them (e.g. cache_n: prompt
        # tokens reused from the prefix cache; draft_n / draft_n_accepted: n-gram speculation).
        self.timings: dict[str, Any] = {}
        self.ttft_s: float | None = None
        self.duration_s: float | None = None
        self.generation_id: str | None = None
        self._done = False
        self._iter: Iterator[str] | None = None

    # Iterating yields text pieces; a second iteration replays them.
    def __iter__(self) -> Iterator[str]:
        if self._done:
            yield from self.chunks
            return
        if self._iter is None:
            self._iter = self._run()
        yield from self._iter

    def _run(self) -> Iterator[str]:
        # The weights hash goes into the provenance: work it out before generating, so a model
        # whose hash cannot be computed fails now, loudly, rather than after the work is done.
        self.model_sha256 = _sha(self.model) if self.log else None
        start = time.perf_counter()
        if self.messages is not None:
            stream = self.model.chat_stream(self.messages, self.params)
        else:
            stream = self.model.complete_stream(self.prompt or "", self.params)
        last: Chunk | None = None
        for chunk in stream:
            if chunk.text:
                if self.ttft_s is None:
                    self.ttft_s = time.perf_counter() - start
                self.chunks.append(chunk.text)
                yield chunk.text
            last = chunk
        self.duration_s = time.perf_counter() - start
        if last is not None:
            self.finish_reason = last.finish_reason
            self.prompt_tokens = last.prompt_tokens
            self.completion_tokens = last.completion_tokens
            self.timings = dict(last.timings or {})
        self._done = True
        if self.log:
            self._record()

    def text(self) -> str:
        for _ in self:
            pass
        return "".join(self.chunks)

    def _record(self) -> None:
        from genloom.store.db import get_store

        user_prompt = self.prompt
        system = None
        if self.messages is not None:
            users = [m.content for m in self.messages if m.role == "user"]
            user_prompt = users[-1] if users else ""
            systems = [m.content for m in self.messages if m.role == "system"]
            system = systems[0] if systems else None
        self.generation_id = get_store().record_generation(
            kind=self.kind,
            task=self.task,
            model_id=self.model.card.id,
            model_sha256=self.model_sha256,
            prompt=user_prompt,
            system=system,
            messages=[m.model_dump() for m in self.messages] if self.messages else None,
            params=self.params.recorded(),
            seed=self.params.seed,
            output="".join(self.chunks),
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            ttft_ms=(self.ttft_s or 0) * 1000,
            duration_ms=(self.duration_s or 0) * 1000,
            parent_ids=self.parent_ids,
            run_id=self.run_id,
            extra={"finish_reason": self.finish_reason, **self._replay(), **self.extra},
        )

    def _replay(self) -> dict[str, Any]:
        # A llama.cpp replay is bit-identical only when both runs were in reproducible mode.
        reproducible = getattr(self.model, "reproducible", None)
        return {} if reproducible is None else {"reproducible": bool(reproducible)}

    def usage(self) -> dict[str, int | None]:
        return {"prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens}

    def tokens_per_second(self) -> float | None:
        if not self.completion_tokens or not self.duration_s:
            return None
        gen_time = self.duration_s - (self.ttft_s or 0)
        return (self.completion_tokens - 1) / gen_time if gen_time > 0 and self.completion_tokens > 1 else None


def _sha(model: TextModel) -> str | None:
    """The model's weights hash; None only for models without local weights (remote endpoints)."""
    try:
        return model.weights_sha256()
    except OSError as exc:
        from genloom.errors import WeightsMissing

        raise WeightsMissing(f"Cannot hash the weights of {model.card.id}: {exc}",
                             hint="the provenance must name the weights; check the model's files") from exc


def _model(model: str | TextModel | None, kind: Kind | str) -> TextModel:
    if isinstance(model, TextModel):
        return model
    from genloom.models.registry import get_model

    loaded = get_model(model, kind)
    if not isinstance(loaded, TextModel):
        from genloom.errors import InvalidInput

        raise InvalidInput(f"Model {loaded.card.id!r} makes {loaded.card.kind.value}, not text", param="model",
                           hint="pick a text model from 'genloom models'")
    return loaded


def _params(params: GenerationParams | None, options: dict[str, Any]) -> GenerationParams:
    if params is None:
        params = GenerationParams.build(**options)
    elif options:
        params = GenerationParams.build(**{**params.model_dump(), **options})
    if params.seed is None:
        # Always record a concrete seed so any generation can be replayed.
        params = params.model_copy(update={"seed": secrets.randbelow(2**31)})
    return params


def chat(
    prompt: str | None = None,
    *,
    system: str | None = None,
    messages: list[Message] | list[dict[str, str]] | None = None,
    model: str | TextModel | None = None,
    params: GenerationParams | None = None,
    task: str = "chat",
    kind: Kind | str = Kind.text,
    log: bool = True,
    parent_ids: list[str] | None = None,
    run_id: str | None = None,
    extra: dict[str, Any] | None = None,
    **options: Any,
) -> Response:
    """Chat with a model. ``messages`` may hold few-shot examples before ``prompt``.

    Returns a lazy :class:`Response`: iterate it to stream, or call ``.text()``.
    """
    msgs = as_messages(prompt, system=system, messages=messages)
    p = _params(params, options)
    m = _model(model, kind)
    return Response(m, msgs, None, p, task=task, kind=Kind(kind).value, log=log,
                    parent_ids=parent_ids, run_id=run_id, extra=extra)


def generate(
    prompt: str,
    *,
    model: str | TextModel | None = None,
    params: GenerationParams | None = None,
    log: bool = True,
    **options: Any,
) -> Response:
    """Raw completion: continue ``prompt`` without a chat template."""
    if not prompt or not prompt.strip():
        from genloom.errors import EmptyPrompt

        raise EmptyPrompt("The prompt is empty", param="prompt")
    p = _params(params, options)
    m = _model(model, Kind.text)
    return Response(m, None, prompt, p, task="completion", kind="text", log=log)
