"""What an image request may ask for, checked once before any work starts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from genloom.errors import EmptyPrompt, InvalidInput

MIN_SIDE = 64
MAX_SIDE = 2048
MAX_IMAGES = 16
MAX_STEPS = 200
MAX_PROMPT_CHARS = 4000
DEFAULT_SIZE = (512, 512)
# Styles whose natural shape is not square, used when no size is given.
STYLE_SIZES = {"banner": (1024, 384), "poster": (512, 704)}


def parse_size(value: Any, param: str = "size") -> tuple[int, int]:
    """``"768x512"``, ``768`` (square), ``(768, 512)`` -> (width, height), validated."""
    if isinstance(value, (tuple, list)) and len(value) == 2:
        w, h = value
    elif isinstance(value, int) and not isinstance(value, bool):
        w = h = value
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
    transparent: bool = False
    size_given: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_params(cls, prompt: str, params: dict[str, Any]) -> ImageRequest:
        params = dict(params)
        prompt = check_prompt(prompt)
        size_value = params.pop("size", None)
        if size_value is None and ("width" in params or "height" in params):
            size_value = (params.pop("width", 512), params.pop("height", 512))
        size = parse_size(size_value) if size_value is not None else DEFAULT_SIZE
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
                 "scheduler", "headline", "transparent", "size", "width", "height"}
        return cls(
            prompt=prompt, width=size[0], height=size[1], n=n or 1, seed=seed,
            style=(params.get("style") or None), negative_prompt=negative, steps=steps, guidance=guidance,
            scheduler=params.get("scheduler") or None, headline=params.get("headline"),
            transparent=bool(params.get("transparent", False)), size_given=size_value is not None,
            extra={k: v for k, v in params.items() if k not in known},
        )

    def seeds(self) -> list[int]:
        import secrets

        base = self.seed if self.seed is not None else secrets.randbelow(2**31)
        return [(base + i) % 2**32 for i in range(self.n)]
