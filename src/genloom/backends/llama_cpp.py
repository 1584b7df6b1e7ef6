"""GGUF models through llama-cpp-python.

Kept deliberately thin: chat messages are formatted with the model's own chat
template (read from the GGUF), tokenized once (which also gives the exact
prompt length for the context check) and streamed straight from llama.cpp.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from genloom import config
from genloom.backends import gguf_runtime
from genloom.backends.gguf import check_gguf, gguf_sha256, looks_like_gguf, resolve_gguf
from genloom.errors import BackendUnavailable, ContextOverflow, CorruptWeights, GenerationFailed
from genloom.models.card import Kind, ModelCard
from genloom.text.base import Chunk, TextModel
from genloom.text.params import GenerationParams, Message

DEFAULT_CTX = 4096


def _import_llama() -> Any:
    try:
        import llama_cpp
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise BackendUnavailable(
            "llama-cpp-python is not installed", hint="run 'make setup' or 'pip install genloom[llama]'"
        ) from exc
    return llama_cpp


class LlamaCppModel(TextModel):
    supports_schema = True

    def __init__(self, card: ModelCard, *, n_ctx: int | None = None, n_threads: int | None = None):
        super().__init__(card)
        llama_cpp = _import_llama()
        path = resolve_gguf(card)
        check_gguf(path)
        self.path = path
        threads = n_threads or int(card.options.get("n_threads") or config.default_threads())
        ctx = n_ctx or int(os.environ.get("GENLOOM_CTX") or card.options.get("n_ctx") or DEFAULT_CTX)
        try:
            self.llm = llama_cpp.Llama(
                model_path=str(path),
                n_ctx=ctx,
                n_threads=threads,
                n_threads_batch=threads,
                n_batch=min(512, ctx),
                seed=0,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise CorruptWeights(
                f"llama.cpp could not load {path}: the file is truncated or corrupted",
                hint="delete it and install or download the model again",
            ) from exc
        self.n_ctx = self.llm.n_ctx()
        self.threads = threads
        # llama-cpp-python reuses the longest common prefix of the previous prompt; that
        # prefix was scored in another batch shape, so reproducible mode starts afresh.
        self.reproducible = gguf_runtime.reproducible_for(card)
        self._lock = threading.Lock()
        self._formatter = self._make_formatter()

    @property
    def context_length(self) -> int:
        return self.n_ctx

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    def _make_formatter(self) -> Any:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        template = self.llm.metadata.get("tokenizer.chat_template")
        if not template:
            # Plain ChatML: what most small instruct models were tuned on.
            template = (
                "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
                "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
            )
        model = self.llm._model
        eos = self.llm.token_eos()
        bos = self.llm.token_bos()
        return Jinja2ChatFormatter(
            template=template,
            eos_token=model.token_get_text(eos) if eos != -1 else "",
            bos_token=model.token_get_text(bos) if bos != -1 else "",
            stop_token_ids=[eos],
        )

    def count_tokens(self, text: str) -> int:
        return len(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def weights_sha256(self) -> str:
        return gguf_sha256(self.card, self.path)

    # -- generation -----------------------------------------------------
    def format_chat(self, messages: list[Message]) -> tuple[str, list[str]]:
        result = self._formatter(messages=[m.model_dump() for m in messages])
        stop = result.stop if isinstance(result.stop, list) else ([result.stop] if result.stop else [])
        return result.prompt, stop

    def chat_stream(self, messages: list[Message], params: GenerationParams) -> Iterator[Chunk]:
        prompt, stops = self.format_chat(messages)
        return self._stream(prompt, params, extra_stop=stops)

    def complete_stream(self, prompt: str, params: GenerationParams) -> Iterator[Chunk]:
        return self._stream(prompt, params, extra_stop=[], add_bos=True)

    def _tokens(self, prompt: str, add_bos: bool) -> list[int]:
        return self.llm.tokenize(prompt.encode("utf-8"), add_bos=add_bos, special=True)

    def _sampling(self, params: GenerationParams, extra_stop: list[str]) -> dict[str, Any]:
        kwargs: dict[str, Any] = dict(
            temperature=params.temperature,
            top_p=params.top_p,
            top_k=params.top_k,
            min_p=params.min_p,
            stop=list(dict.fromkeys([*extra_stop, *params.stop])) or None,
            seed=params.seed if params.seed is not None else secrets.randbelow(2**31),
            repeat_penalty=params.repeat_penalty,
            frequency_penalty=params.frequency_penalty,
            presence_penalty=params.presence_penalty,
        )
        grammar = self._grammar(params)
        if grammar is not None:
            kwargs["grammar"] = grammar
        return kwargs

    def _grammar(self, params: GenerationParams) -> Any:
        from llama_cpp import LlamaGrammar

        try:
            if params.grammar:
                return LlamaGrammar.from_string(params.grammar, verbose=False)
            if params.json_schema is not None:
                import json

                return LlamaGrammar.from_json_schema(json.dumps(params.json_schema), verbose=False)
            if params.json_object:
                from llama_cpp.llama_grammar import JSON_GBNF

                return LlamaGrammar.from_string(JSON_GBNF, verbose=False)
        except (ValueError, RuntimeError) as exc:
            from genloom.errors import InvalidInput

            raise InvalidInput(f"Invalid grammar or JSON schema: {exc}", param="response_format") from exc
        return None

    def _stream(self, prompt: str, params: GenerationParams, *, extra_stop: list[str], add_bos: bool = False) -> Iterator[Chunk]:
        tokens = self._tokens(prompt, add_bos)
        n_prompt = len(tokens)
        if n_prompt >= self.n_ctx:
            raise ContextOverflow(
                f"The prompt is {n_prompt} tokens but {self.card.id} has a context window of {self.n_ctx}",
                hint="shorten the prompt, or raise the window with GENLOOM_CTX (up to the model's trained length)",
                param="prompt",
            )
        max_tokens = min(params.max_tokens, self.n_ctx - n_prompt)
        kwargs = self._sampling(params, extra_stop)
        return self._run(tokens, max_tokens, kwargs, n_prompt)

    def _run(self, tokens: list[int], max_tokens: int, kwargs: dict[str, Any], n_prompt: int) -> Iterator[Chunk]:
        with self._lock:
            if self.reproducible:
                self.llm.reset()
            finish = None
            pieces: list[str] = []
            try:
                for part in self.llm.create_completion(tokens, max_tokens=max_tokens, stream=True, **kwargs):
                    choice = part["choices"][0]
                    text = choice["text"]
                    finish = choice.get("finish_reason") or finish
                    if text:
                        pieces.append(text)
                        yield Chunk(text)
            except (RuntimeError, ValueError) as exc:
                raise GenerationFailed(f"llama.cpp failed while generating: {exc}") from exc
            # Stream chunks are not tokens (stop-sequence look-ahead merges
            # them), so count the tokens of the text actually produced.
            n_out = max_tokens if finish == "length" else self.count_tokens("".join(pieces))
            yield Chunk("", finish_reason=finish or "stop", prompt_tokens=n_prompt, completion_tokens=n_out)

    def close(self) -> None:
        llm = getattr(self, "llm", None)
        if llm is not None:
            try:
                llm.close()
            except Exception:  # pragma: no cover - best effort on shutdown
                pass


def detect(path: Path) -> ModelCard | None:
    """A ``.gguf`` file, or a directory with exactly one GGUF in it."""
    target = path
    if path.is_dir():
        ggufs = sorted(path.glob("*.gguf"))
        if len(ggufs) != 1:
            return None
        target = ggufs[0]
    if not looks_like_gguf(target) and target.suffix.lower() != ".gguf":
        return None
    name = target.stem.lower().replace("_", "-")
    is_code = "coder" in name or "code" in name
    return ModelCard(
        id=name,
        name=target.stem,
        kind=Kind.code if is_code else Kind.text,
        also=[Kind.text] if is_code else [],
        tasks=["chat", "summarize", "translate", "rewrite", "answer", "code"],
        backend="llama-cpp",
        size_bytes=target.stat().st_size,
        license="see model card",
        source=f"local file {target}",
        path=str(target),
    )


def factory(card: ModelCard) -> LlamaCppModel:
    return LlamaCppModel(card)
