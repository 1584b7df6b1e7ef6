"""The pictures a video shows: one still per shot from the image model, or the user's own photos.

A user's photo is never cropped away: it is fitted whole into the frame,
over a blurred, darkened copy of itself where the shapes differ (a landscape
photo in a vertical video), the way phone galleries show them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genloom.errors import InvalidInput


@dataclass
class Stills:
    images: list[Any]  # PIL images, one per shot
    model_id: str  # what drew them ("files" for the user's photos)
    credits: list[dict[str, str]] = field(default_factory=list)


# paint(descriptions, size, seed) -> Stills: the component that draws one still per shot.
Painter = Callable[[list[str], tuple[int, int], int], Stills]


def painter_for(model: str | None, image_params: dict[str, Any]) -> Painter:
    """The default :data:`Painter`: an image model through its API (the composer unless ``model`` names another)."""

    def paint(descriptions: list[str], size: tuple[int, int], seed: int) -> Stills:
        from genloom.image.request import ImageRequest
        from genloom.image.runner import load_image_model

        engine = load_image_model(model)
        images, credits = [], []
        for i, text in enumerate(descriptions):
            request = ImageRequest.from_params(text, {**image_params, "size": size, "seed": (seed + i) % 2**32})
            engine.validate(request)
            made = engine.generate(request)[0]
            images.append(made.image.convert("RGB"))
            credits += made.attribution
        return Stills(images, engine.card.id, credits)

    return paint


def load_photos(paths: list[Path]) -> list[Any]:
    from PIL import Image, ImageOps, UnidentifiedImageError

    out = []
    for path in paths:
        try:
            with Image.open(path) as im:
                # Phone photos store their rotation in EXIF: show them the way up they were taken.
                out.append(ImageOps.exif_transpose(im).convert("RGB"))
        except (UnidentifiedImageError, OSError) as exc:
            raise InvalidInput(f"{path} is not an image Pillow can read", hint="use PNG, JPEG or WebP",
                               param="images") from exc
    return out


def fit_whole(photo: Any, size: tuple[int, int], margin: float = 0.0) -> Any:
    """``photo`` scaled to fit inside ``size`` (minus ``margin`` each side), over a blurred fill of itself."""
    from PIL import Image, ImageEnhance, ImageFilter

    w, h = size
    scale = max(w / photo.width, h / photo.height)
    fill = photo.resize((max(1, round(photo.width * scale)), max(1, round(photo.height * scale))),
                        Image.Resampling.BILINEAR)
    left, top = (fill.width - w) // 2, (fill.height - h) // 2
    fill = fill.crop((left, top, left + w, top + h))
    small = fill.resize((max(1, w // 8), max(1, h // 8)), Image.Resampling.BILINEAR)
    # Dimmed only a little: a dark fill would frame the photo in hard edges, and a frame that reads as
    # the photo (its colours carried out to the edges) is what a viewer, and a thumbnail, recognise.
    fill = ImageEnhance.Brightness(small.filter(ImageFilter.GaussianBlur(4))).enhance(0.8).resize(
        (w, h), Image.Resampling.BILINEAR)
    inner_w, inner_h = w * (1 - 2 * margin), h * (1 - 2 * margin)
    scale = min(inner_w / photo.width, inner_h / photo.height)
    shown = photo.resize((max(1, round(photo.width * scale)), max(1, round(photo.height * scale))),
                         Image.Resampling.LANCZOS)
    fill.paste(shown, ((w - shown.width) // 2, (h - shown.height) // 2))
    return fill


@dataclass
class Scene:
    """An animated scene: ``frame(t)`` over its own time, its first still and its art credits."""

    frame: Callable[[float], Any]
    first: Any
    model_id: str
    credits: list[dict[str, str]] = field(default_factory=list)


# animate(prompt, size, seed, seconds, motion) -> Scene: the component that moves one composed scene.
Animator = Callable[[str, tuple[int, int], int, float, str], Scene]


def animator_for(model: str | None, image_params: dict[str, Any]) -> Animator:
    """The default :data:`Animator`: the composer's scene with its subject moving."""

    def animate(prompt: str, size: tuple[int, int], seed: int, seconds: float, motion: str) -> Scene:
        from genloom.image.composer import ComposerModel
        from genloom.image.request import ImageRequest
        from genloom.image.runner import load_image_model
        from genloom.video.frames import animate_scene

        engine = load_image_model(model)
        if not isinstance(engine, ComposerModel):
            raise InvalidInput(f"Model {engine.card.id!r} cannot animate a scene",
                               hint="give shots, or mode=slideshow, or use the default composer", param="mode")
        request = ImageRequest.from_params(prompt, {**image_params, "size": size, "seed": seed})
        plan, scene = engine.scene(request, seed)
        return Scene(animate_scene(scene, seconds, motion), scene.background, engine.card.id, list(plan.credits))

    return animate
