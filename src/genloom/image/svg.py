"""Editable SVG output for composed pictures (``genloom image ... -o poster.svg``).

The file has three groups a vector editor shows as layers:

* ``background``: the backdrop (gradients, light, shapes) as one embedded PNG;
* ``art``: every OpenMoji piece as its own vector group, placed, sized and rotated;
* ``text``: every headline, sub-line and button as real ``<text>`` in the same font,
  size and colour as the PNG (plates and buttons as ``<rect>``).

The AI label and provenance of the PNG (:mod:`genloom.image.label`) are in
``<metadata>`` as the same JSON, and in ``<title>``/``<desc>``; third-party art
credits are in the description. :func:`read_svg_label` reads the label back.
"""

from __future__ import annotations

import base64
import functools
import io
import json
import re
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from genloom.image.label import KEY, credit_line, version

# Font files the composer uses, as CSS family and weight.
_FONTS = {
    "OpenSans-ExtraBold": ("Open Sans", 800), "OpenSans-Semibold": ("Open Sans", 600),
    "Roboto-Black": ("Roboto", 900), "Roboto-Medium": ("Roboto", 500),
    "DejaVuSans-Bold": ("DejaVu Sans", 700), "DejaVuSans": ("DejaVu Sans", 400),
}
_ROOT = re.compile(r"<svg\b[^>]*>(.*)</svg>\s*$", re.DOTALL)
_ID = re.compile(r'\b(id|xlink:href|href)="(#?)([^"]+)"')
_URL = re.compile(r"url\(#([^)]+)\)")


def _font(path: str | None) -> tuple[str, int]:
    stem = Path(path).stem if path else ""
    return _FONTS.get(stem, ("sans-serif", 700))


def _hex(c: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*c)


@functools.lru_cache(maxsize=512)
def _art_body(path: str) -> tuple[str, tuple[float, float, float, float]]:
    """The inner markup of an OpenMoji SVG and the viewBox of its drawn area."""
    from PIL import Image

    from genloom.image.assets import _render_png

    text = Path(path).read_text(encoding="utf-8")
    m = _ROOT.search(text)
    inner = m.group(1) if m else text
    # The raster art is trimmed to its drawn area: find that area in viewBox units (72 x 72).
    scale = 4
    img = Image.open(io.BytesIO(_render_png(path, 72 * scale)))
    bbox = img.getchannel("A").getbbox() or (0, 0, 72 * scale, 72 * scale)
    x0, y0, x1, y1 = (v / scale for v in bbox)
    return inner, (x0, y0, x1 - x0, y1 - y0)


def _scoped(inner: str, prefix: str) -> str:
    """Ids made unique per placed piece, so two copies of one emoji do not clash."""
    inner = _ID.sub(lambda m: f'{m.group(1)}="{m.group(2)}{prefix}{m.group(3)}"', inner)
    return _URL.sub(lambda m: f"url(#{prefix}{m.group(1)})", inner)


def _art(v: dict[str, Any], n: int) -> str:
    inner, (bx, by, bw, bh) = _art_body(v["path"])
    size = float(v["size"])
    scale = size / max(bw, bh)
    w, h = bw * scale, bh * scale
    cx, cy = v["center"]
    rot = f' transform="rotate({-float(v.get("rotate", 0.0)):.2f} {cx:.1f} {cy:.1f})"' if v.get("rotate") else ""
    name = escape(Path(v["path"]).stem)
    return (f'<g id="art-{n}" data-openmoji="{name}"{rot}><svg x="{cx - w / 2:.1f}" y="{cy - h / 2:.1f}" '
            f'width="{w:.1f}" height="{h:.1f}" viewBox="{bx:.2f} {by:.2f} {bw:.2f} {bh:.2f}" overflow="visible">'
            f"{_scoped(inner, f'a{n}-')}</svg></g>")


