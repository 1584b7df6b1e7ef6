"""Shared fixtures: an isolated genloom home per test, and a fake text model.

Weights are expensive to assemble, so the models cache is shared across tests
(``GENLOOM_TEST_MODELS_DIR``, default: the user's genloom models cache);
everything else (database, assets, registered models) is per test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from genloom.models.card import Kind, ModelCard
from genloom.text.base import Chunk, TextModel
from genloom.text.params import GenerationParams, Message

SHARED_MODELS = Path(
    os.environ.get("GENLOOM_TEST_MODELS_DIR")
    or os.environ.get("GENLOOM_MODELS_DIR")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "genloom" / "models"
)


def reset_singletons() -> None:
    from genloom.models.registry import reset_registry
    from genloom.plugins import reset_plugin_manager
    from genloom.store.db import reset_store

    reset_registry()
    reset_store()
    reset_plugin_manager()


@pytest.fixture(autouse=True)
def genloom_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "genloom-home"
    monkeypatch.setenv("GENLOOM_HOME", str(home))
    monkeypatch.setenv("GENLOOM_MODELS_DIR", str(SHARED_MODELS))
    monkeypatch.delenv("GENLOOM_DATABASE_URL", raising=False)
    monkeypatch.delenv("GENLOOM_DEBUG", raising=False)
    for kind in Kind:
        monkeypatch.delenv(f"GENLOOM_DEFAULT_{kind.value.upper()}_MODEL", raising=False)
    reset_singletons()
    yield home
    reset_singletons()


class FakeTextModel(TextModel):
    """A text model that replays queued replies word by word, and records calls."""

    def __init__(self, card: ModelCard):
        super().__init__(card)
        self.queue: list[str] = []
        self.history: list[tuple[list[Message] | str, GenerationParams]] = []

    def enqueue(self, *replies: str) -> None:
        self.queue.extend(replies)

    def _reply(self) -> str:
        return self.queue.pop(0) if self.queue else "fake reply"

    def _stream(self, reply: str, n_prompt: int) -> Iterator[Chunk]:
        words = reply.split(" ")
        for i, word in enumerate(words):
            yield Chunk(word if i == 0 else " " + word)
        yield Chunk("", finish_reason="stop", prompt_tokens=n_prompt, completion_tokens=len(words))

    def chat_stream(self, messages: list[Message], params: GenerationParams) -> Iterator[Chunk]:
        self.history.append((messages, params))
        n = sum(self.count_tokens(m.content) for m in messages)
        if n >= self.context_length:
            from genloom.errors import ContextOverflow

            raise ContextOverflow(f"The prompt is {n} tokens but fake has a context window of {self.context_length}")
        return self._stream(self._reply(), n)

    def complete_stream(self, prompt: str, params: GenerationParams) -> Iterator[Chunk]:
        self.history.append((prompt, params))
        return self._stream(self._reply(), self.count_tokens(prompt))


FAKE_CARD = ModelCard(
    id="fake",
    kind=Kind.text,
    also=[Kind.code],
    tasks=["chat", "summarize", "translate", "rewrite", "answer", "code"],
    backend="fake",
    size_bytes=0,
    license="MIT",
    source="tests",
    context_length=512,
    sha256="0" * 64,
)


@pytest.fixture
def fake_model() -> FakeTextModel:
    """Registers model id ``fake`` and makes it the default text/code model."""
    from genloom.models.registry import get_registry

    model = FakeTextModel(FAKE_CARD)
    registry = get_registry()
    registry.register(FAKE_CARD, lambda card: model)
    os.environ["GENLOOM_DEFAULT_TEXT_MODEL"] = "fake"
    os.environ["GENLOOM_DEFAULT_CODE_MODEL"] = "fake"
    yield model
    os.environ.pop("GENLOOM_DEFAULT_TEXT_MODEL", None)
    os.environ.pop("GENLOOM_DEFAULT_CODE_MODEL", None)
