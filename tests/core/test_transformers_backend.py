"""The transformers backend on a tiny GPT-2 built here (no download)."""

from __future__ import annotations

from pathlib import Path

import pytest

from genloom.models.registry import add_user_model
from genloom.store.db import get_store
from genloom.text.api import chat

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")


@pytest.fixture(scope="module")
def tiny_gpt2(tmp_path_factory) -> Path:
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    path = tmp_path_factory.mktemp("tiny-gpt2")
    words = ["<unk>", "<eos>", "hello", "world", "the", "sea", "is", "blue", "user:", "assistant:", "hi"]
    tok = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", eos_token="<eos>", pad_token="<eos>")
    fast.save_pretrained(path)
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=len(words), n_positions=64, n_embd=16, n_layer=1, n_head=2,
                        eos_token_id=1, bos_token_id=1)
    GPT2LMHeadModel(config).save_pretrained(path)
    return path


def test_detects_and_generates_from_local_dir(tiny_gpt2: Path):
    card = add_user_model(tiny_gpt2, model_id="tiny-gpt2")
    assert card.backend == "transformers" and card.kind.value == "text"
    response = chat("hello world", model="tiny-gpt2", max_tokens=5, seed=1, temperature=1.0)
    pieces = list(response)
    assert response.completion_tokens is not None and response.completion_tokens <= 5
    again = chat("hello world", model="tiny-gpt2", max_tokens=5, seed=1, temperature=1.0).text()
    assert "".join(pieces) == again  # seeded sampling is reproducible
    row = get_store().generation(response.generation_id)
    assert row["model_id"] == "tiny-gpt2" and len(row["model_sha256"]) == 64


def test_context_overflow(tiny_gpt2: Path):
    from genloom.errors import ContextOverflow

    add_user_model(tiny_gpt2, model_id="tiny-gpt2")
    with pytest.raises(ContextOverflow):
        list(chat("hello " * 100, model="tiny-gpt2"))


def test_missing_directory_is_clear(tiny_gpt2: Path, tmp_path: Path):
    import shutil

    from genloom.errors import WeightsMissing
    from genloom.models.registry import get_registry

    copy = tmp_path / "gone"
    shutil.copytree(tiny_gpt2, copy)
    add_user_model(copy, model_id="gone")
    shutil.rmtree(copy)
    with pytest.raises(WeightsMissing, match="not found"):
        get_registry().load("gone")


def test_hub_id_loading_fails_fast_offline(monkeypatch):
    """Hub ids go through the real from_pretrained; offline, the error is clear."""
    from genloom.errors import WeightsMissing
    from genloom.models.card import Kind, ModelCard
    from genloom.models.registry import get_registry

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    card = ModelCard(id="hub-model", kind=Kind.text, backend="transformers",
                     options={"hub_id": "HuggingFaceTB/SmolLM2-135M-Instruct"})
    get_registry().register(card)
    with pytest.raises(WeightsMissing, match="Could not load"):
        get_registry().load("hub-model")
