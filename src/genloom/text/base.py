"""The interface every text/code backend implements.

One small base class, two generator methods. Backends yield :class:`Chunk`
objects; everything else (validation, logging, timing) lives above them in
:mod:`genloom.text.api` so a backend stays a thin wrapper around its library.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from genloom.models.card import ModelCard
from genloom.text.params import GenerationParams, Message


@dataclass
class Chunk:
    text: str
    finish_reason: str | None = None
    # Set on the final chunk when the backend knows them.
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    # Runtime figures on the final chunk where the backend has them: prompt
    # tokens served from the prefix cache, speculative drafts and acceptances.
    timings: dict[str, Any] | None = None


class TextModel(ABC):
    card: ModelCard
    can_stream = True
    supports_schema = False
    # Sequences the model decodes at once. Above 1, callers may drive the
    # model from that many threads and the sequences share each batch.
    parallel = 1

    def __init__(self, card: ModelCard):
        self.card = card

    @property
    def context_length(self) -> int:
        return self.card.context_length or 2048

    @abstractmethod
    def chat_stream(self, messages: list[Message], params: GenerationParams) -> Iterator[Chunk]:
        """Yield the assistant's reply to ``messages``, piece by piece."""

    @abstractmethod
    def complete_stream(self, prompt: str, params: GenerationParams) -> Iterator[Chunk]:
        """Yield a raw continuation of ``prompt``."""

    @property
    def busy(self) -> bool:
        """True while a generation is running (an idle model may be unloaded)."""
        return False

    def count_tokens(self, text: str) -> int:
        # A rough default (~4 characters a token); real backends override it.
        return max(1, len(text) // 4)

    def weights_sha256(self) -> str | None:
        return self.card.sha256

    def close(self) -> None:  # noqa: B027 - optional hook: backends that hold native memory free it here
        return None
