"""The one interface every image backend implements."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from genloom.image.request import ImageRequest
from genloom.models.card import ModelCard

Progress = Callable[[float, str], None]


@dataclass
class GeneratedImage:
    image: Any  # PIL.Image
    seed: int
    meta: dict[str, Any] = field(default_factory=dict)
    # Third-party assets drawn into the picture: {"asset", "name", "license", "attribution", "source"}.
    attribution: list[dict[str, str]] = field(default_factory=list)
    # The composed scene (genloom.image.compose.Scene) when the backend has one: SVG output needs it.
    scene: Any = None


class ImageModel:
    """Subclasses implement :meth:`generate`; ``neural`` marks trained generative models."""

    neural = False

    def __init__(self, card: ModelCard):
        self.card = card

    def validate(self, request: ImageRequest) -> None:
        """Raise InvalidInput for requests this backend cannot serve (before any work)."""

    def generate(self, request: ImageRequest, progress: Progress | None = None) -> list[GeneratedImage]:
        raise NotImplementedError
