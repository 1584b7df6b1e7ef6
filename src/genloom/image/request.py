"""What an image request may ask for, checked once before any work starts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from genloom.errors import EmptyPrompt, InvalidInput

MIN_SIDE = 16  # favicons are 16 and 32 pixels
MAX_SIDE = 4096  # print posters: A4 at 300 dpi is 2480x3508
MAX_IMAGES = 16
MAX_STEPS = 200
MAX_PROMPT_CHARS = 4000
DEFAULT_SIZE = (1024, 1024)
# Each layout's natural shape, used when the request asks for no size.
STYLE_SIZES = {"banner": (1200, 628), "poster": (1024, 1448), "story": (1080, 1920), "thumbnail": (1280, 720),
               "card": (1600, 900), "logo": (1024, 1024), "icon": (1024, 1024)}
# Layouts the composer draws: the CONTRACT.md layouts plus its picture styles.
COMPOSER_LAYOUTS = ("poster", "banner", "logo", "thumbnail", "icon", "story", "card", "sticker", "illustration",
                    "pixel")
MAX_TEXT_CHARS = 200


def parse_size(value: Any, param: str = "size") -> tuple[int, int]:
    """``"768x512"``, ``768`` (square), ``(768, 512)`` -> (width, height), validated."""
    if isinstance(value, (tuple, list)) and len(value) == 2:
        w, h = value
    elif isinstance(value, int) and not isinstance(value, bool):
        w = h = value
    elif isinstance(value, str) and not re.fullmatch(r"[\d\sx×*,]+", value.lower()):
        # A named format ("instagram-story") or an aspect ratio ("16:9").
        from genloom.image.formats import resolve

        try:
            w, h = resolve(value)
        except InvalidInput:
            raise InvalidInput(f"Size {value!r} is not WIDTHxHEIGHT", hint="e.g. 512x512, 16:9 or instagram-story",
                               param=param) from None
    elif isinstance(value, str):
        m = re.fullmatch(r"\s*(\d{1,6})\s*(?:[x×*,]\s*(\d{1,6}))?\s*", value.lower())
        if not m:
            raise InvalidInput(f"Size {value!r} is not WIDTHxHEIGHT", hint="e.g. 512x512 or 768x512",
                               param=param)
        w = int(m.group(1))
        h = int(m.group(2) or m.group(1))
    else:
        raise InvalidInput(f"Size {value!r} is not WIDTHxHEIGHT", hint="e.g. 512x512", param=param)
    try:
        w, h = int(w), int(h)
    except (TypeError, ValueError):
        raise InvalidInput(f"Size {value!r} is not WIDTHxHEIGHT", hint="e.g. 512x512", param=param) from None
    for side in (w, h):
        if not MIN_SIDE <= side <= MAX_SIDE:
            raise InvalidInput(f"Image size {w}x{h} is out of range",
                               hint=f"each side must be {MIN_SIDE} to {MAX_SIDE} pixels", param=param)
    return w, h


def check_prompt(prompt: Any) -> str:
    if not isinstance(prompt, str) or not prompt.strip():
        raise EmptyPrompt("The image prompt is empty", hint="describe the picture, e.g. 'a poster for a jazz night'",
                          param="prompt")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise InvalidInput(f"The image prompt is {len(prompt)} characters long",
                           hint=f"keep it under {MAX_PROMPT_CHARS} characters", param="prompt")
    return prompt.strip()


def _int(params: dict[str, Any], key: str, lo: int, hi: int, default: int | None) -> int | None:
    value = params.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InvalidInput(f"{key} must be a whole number, got {value!r}", param=key)
    try:
        number = int(value)
    except ValueError:
        raise InvalidInput(f"{key} must be a whole number, got {value!r}", param=key) from None
    if number != float(value) or not lo <= number <= hi:
        raise InvalidInput(f"{key}={value!r} is out of range", hint=f"use {lo} to {hi}", param=key)
    return number


@dataclass
class ImageRequest:
    prompt: str
    width: int = 512
    height: int = 512
    n: int = 1
    seed: int | None = None
    style: str | None = None
    negative_prompt: str | None = None
    steps: int | None = None
    guidance: float | None = None
    scheduler: str | None = None
    headline: str | None = None
    subline: str | None = None
    cta: str | None = None
    # Layout family (poster, banner, logo, thumbnail, icon, story, card, sticker, ...), from
    # ``layout``, the named format or a layout-like ``style``; None lets the prompt decide.
    layout: str | None = None
    format: str | None = None  # canonical named format id, when one was asked
    transparent: bool = False
    size_given: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_params(cls, prompt: str, params: dict[str, Any]) -> ImageRequest:
        params = dict(params)
        prompt = check_prompt(prompt)
        size = _size(params)
        n = _int(params, "n", 1, MAX_IMAGES, 1)
        seed = _int(params, "seed", 0, 2**32 - 1, None)
        steps = _int(params, "steps", 1, MAX_STEPS, None)
        guidance = params.get("guidance", params.get("guidance_scale"))
        if guidance is not None:
            try:
                guidance = float(guidance)
            except (TypeError, ValueError):
                raise InvalidInput(f"guidance must be a number, got {guidance!r}", param="guidance") from None
            if not 0.0 <= guidance <= 50.0:
                raise InvalidInput(f"guidance={guidance} is out of range", hint="use 0 to 50", param="guidance")
        negative = params.get("negative_prompt") or params.get("negative")
        if negative is not None and len(str(negative)) > MAX_PROMPT_CHARS:
            raise InvalidInput("The negative prompt is too long", hint=f"keep it under {MAX_PROMPT_CHARS} characters",
                               param="negative_prompt")
        known = {"n", "seed", "steps", "guidance", "guidance_scale", "negative_prompt", "negative", "style",
                 "scheduler", "headline", "subline", "cta", "layout", "format", "aspect", "transparent", "size",
                 "width", "height"}
        fmt = _format_id(params.get("format"))
        return cls(
            prompt=prompt, width=(size or DEFAULT_SIZE)[0], height=(size or DEFAULT_SIZE)[1], n=n or 1, seed=seed,
            style=(params.get("style") or None), negative_prompt=negative, steps=steps, guidance=guidance,
            scheduler=params.get("scheduler") or None, headline=_text(params, "headline"),
            subline=_text(params, "subline"), cta=_text(params, "cta"),
            layout=_layout(params, fmt), format=fmt,
            transparent=bool(params.get("transparent", False)), size_given=size is not None,
            extra={k: v for k, v in params.items() if k not in known},
        )

    def with_layout_size(self, layout: str) -> ImageRequest:
        """This request at ``layout``'s natural size when it asked for none."""
        from dataclasses import replace

        if self.size_given or layout not in STYLE_SIZES:
            return self
        w, h = STYLE_SIZES[layout]
        return replace(self, width=w, height=h)

    def seeds(self) -> list[int]:
        import secrets

        base = self.seed if self.seed is not None else secrets.randbelow(2**31)
        return [(base + i) % 2**32 for i in range(self.n)]


