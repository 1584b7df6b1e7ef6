"""Checks on GGUF files before llama.cpp sees them.

llama.cpp reports a truncated or foreign file with a generic failure (or
worse, aborts), so the obvious cases are caught here with a precise message.
"""

from __future__ import annotations

import struct
from pathlib import Path

from genloom.errors import CorruptWeights, WeightsMissing
from genloom.models.card import ModelCard

GGUF_MAGIC = b"GGUF"


def check_gguf(path: Path) -> None:
    path = Path(path)
    if not path.exists():
        raise WeightsMissing(f"Weights file not found: {path}", hint="check the path, or reinstall the model")
    size = path.stat().st_size
    if size < 32:
        raise CorruptWeights(f"{path} is {size} bytes: too small to be a GGUF model", hint="download it again")
    with open(path, "rb") as fh:
        head = fh.read(24)
    if head[:4] != GGUF_MAGIC:
        raise CorruptWeights(f"{path} is not a GGUF file (bad magic {head[:4]!r})", hint="pass a .gguf model file")
    version = struct.unpack("<I", head[4:8])[0]
    if version not in (2, 3):
        raise CorruptWeights(f"{path} has unsupported GGUF version {version}", hint="update llama-cpp-python or re-convert the model")


def looks_like_gguf(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == GGUF_MAGIC
    except OSError:
        return False


def resolve_gguf(card: ModelCard) -> Path:
    """The GGUF file of a card: assembled from an embedded package, or its own path."""
    if card.options.get("parts") or card.options.get("package_file"):
        from genloom.backends.embedded import ensure_installed

        return Path(ensure_installed(card))
    if not card.path:
        raise CorruptWeights(f"Model {card.id!r} has no weights path")
    return Path(card.path)


def gguf_sha256(card: ModelCard, path: Path) -> str:
    """The card's full sha256 when it has one, else the file's (cached) hash."""
    if card.sha256 and len(card.sha256) == 64:
        return card.sha256
    from genloom.backends.hashing import weights_sha256

    return weights_sha256(path)
