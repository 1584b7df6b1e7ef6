"""Causal language models through Hugging Face transformers.

Loads from a local directory or, when the card names one, a hub id (which
needs network; ``HF_HUB_OFFLINE=1`` makes that fail fast). Streams through
``TextIteratorStreamer`` with generation on a worker thread.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from genloom import config
from genloom.errors import BackendUnavailable, ContextOverflow, CorruptWeights, WeightsMissing
from genloom.models.card import Kind, ModelCard
from genloom.text.base import Chunk, TextModel
from genloom.text.params import GenerationParams, Message

WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin", "model.safetensors.index.json", "pytorch_model.bin.index.json")


class TransformersModel(TextModel):
    def __init__(self, card: ModelCard):
        super().__init__(card)
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as exc:
            raise BackendUnavailable(
                "The transformers backend needs torch and transformers",
                hint="pip install 'genloom[transformers]'",
            ) from exc
        self.torch = torch
        source = card.path or card.options.get("hub_id")
        if not source:
            raise WeightsMissing(f"Model {card.id!r} has neither a path nor a hub id")
        if card.path and not Path(card.path).exists():
            raise WeightsMissing(f"Model directory not found: {card.path}", hint="check the path or run 'genloom models add' again")
        torch.set_num_threads(config.default_threads())
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(source)
            self.model = AutoModelForCausalLM.from_pretrained(source)
        except OSError as exc:
            raise WeightsMissing(f"Could not load transformers model from {source}: {exc}",
                                 hint="check the directory, or the hub id and your network") from exc
        except (ValueError, RuntimeError) as exc:
            raise CorruptWeights(f"transformers could not load {source}: {exc}") from exc
        self.model.eval()
        self._lock = threading.Lock()

    @property
    def context_length(self) -> int:
        n = getattr(self.model.config, "max_position_embeddings", None) or getattr(self.model.config, "n_positions", None)
        return int(n or self.card.context_length or 2048)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer.encode(text, add_special_tokens=False))

    def weights_sha256(self) -> str | None:
        if self.card.path:
            from genloom.backends.hashing import weights_sha256

            return weights_sha256(Path(self.card.path))
        return None

    def format_chat(self, messages: list[Message]) -> str:
        msgs = [m.model_dump() for m in messages]
        if getattr(self.tokenizer, "chat_template", None):
            return self.tokenizer.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True)
        text = "".join(f"{m['role']}: {m['content']}\n" for m in msgs)
        return text + "assistant:"

    def chat_stream(self, messages: list[Message], params: GenerationParams) -> Iterator[Chunk]:
        return self._stream(self.format_chat(messages), params)

    def complete_stream(self, prompt: str, params: GenerationParams) -> Iterator[Chunk]:
        return self._stream(prompt, params)

    def _stream(self, prompt: str, params: GenerationParams) -> Iterator[Chunk]:
        from transformers import TextIteratorStreamer

        inputs = self.tokenizer(prompt, return_tensors="pt")
        n_prompt = int(inputs["input_ids"].shape[-1])
        if n_prompt >= self.context_length:
            raise ContextOverflow(
                f"The prompt is {n_prompt} tokens but {self.card.id} has a context window of {self.context_length}",
                hint="shorten the prompt",
                param="prompt",
            )
        max_new = min(params.max_tokens, self.context_length - n_prompt)
        seed = params.seed if params.seed is not None else secrets.randbelow(2**31)
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        sample = params.temperature > 0
        kwargs: dict[str, Any] = dict(
            **inputs,
            max_new_tokens=max_new,
            do_sample=sample,
            repetition_penalty=params.repeat_penalty,
            streamer=streamer,
            pad_token_id=self.tokenizer.pad_token_id or self.tokenizer.eos_token_id,
        )
        if sample:
            kwargs.update(temperature=params.temperature, top_p=params.top_p, top_k=params.top_k or None)
        errors: list[BaseException] = []

        def work() -> None:
            try:
                with self.torch.no_grad():
                    self.torch.manual_seed(seed)
                    self.model.generate(**kwargs)
            except BaseException as exc:  # surfaced in the consumer thread
                errors.append(exc)
                streamer.end()

        def gen() -> Iterator[Chunk]:
            with self._lock:
                thread = threading.Thread(target=work, daemon=True)
                thread.start()
                text = ""
                for piece in streamer:
                    text += piece
                    stop_at = _first_stop(text, params.stop)
                    if stop_at is not None:
                        tail = piece[: max(0, len(piece) - (len(text) - stop_at))]
                        if tail:
                            yield Chunk(tail)
                        break
                    if piece:
                        yield Chunk(piece)
                thread.join()
                if errors:
                    from genloom.errors import GenerationFailed

                    raise GenerationFailed(f"transformers failed while generating: {errors[0]}")
                yield Chunk("", finish_reason="stop", prompt_tokens=n_prompt,
                            completion_tokens=self.count_tokens(text))

        return gen()


def _first_stop(text: str, stops: list[str]) -> int | None:
    found = [text.find(s) for s in stops if s and s in text]
    return min(found) if found else None


def detect(path: Path) -> ModelCard | None:
    if not path.is_dir() or not (path / "config.json").exists() or (path / "model_index.json").exists():
        return None
    if not any((path / f).exists() for f in WEIGHT_FILES):
        return None
    try:
        cfg = json.loads((path / "config.json").read_text())
    except (OSError, json.JSONDecodeError):
        return None
    archs = cfg.get("architectures") or []
    if archs and not any(a.endswith("ForCausalLM") or a.endswith("LMHeadModel") for a in archs):
        return None
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return ModelCard(
        id=path.name.lower(),
        name=path.name,
        kind=Kind.text,
        tasks=["chat", "summarize", "translate", "rewrite", "answer"],
        backend="transformers",
        size_bytes=size,
        license=str(cfg.get("license", "see model card")),
        source=f"local directory {path}",
        path=str(path),
        context_length=cfg.get("max_position_embeddings") or cfg.get("n_positions"),
    )


def factory(card: ModelCard) -> TransformersModel:
    return TransformersModel(card)
