"""What every local-weights backend does before it can run: the same checks, the same errors.

MusicGen, Whisper and Kokoro (and any backend of that shape) need an optional
library, a model directory that exists, and a load that turns the library's
own exceptions into genloom's: a missing file is :class:`WeightsMissing`, an
unreadable one :class:`CorruptWeights`. Keeping that here means each backend
says only what is special about it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from genloom.errors import BackendUnavailable, CorruptWeights, WeightsMissing
from genloom.models.card import ModelCard


@contextmanager
def needs(what: str, packages: str, hint: str) -> Iterator[None]:
    """Turn an ImportError inside the block into ``BackendUnavailable("<what> needs <packages>")``."""
    try:
        yield
    except ImportError as exc:
        raise BackendUnavailable(f"{what} needs {packages}", hint=hint) from exc


def pull_hint(card: ModelCard) -> str:
    return f"genloom pull {card.id}" if card.options.get("catalog") else "check its path"


def model_dir(card: ModelCard, what: str) -> Path:
    """The card's files, or ``WeightsMissing`` naming how to get them."""
    if not card.path or not Path(card.path).exists():
        raise WeightsMissing(f"{what} model {card.id!r} is not installed", hint=pull_hint(card))
    return Path(card.path)


def hf_config(path: Path, model_type: str) -> dict[str, Any] | None:
    """A transformers directory's ``config.json`` when its ``model_type`` is ``model_type``."""
    try:
        data = json.loads((Path(path) / "config.json").read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("model_type") == model_type else None


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


@contextmanager
def loading(what: str, path: Path | str, *, corrupt: tuple[type[BaseException], ...] = (ValueError, RuntimeError)
            ) -> Iterator[None]:
    """Map a library's load errors: OSError -> WeightsMissing, ``corrupt`` types -> CorruptWeights."""
    try:
        yield
    except OSError as exc:
        raise WeightsMissing(f"Cannot load {what} from {path}: {exc}", hint="pull it again") from exc
    except corrupt as exc:
        raise CorruptWeights(f"{what} files in {path} are unreadable: {exc}", hint="pull it again") from exc
