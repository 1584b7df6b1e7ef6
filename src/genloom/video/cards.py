"""Title and end cards carrying the name from the request.

The title sits over the first shot (a dark band behind big words, fading
out); the end card is a frame of its own: the name, and the call to action
or sub-line under it, on a colour taken from the pictures so it belongs.
"""

from __future__ import annotations

from typing import Any

from genloom.video.captions import Overlay, overlay_from

TITLE_S = 2.2
END_S = 2.0
# Shorter videos get no end card: it would take too much of them (a user's clip, even more so).
END_MIN_VIDEO_S = 5.0
END_MIN_CLIP_S = 10.0


def title_overlay(text: str, size: tuple[int, int], at: float) -> Overlay:
    """The name on a dark band centred ``at`` that share of the frame's height (see :func:`title_place`)."""
    from PIL import Image, ImageDraw

    from genloom.image.draw import wrap_fit

    w, h = size
    f, lines = wrap_fit(text, "headline", int(w * 0.84), int(min(h * 0.22, w * 0.34)), max_lines=3,
                        start=int(w / 7))
    line_h = int(f.size * 1.15)
    band_h = line_h * len(lines) + int(f.size * 1.0)
    img = Image.new("RGBA", (w, band_h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, w, band_h), fill=(8, 8, 12, 150))
    y = (band_h - line_h * len(lines)) // 2
    for i, line in enumerate(lines):
        lw = f.getlength(line)
        d.text(((w - lw) / 2, y + i * line_h), line, font=f, fill=(255, 255, 255, 255))
    return overlay_from(img, 0, max(0, min(h - band_h, int(h * at) - band_h // 2)))


def title_place(drawn: bool, captions: bool) -> float:
    """Where the title band goes: high on drawn art (its sky; the subject stands in the middle),
    in the lower third on the user's photos and clips (clear of faces), above the captions."""
    if drawn:
        return 0.2
    return 0.6 if captions else 0.7


def end_card(name: str, line: str | None, size: tuple[int, int], tint: tuple[int, int, int]) -> Any:
    """The closing frame as a PIL image: ``name`` large, ``line`` under it."""
    from PIL import Image, ImageDraw

    from genloom.image.draw import wrap_fit

    w, h = size
    # A deep version of the pictures' own colour: light text on it always has contrast.
    dark = tuple(int(c * 0.35) for c in tint)
    img = Image.new("RGB", size, dark)
    d = ImageDraw.Draw(img)
    for y in range(0, h, 2):  # a soft vertical glow, half again as light in the middle
        k = 1 + 0.5 * (1 - abs(y - h / 2) / (h / 2))
        d.line((0, y, w, y + 1), fill=tuple(min(255, int(c * k)) for c in dark))
    f, lines = wrap_fit(name, "headline", int(w * 0.84), int(min(h * 0.24, w * 0.4)), max_lines=3, start=int(w / 6))
    line_h = int(f.size * 1.15)
    sub_f, sub_lines = (wrap_fit(line, "body", int(w * 0.8), int(min(h * 0.1, w * 0.16)), max_lines=2,
                                 start=int(w / 16)) if line else (None, []))
    sub_h = int(sub_f.size * 1.25) * len(sub_lines) if sub_f else 0
    gap = int(f.size * 0.5) if sub_lines else 0
    y = (h - line_h * len(lines) - gap - sub_h) // 2
    for text in lines:
        d.text(((w - f.getlength(text)) / 2, y), text, font=f, fill=(255, 255, 255))
        y += line_h
    y += gap
    for text in sub_lines:
        d.text(((w - sub_f.getlength(text)) / 2, y), text, font=sub_f, fill=(235, 235, 235))
        y += int(sub_f.size * 1.25)
    return img


def tint_of(image: Any) -> tuple[int, int, int]:
    """The picture's most saturated common colour (its average is usually a dull grey)."""
    small = image.convert("RGB").resize((24, 24))
    import colorsys

    best, score = (60, 60, 90), -1.0
    for count, (r, g, b) in small.getcolors(24 * 24) or []:
        _, s, v = colorsys.rgb_to_hsv(r / 255, g / 255, b / 255)
        value = count * (s + 0.05) * (0.3 + v)
        if value > score:
            best, score = (r, g, b), value
    return best