def _size(params: dict[str, Any]) -> tuple[int, int] | None:
    """The asked size: ``size`` (pixels, format or aspect), else width/height/aspect/format."""
    from genloom.image.formats import size_for

    if params.get("size") is not None:
        return parse_size(params["size"])
    width = _int(params, "width", MIN_SIDE, MAX_SIDE, None)
    height = _int(params, "height", MIN_SIDE, MAX_SIDE, None)
    aspect = params.get("aspect")
    if aspect is not None and not isinstance(aspect, str):
        raise InvalidInput(f"aspect must be a string such as '16:9', got {aspect!r}", param="aspect")
    fmt = params.get("format")
    if fmt is not None and not isinstance(fmt, str):
        raise InvalidInput(f"format must be a format name, got {fmt!r}", param="format")
    size = size_for(width=width, height=height, aspect=aspect, format=fmt)
    return parse_size(size, "size") if size is not None else None


def _format_id(value: Any) -> str | None:
    from genloom.image.formats import format_id

    return format_id(value) if isinstance(value, str) and value.strip() else None


def _layout(params: dict[str, Any], fmt: str | None) -> str | None:
    from genloom.image.formats import layout_for

    layout = params.get("layout")
    if layout is not None:
        word = str(layout).strip().lower()
        if word not in COMPOSER_LAYOUTS:
            raise InvalidInput(f"Unknown layout {layout!r}", hint="one of " + ", ".join(COMPOSER_LAYOUTS),
                               param="layout")
        return word
    if fmt is not None:
        return layout_for(fmt)
    return None


def _text(params: dict[str, Any], key: str) -> str | None:
    value = params.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{key} must be text, got {value!r}", param=key)
    value = " ".join(value.split())
    if len(value) > MAX_TEXT_CHARS:
        raise InvalidInput(f"The {key} is {len(value)} characters long",
                           hint=f"keep words printed on an image under {MAX_TEXT_CHARS} characters", param=key)
    return value or None
