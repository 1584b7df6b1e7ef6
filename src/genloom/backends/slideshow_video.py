"""Backend for the built-in video maker (``genloom-video``): composed, animated scenes and slideshows."""

from __future__ import annotations

import importlib.util
from typing import Any

from genloom.models.card import Kind, ModelCard

CARD = ModelCard(
    id="genloom-video",
    name="genloom clip maker (animated composed scenes, Ken Burns slideshows)",
    kind=Kind.video,
    default_for=[Kind.video],
    tasks=["animate", "slideshow"],
    backend="slideshow",
    license="Apache-2.0 (code); art as attributed in each clip",
    source="pypi: imageio-ffmpeg (bundled ffmpeg, libx264), Pillow",
    description="MP4 (H.264) or GIF clips from composed scenes or any image model's stills; "
                "narration and music mixed in when speech/music generators exist.",
    aliases=["slideshow", "default-video"],
)


class VideoMaker:
    """A video model's one job: turn a prompt into a clip (see :func:`genloom.video.runner.run_video`)."""

    def __init__(self, card: ModelCard):
        self.card = card


def status(card: ModelCard) -> str:
    return "installed" if importlib.util.find_spec("imageio_ffmpeg") is not None else "missing"


def factory(card: ModelCard) -> VideoMaker:
    return VideoMaker(card)


def register(register_model: Any) -> None:
    register_model(CARD)
