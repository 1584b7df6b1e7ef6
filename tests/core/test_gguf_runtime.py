"""Serving settings of GGUF models: parallel slots, n-gram speculation, reproducible mode."""

from __future__ import annotations

import pytest

from genloom.backends import gguf_runtime
from genloom.errors import InvalidInput
from genloom.models.card import Kind, ModelCard


def card(**options: object) -> ModelCard:
    return ModelCard(id="tiny-gguf", kind=Kind.text, backend="llama-cpp", options=dict(options))


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GENLOOM_PARALLEL", "GENLOOM_NGRAM", "GENLOOM_REPRODUCIBLE"):
        monkeypatch.delenv(name, raising=False)


def test_defaults_batch_and_speculate() -> None:
    assert gguf_runtime.parallel_for(card()) == gguf_runtime.DEFAULT_PARALLEL
    assert gguf_runtime.ngram_for(card()) is True
    assert gguf_runtime.reproducible_for(card()) is False


def test_reproducible_mode_turns_off_batching_and_speculation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENLOOM_PARALLEL", "6")
    monkeypatch.setenv("GENLOOM_NGRAM", "on")
    assert (gguf_runtime.parallel_for(card()), gguf_runtime.ngram_for(card())) == (6, True)
    monkeypatch.setenv("GENLOOM_REPRODUCIBLE", "on")
    assert (gguf_runtime.parallel_for(card()), gguf_runtime.ngram_for(card())) == (1, False)


def test_a_card_option_sets_reproducible_mode_for_one_model() -> None:
    assert gguf_runtime.reproducible_for(card(reproducible=True)) is True
    assert gguf_runtime.parallel_for(card(reproducible="yes", parallel=4)) == 1
    assert gguf_runtime.reproducible_for(card()) is False


@pytest.mark.parametrize("env, value", [("GENLOOM_REPRODUCIBLE", "sometimes"), ("GENLOOM_NGRAM", "fast")])
def test_a_switch_that_is_not_on_or_off_is_named(monkeypatch: pytest.MonkeyPatch, env: str, value: str) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(InvalidInput, match=f"{env}='{value}' is not on or off"):
        gguf_runtime.reproducible_for(card()) if env == "GENLOOM_REPRODUCIBLE" else gguf_runtime.ngram_for(card())


def test_ngram_auto_still_means_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENLOOM_NGRAM", "auto")
    assert gguf_runtime.ngram_for(card()) is True


def test_the_server_admits_one_generation_per_reproducible_model(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("xllamacpp")
    monkeypatch.setenv("GENLOOM_LLAMA_RUNTIME", "xllamacpp")
    monkeypatch.setenv("GENLOOM_REPRODUCIBLE", "on")
    assert gguf_runtime.expected_parallel(card()) == 1


def test_reproducible_mode_refuses_parallel_slots_or_speculation_it_cannot_keep() -> None:
    pytest.importorskip("xllamacpp")
    from genloom.backends.embedded import SMOLLM2
    from genloom.backends.xllamacpp import XLlamaCppModel

    for extra in ({"parallel": 2}, {"ngram": True}):
        with pytest.raises(InvalidInput, match="reproducible mode runs one sequence at a time"):
            XLlamaCppModel(SMOLLM2, reproducible=True, **extra)
