"""Words on pictures: fitted to their box, never clipped, always readable.

Every text block is set into a box of the layout grid: the largest font size
whose wrapped lines fit the box (measured on the real glyph outlines, so
descenders and accents are inside the layer), then coloured for contrast with
what lies under the box. When neither the palette's text colour nor plain
white/ink reaches the WCAG 4.5:1 contrast ratio over the art (or the area is
busy), the block gets a soft plate in the background colour behind it.

Blocks keep their words, font and colours (:class:`TextBlock`) so the SVG
writer can emit real, editable ``<text>`` elements.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from genloom.image import draw
from genloom.image.draw import RGB, mix

MIN_CONTRAST = 4.5
INK: RGB = (20, 20, 28)
PAPER: RGB = (255, 255, 255)


def luminance(c: RGB) -> float:
    def ch(v: int) -> float:
        x = v / 255
        return x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4

    r, g, b = c
    return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b)


def contrast(a: RGB, b: RGB) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@dataclass
class TextBlock:
    """A set text block: enough to draw it as pixels or as SVG text."""

    lines: list[str]
    kind: str  # headline | body
    size: int
    color: RGB
    align: str  # left | center | right
    font_path: str | None
    plate: RGB | None = None  # colour of the plate behind the text, if any
    plate_alpha: int = 0
    pill: bool = False  # a call-to-action button
    line_gap: float = 1.08
    outline: RGB | None = None  # a stroke around the letters (thumbnails)


def fit(text: str, kind: str, max_w: float, max_h: float, *, max_lines: int = 3, start: int | None = None,
        min_size: int = 8, spacing: float = 1.08) -> tuple[Any, list[str]]:
    """The largest font and line split whose glyph boxes fit ``max_w`` x ``max_h``.

    Long words never split; if even ``min_size`` cannot fit, the words are set at ``min_size``
    (the caller's box is then the limit to enlarge). Sizes are found by bisection.
    """
    words = text.split()

    def fits(size: int) -> list[str] | None:
        f = draw.font(kind, size)
        for n in range(1, min(max_lines, len(words)) + 1):
            lines = draw._split_even(words, n)
            w, h = measure(lines, f, spacing)
            if w <= max_w and h <= max_h:
                return lines
        return None

    lo, hi = min_size, max(min_size, int(min(start or max_h, max_h)))
    best = fits(lo)
    if best is None:
        return draw.font(kind, min_size), draw._split_even(words, min(max_lines, len(words)) or 1)
    while lo < hi:  # largest size that fits: fits() is monotone in the size
        mid = (lo + hi + 1) // 2
        lines = fits(mid)
        if lines is not None:
            lo, best = mid, lines
        else:
            hi = mid - 1
    return draw.font(kind, lo), best


def measure(lines: list[str], f: Any, spacing: float = 1.08) -> tuple[int, int]:
    """Ink width and block height of ``lines`` set in ``f``."""
    ascent, descent = f.getmetrics()
    widths = [_ink_width(f, line) for line in lines]
    height = int((ascent + descent) + (len(lines) - 1) * f.size * spacing)
    return max(widths or [0]), height


def _ink_width(f: Any, line: str) -> int:
    x0, _, x1, _ = f.getbbox(line)
    return int(max(x1, f.getlength(line)) - min(0, x0)) + 1


def region_stats(image: Any, box: tuple[float, float, float, float]) -> tuple[RGB, float]:
    """Mean colour and luminance spread (0-1) of ``image`` inside ``box``."""
    import numpy as np

    x0, y0, x1, y1 = (int(round(v)) for v in box)
    x0, y0 = max(0, x0), max(0, y0)
    x1, y1 = min(image.width, max(x0 + 1, x1)), min(image.height, max(y0 + 1, y1))
    arr = np.asarray(image.crop((x0, y0, x1, y1)).convert("RGB"), dtype=np.float32)
    mean = tuple(int(v) for v in arr.reshape(-1, 3).mean(axis=0))
    lum = arr @ np.array([0.2126, 0.7152, 0.0722], dtype=np.float32) / 255
    return mean, float(lum.std())  # type: ignore[return-value]


def readable_color(preferred: RGB, under: RGB) -> tuple[RGB, bool]:
    """``preferred`` if it reads on ``under``, else white or ink; the flag says a plate is needed."""
    if contrast(preferred, under) >= MIN_CONTRAST:
        return preferred, False
    best = max((PAPER, INK), key=lambda c: contrast(c, under))
    return best, contrast(best, under) < MIN_CONTRAST


def set_block(text: str, kind: str, box: tuple[float, float, float, float], under: Any, *, color: RGB,
              align: str = "center", max_lines: int = 3, start: int | None = None, upper: bool = False,
              min_size: int = 8, outline: RGB | None = None) -> tuple[TextBlock, tuple[float, float, float, float]]:
    """Fit ``text`` into ``box`` over the picture ``under``; returns the block and its final box."""
    x0, y0, x1, y1 = box
    words = text.upper() if upper else text
    f, lines = fit(words, kind, x1 - x0, y1 - y0, max_lines=max_lines, start=start, min_size=min_size)
    w, h = measure(lines, f)
    left = {"left": x0, "right": x1 - w}.get(align, (x0 + x1 - w) / 2)
    top = (y0 + y1 - h) / 2
    final = (left, top, left + w, top + h)
    mean, spread = region_stats(under, final)
    if outline is not None:
        # Outlined letters read against their own outline, whatever is under them.
        fill, needs_plate = (color if contrast(color, outline) >= MIN_CONTRAST else PAPER), False
    else:
        fill, needs_plate = readable_color(color, mean)
    block = TextBlock(lines=lines, kind=kind, size=f.size, color=fill, align=align, font_path=draw.font_path(kind),
                      outline=outline)
    if outline is None and (needs_plate or spread > 0.16):
        # Busy or mid-tone art under the words: a plate in the opposite tone keeps them readable.
        block.plate = INK if luminance(fill) > 0.5 else PAPER
        block.plate_alpha = 200
    return block, final


def render(block: TextBlock) -> Any:
    """The block as a tight RGBA layer (plate and outline included)."""
    from PIL import Image, ImageDraw

    f = draw.font(block.kind, block.size)
    w, h = measure(block.lines, f, block.line_gap)
    stroke = max(2, block.size // 16) if block.outline else 0
    pad_x = int(block.size * 0.45) if (block.plate or block.pill) else stroke + 2
    pad_y = int(block.size * 0.28) if (block.plate or block.pill) else stroke + 2
    img = Image.new("RGBA", (w + 2 * pad_x, h + 2 * pad_y), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    if block.plate is not None:
        radius = int(block.size * (0.9 if block.pill else 0.35))
        d.rounded_rectangle([0, 0, img.width - 1, img.height - 1], radius=min(radius, img.height // 2),
                            fill=block.plate + (block.plate_alpha,))
    for i, line in enumerate(block.lines):
        lw = _ink_width(f, line)
        x = pad_x + {"left": 0, "right": w - lw}.get(block.align, (w - lw) // 2)
        y = pad_y + int(i * block.size * block.line_gap)
        x -= min(0, f.getbbox(line)[0])
        d.text((x, y), line, font=f, fill=block.color + (255,), stroke_width=stroke,
               stroke_fill=(block.outline + (255,)) if block.outline else None)
    return img


def cta_block(text: str, box: tuple[float, float, float, float], fill: RGB, *, align: str = "center",
              max_size: int | None = None, min_size: int = 8) -> tuple[TextBlock, tuple[float, float, float, float]]:
    """A call to action as a pill button in ``fill`` with readable letters."""
    x0, y0, x1, y1 = box
    h = max(y1 - y0, min_size / 0.62)
    f, lines = fit(text, "headline", (x1 - x0) * 0.8, h * 0.62, max_lines=1, start=max_size, min_size=min_size)
    w, th = measure(lines, f)
    ink, _ = readable_color(PAPER if luminance(fill) < 0.4 else INK, fill)
    if contrast(ink, fill) < MIN_CONTRAST:
        fill = mix(fill, (0, 0, 0), 0.45) if luminance(fill) > 0.2 else mix(fill, (255, 255, 255), 0.5)
        ink, _ = readable_color(PAPER, fill)
    block = TextBlock(lines=lines, kind="headline", size=f.size, color=ink, align="center",
                      font_path=draw.font_path("headline"), plate=fill, plate_alpha=255, pill=True)
    full_w = w + 2 * int(f.size * 0.45)
    left = {"left": x0, "right": x1 - full_w}.get(align, (x0 + x1 - full_w) / 2)
    top = (y0 + y1 - th) / 2
    return block, (left, top, left + full_w, top + th)