def _text(v: dict[str, Any], n: int) -> str:
    from genloom.image import draw

    block = v["block"]
    x0, y0, x1, y1 = v["box"]
    f = draw.font(block.kind, block.size)
    ascent, _ = f.getmetrics()
    family, weight = _font(block.font_path)
    parts = [f'<g id="text-{n}">']
    if block.plate is not None:
        lw, lh = v["layer_size"]
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        r = min(lh / 2, block.size * (0.9 if block.pill else 0.35))
        opacity = block.plate_alpha / 255
        parts.append(f'<rect x="{cx - lw / 2:.1f}" y="{cy - lh / 2:.1f}" width="{lw:.1f}" height="{lh:.1f}" '
                     f'rx="{r:.1f}" fill="{_hex(block.plate)}" fill-opacity="{opacity:.2f}"/>')
    anchor, x = {"left": ("start", x0), "right": ("end", x1)}.get(block.align, ("middle", (x0 + x1) / 2))
    stroke = ""
    if block.outline is not None:
        sw = max(2, block.size // 16) * 2
        stroke = f' stroke="{_hex(block.outline)}" stroke-width="{sw}" stroke-linejoin="round" paint-order="stroke"'
    for i, line in enumerate(block.lines):
        y = y0 + i * block.size * block.line_gap + ascent
        parts.append(f'<text x="{x:.1f}" y="{y:.1f}" font-family={quoteattr(family + ", sans-serif")} '
                     f'font-weight="{weight}" font-size="{block.size}" fill="{_hex(block.color)}" '
                     f'text-anchor="{anchor}"{stroke} xml:space="preserve">{escape(line)}</text>')
    parts.append("</g>")
    return "".join(parts)


def _raster(img: Any, x: float, y: float, n: int, role: str) -> str:
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    data = base64.b64encode(buf.getvalue()).decode()
    return (f'<image id="{role}-{n}" x="{x:.1f}" y="{y:.1f}" width="{img.width}" height="{img.height}" '
            f'href="data:image/png;base64,{data}"/>')


def scene_svg(scene: Any, label: dict[str, Any]) -> bytes:
    """The scene as an editable SVG document carrying ``label``."""
    w, h = scene.size
    background = scene.background if scene.transparent else scene.background.convert("RGB")
    art, text = [], []
    for n, sp in enumerate(scene.sprites):
        v = sp.vector
        if v is not None and v["type"] == "art":
            art.append(_art(v, n))
        elif v is not None and v["type"] == "text":
            text.append(_text(v, n))
        else:
            x, y = sp.center[0] - sp.image.width / 2, sp.center[1] - sp.image.height / 2
            (text if sp.role == "text" else art).append(_raster(sp.image, x, y, n, sp.role))
    credits = credit_line(label.get("attribution") or [])
    desc = f"{label['label']} (genloom {version()}, model {label.get('model')}). Prompt: {label.get('prompt', '')}"
    if credits:
        desc += f". Art: {credits}"
    meta = json.dumps(label, ensure_ascii=False, default=str).replace("]]>", "]]]]><![CDATA[>")
    doc = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{w}" height="{h}" viewBox="0 0 {w} {h}">',
        f"<title>{escape(label['label'])}</title>",
        f"<desc>{escape(desc)}</desc>",
        f'<metadata id="{KEY}"><![CDATA[{meta}]]></metadata>',
        '<g id="background">' + _raster(background, 0, 0, 0, "backdrop") + "</g>",
        '<g id="art">' + "".join(art) + "</g>",
        '<g id="text">' + "".join(text) + "</g>",
        "</svg>",
    ]
    return "\n".join(doc).encode("utf-8")


def read_svg_label(source: Path | bytes) -> dict[str, Any] | None:
    """The genloom label of an SVG written by :func:`scene_svg`, or None."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    m = re.search(rb"<metadata id=\"" + KEY.encode() + rb"\"><!\[CDATA\[(.*?)\]\]></metadata>", data, re.DOTALL)
    return json.loads(m.group(1).decode("utf-8")) if m else None
