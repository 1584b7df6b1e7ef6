"""Drawing primitives for the composer: gradients, shadows, outlines, type."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

RGB = tuple[int, int, int]

FONT_DIRS = ["/usr/share/fonts/truetype/open-sans", "/usr/share/fonts/truetype/roboto/unhinted/RobotoTTF",
             "/usr/share/fonts/truetype/dejavu"]
HEADLINE_FONTS = ["OpenSans-ExtraBold.ttf", "Roboto-Black.ttf", "DejaVuSans-Bold.ttf"]
BODY_FONTS = ["OpenSans-Semibold.ttf", "Roboto-Medium.ttf", "DejaVuSans.ttf"]


def rgb(color: str) -> RGB:
    color = color.lstrip("#")
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


def mix(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def gradient(size: tuple[int, int], top: RGB, bottom: RGB, kind: str = "vertical") -> Any:
    """A smooth two-colour gradient. Computed small and scaled up: it has no detail to lose."""
    import numpy as np
    from PIL import Image

    w, h = size
    sw, sh = (1, min(h, 256)) if kind == "vertical" else (max(1, min(w, 128)), max(1, min(h, 128)))
    if kind == "radial":
        y, x = np.ogrid[:sh, :sw]
        d = np.sqrt(((x + 0.5 - sw / 2) / (sw / 2)) ** 2 + ((y + 0.5 - sh * 0.42) / (sh / 2)) ** 2) / 1.3
        t = np.clip(d, 0, 1)
    elif kind == "diagonal":
        y, x = np.ogrid[:sh, :sw]
        t = (x / max(1, sw - 1) * 0.4 + y / max(1, sh - 1) * 0.6)
    else:
        t = np.linspace(0, 1, sh)[:, None] * np.ones((1, sw))
    t = np.asarray(t, dtype=np.float32)[..., None]
    a = np.array(top, dtype=np.float32)
    b = np.array(bottom, dtype=np.float32)
    arr = a + (b - a) * t
    small = Image.fromarray(np.round(arr).astype(np.uint8), "RGB")
    return small if small.size == (w, h) else small.resize((w, h), Image.Resampling.BILINEAR)


def glow(size: tuple[int, int], center: tuple[float, float], radius: float, color: RGB, strength: float) -> Any:
    """A soft radial light as an RGBA layer (computed at a quarter size: it is all soft)."""
    import numpy as np
    from PIL import Image

    w, h = size
    k = 4 if min(w, h) >= 256 else 1
    sw, sh = max(1, w // k), max(1, h // k)
    y, x = np.ogrid[:sh, :sw]
    d = np.sqrt((x * k - center[0]) ** 2 + (y * k - center[1]) ** 2) / max(radius, 1)
    alpha = np.clip(1 - d, 0, 1) ** 2 * 255 * strength
    layer = np.zeros((sh, sw, 4), dtype=np.uint8)
    layer[..., :3] = color
    layer[..., 3] = alpha.astype(np.uint8)
    img = Image.fromarray(layer, "RGBA")
    return img if img.size == (w, h) else img.resize((w, h), Image.Resampling.BILINEAR)


def shadow(img: Any, blur: float, color: RGB = (0, 0, 0), opacity: float = 0.35) -> Any:
    """A blurred silhouette of ``img`` (padded so the blur is not clipped)."""
    from PIL import Image, ImageFilter

    pad = int(blur * 3) + 2
    alpha = img.getchannel("A").point(lambda v: int(v * opacity))
    canvas = Image.new("L", (img.width + 2 * pad, img.height + 2 * pad), 0)
    canvas.paste(alpha, (pad, pad))
    canvas = canvas.filter(ImageFilter.GaussianBlur(blur))
    out = Image.new("RGBA", canvas.size, color + (0,))
    out.putalpha(canvas)
    return out


def outline(img: Any, width: int, color: RGB = (255, 255, 255)) -> Any:
    """Die-cut sticker edge: the art on a smooth rim ``width`` px wide."""
    from PIL import Image, ImageFilter

    pad = width + 4
    alpha = Image.new("L", (img.width + 2 * pad, img.height + 2 * pad), 0)
    alpha.paste(img.getchannel("A"), (pad, pad))
    # Blur-then-threshold grows the shape with round corners far faster than MaxFilter.
    grown = alpha.filter(ImageFilter.GaussianBlur(width / 2)).point(lambda v: 255 if v > 6 else 0)
    grown = grown.filter(ImageFilter.GaussianBlur(1))
    out = Image.new("RGBA", alpha.size, color + (0,))
    out.putalpha(grown)
    out.alpha_composite(img, (pad, pad))
    return out


@functools.lru_cache(maxsize=8)
def font_path(kind: str) -> str | None:
    names = HEADLINE_FONTS if kind == "headline" else BODY_FONTS
    for name in names:
        for d in FONT_DIRS:
            p = Path(d) / name
            if p.exists():
                return str(p)
    return None


@functools.lru_cache(maxsize=64)
def font(kind: str, size: int) -> Any:
    from PIL import ImageFont

    path = font_path(kind)
    if path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(path, size)


def wrap_fit(text: str, kind: str, max_w: int, max_h: int, max_lines: int = 2,
             start: int = 200) -> tuple[Any, list[str]]:
    """The biggest font (and line split) that fits ``text`` into the box."""
    words = text.split()
    size = min(start, max_h)
    while size > 8:
        f = font(kind, size)
        for n in range(1, min(max_lines, len(words)) + 1):
            lines = _split_even(words, n)
            widths = [f.getlength(line) for line in lines]
            height = n * size * 1.12
            if max(widths) <= max_w and height <= max_h:
                return f, lines
        size = int(size * 0.92)
    return font(kind, 8), [text]


def _split_even(words: list[str], n: int) -> list[str]:
    """``words`` in ``n`` lines whose longest line is as short as possible."""
    if n <= 1 or len(words) <= 1:
        return [" ".join(words)]
    best: list[str] | None = None
    for i in range(1, len(words)):
        head = " ".join(words[:i])
        rest = _split_even(words[i:], n - 1)
        lines = [head, *rest]
        if best is None or max(map(len, lines)) < max(map(len, best)):
            best = lines
    return best or [" ".join(words)]


def text_layer(lines: list[str], f: Any, color: RGB, *, align: str = "center",
               shadow_color: RGB | None = None, spacing: float = 1.12) -> Any:
    """Text block as a tight RGBA image, optionally with a soft drop shadow."""
    from PIL import Image, ImageDraw

    size = f.size
    widths = [int(f.getlength(line)) for line in lines]
    w = max(widths) + 8
    h = int(size * spacing * len(lines) + size * 0.3)
    img = Image.new("RGBA", (w, h), color + (0,))
    d = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        x = {"left": 4, "right": w - widths[i] - 4}.get(align, (w - widths[i]) // 2)
        d.text((x, int(i * size * spacing)), line, font=f, fill=color + (255,))
    if shadow_color is not None:
        sh = shadow(img, max(1.5, size / 18), shadow_color, 0.45)
        pad = (sh.width - w) // 2
        base = Image.new("RGBA", sh.size, color + (0,))
        base.alpha_composite(sh, (0, max(1, size // 24)))
        base.alpha_composite(img, (pad, pad))
        return base
    return img


def rounded_rect_mask(size: tuple[int, int], box: tuple[int, int, int, int], radius: int) -> Any:
    from PIL import Image, ImageDraw

    # Draw at 2x and shrink: Pillow's rounded corners are not antialiased.
    big = Image.new("L", (size[0] * 2, size[1] * 2), 0)
    ImageDraw.Draw(big).rounded_rectangle([c * 2 for c in box], radius=radius * 2, fill=255)
    return big.reduce(2)


def hills(size: tuple[int, int], base_y: float, amp: float, color: RGB, phase: float, waves: float = 1.5) -> Any:
    """A smooth silhouette of rolling hills as an RGBA layer."""
    import math

    from PIL import Image, ImageDraw

    w, h = size
    s = 2
    img = Image.new("RGBA", (w * s, h * s), color + (0,))
    pts = []
    steps = 64
    for i in range(steps + 1):
        x = w * i / steps
        y = base_y - amp * (0.6 * math.sin(2 * math.pi * waves * i / steps + phase)
                            + 0.4 * math.sin(2 * math.pi * waves * 2.3 * i / steps + phase * 1.7))
        pts.append((x * s, y * s))
    pts += [(w * s, h * s), (0, h * s)]
    ImageDraw.Draw(img).polygon(pts, fill=color + (255,))
    return img.reduce(2)


def mountains(size: tuple[int, int], base_y: float, peak_h: float, color: RGB, seed: int,
              snow: RGB | None = None) -> Any:
    import random

    from PIL import Image, ImageDraw

    w, h = size
    rng = random.Random(seed)
    s = 2
    img = Image.new("RGBA", (w * s, h * s), color + (0,))
    d = ImageDraw.Draw(img)
    n = rng.randint(3, 5)
    for i in range(n):
        cx = w * (i + 0.5 + rng.uniform(-0.3, 0.3)) / n
        ph = peak_h * rng.uniform(0.6, 1.0)
        half = w / n * rng.uniform(0.7, 1.1)
        top = (cx * s, (base_y - ph) * s)
        d.polygon([((cx - half) * s, h * s), top, ((cx + half) * s, h * s)], fill=color + (255,))
        if snow is not None:
            f = 0.28
            d.polygon([top, ((cx - half * f) * s, (base_y - ph * (1 - f)) * s),
                       (cx * s, (base_y - ph * (1 - f * 1.3)) * s),
                       ((cx + half * f) * s, (base_y - ph * (1 - f)) * s)], fill=snow + (255,))
    return img.reduce(2)
