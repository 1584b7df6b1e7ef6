"""Embedded weights are pinned by full sha256 in one place; provenance names the weights or fails."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from genloom.errors import CorruptWeights, WeightsMissing
from genloom.models import pins
from genloom.models.card import Kind, ModelCard


def test_every_pin_is_a_full_sha256() -> None:
    for model_id, model_pins in pins.PINS.items():
        assert model_pins, model_id
        for pin in model_pins:
            assert len(pin.sha256) == 64 and set(pin.sha256) <= set("0123456789abcdef"), (model_id, pin)


def test_embedded_cards_carry_their_pinned_hash() -> None:
    from genloom.backends import embedded

    for card in embedded.EMBEDDED:
        assert card.sha256 == pins.pinned_sha256(card.id)


def test_a_corrupted_file_fails_loudly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = tmp_path / "w.bin"
    good.write_bytes(b"weights")
    sha = hashlib.sha256(b"weights").hexdigest()
    monkeypatch.setitem(pins.PINS, "toy", [pins.Pin(f"cache:{good.name}", sha)])
    monkeypatch.setenv("GENLOOM_MODELS_DIR", str(tmp_path))
    assert pins.verify("toy") == sha
    good.write_bytes(b"weightz")
    with pytest.raises(CorruptWeights, match="w.bin"):
        pins.verify("toy")
    good.unlink()
    with pytest.raises(WeightsMissing, match="not installed"):
        pins.verify("toy")


def test_several_files_combine_into_one_recomputable_hash() -> None:
    lines = "a.onnx 11\nb.json 22\n"
    assert pins.combined({"b.json": "22", "a.onnx": "11"}) == hashlib.sha256(lines.encode()).hexdigest()


def test_provenance_hash_for_each_kind_of_card(tmp_path: Path) -> None:
    f = tmp_path / "m.gguf"
    f.write_bytes(b"gguf")
    on_disk = ModelCard(id="mine", kind=Kind.text, backend="llama-cpp", path=str(f))
    assert pins.weights_hash(on_disk) == hashlib.sha256(b"gguf").hexdigest()
    composer = ModelCard(id="c", kind=Kind.image, backend="composer")
    assert pins.weights_hash(composer) is None  # no weights to hash
    nothing = ModelCard(id="x", kind=Kind.music, backend="somebody-else")
    with pytest.raises(WeightsMissing, match="Cannot compute the weights hash of x"):
        pins.weights_hash(nothing)
    gone = ModelCard(id="gone", kind=Kind.text, backend="llama-cpp", path=str(tmp_path / "missing.gguf"))
    with pytest.raises(WeightsMissing, match="gone"):
        pins.weights_hash(gone)


@pytest.mark.e2e
def test_installed_embedded_files_match_their_pins() -> None:
    checked = []
    for model_id, model_pins in pins.PINS.items():
        located = [pins.locate(p.where) for p in model_pins]
        if all(p is not None and p.is_file() for p in located):
            pins.verify(model_id)
            checked.append(model_id)
    assert "smollm2-135m" in checked, "the embedded packages are not installed: run 'make setup'"


def test_cards_of_pinned_models_agree_with_their_pins() -> None:
    from genloom.models.registry import get_registry

    cards = {c.id: c for c in get_registry().cards()}
    for model_id in pins.PINS:
        card = cards.get(model_id)
        assert card is not None, f"{model_id} is pinned but not registered"
        assert card.sha256 in (None, pins.pinned_sha256(model_id)), model_id
