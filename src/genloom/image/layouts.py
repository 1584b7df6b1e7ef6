"""Layouts with words, on a grid: posters, stories, banners, cards, thumbnails and logos.

Every layout divides the canvas into boxes inside a safe margin (6% of the
short side): an art box for the subject and its accents, and text boxes for
the headline, the sub-line and the call to action. Text never shares a box
with art, so :mod:`genloom.image.typeset` can fit it to its box and check its
contrast against what is really under it.

Each layout has three variants (the seed's pick plus the variation index):

* poster: hero art over the words / headline over the art / art over a colour panel;
* story (9:16): the same, inside the zones that phone UI leaves free;
* banner and card: art beside the text (right or left), or art on a disc at the edge;
* thumbnail: a big subject on one side, two to four bold outlined words on the other;
* logo: mark over wordmark / mark beside wordmark / mark in a badge over the wordmark.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from genloom.image import assets, draw, typeset
from genloom.image.compose import Scene, _art, _rotate
from genloom.image.draw import RGB, mix, rgb
from genloom.image.plan import ScenePlan

Box = tuple[float, float, float, float]
MINIMAL = {"minimal", "minimalist", "clean", "flat", "simple"}


def builder(layout: str, size: tuple[int, int]) -> Callable[[ScenePlan, tuple[int, int], random.Random], Scene]:
    """The drawing function for ``layout`` at this size (shape decides between close layouts)."""
    w, h = size
    ratio = w / h
    if layout == "logo":
        return logo
    if layout == "thumbnail":
        return thumbnail if ratio >= 1.2 else poster
    if ratio >= 1.45:
        return banner
    if ratio <= 0.7:
        return story
    return poster


# --- shared pieces -------------------------------------------------------------------------------


def _margin(size: tuple[int, int]) -> float:
    return 0.06 * min(size)


def _backdrop(plan: ScenePlan, size: tuple[int, int], kind: str = "vertical") -> Scene:
    p = plan.palette
    bg = draw.gradient(size, rgb(p.bg[0]), rgb(p.bg[1]), kind).convert("RGBA")
    return Scene(size, bg)


def _stage(scene: Scene, plan: ScenePlan, center: tuple[float, float], radius: float, rng: random.Random) -> None:
    """Light and a shape behind the subject; the shape changes with the variant."""
    from PIL import Image, ImageDraw

    p = plan.palette
    accent = rgb(p.accent)
    size = scene.size
    scene.background.alpha_composite(draw.glow(size, center, radius * 1.9, accent, 0.5 if p.dark else 0.4))
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    cx, cy = center
    r = radius
    style = 0 if plan.look in MINIMAL else (plan.variant + plan.variation) % 3
    if style == 0:
        d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=mix(rgb(p.bg[0]), accent, 0.35) + (150,))
    elif style == 1:
        for k in range(3):
            rr = r * (1 + 0.2 * k)
            d.ellipse([cx - rr, cy - rr, cx + rr, cy + rr], outline=accent + (170 - 45 * k,),
                      width=max(2, int(min(size) / 140)))
    else:
        n = 16
        far = max(size) * 1.5
        for k in range(n):
            a0 = 2 * math.pi * k / n + rng.uniform(0, 0.1)
            a1 = a0 + math.pi / n
            d.polygon([(cx, cy), (cx + far * math.cos(a0), cy + far * math.sin(a0)),
                       (cx + far * math.cos(a1), cy + far * math.sin(a1))], fill=accent + (26,))
    scene.background.alpha_composite(layer)


def _lit(plan: ScenePlan, asset: assets.Asset, size: int, opacity: float) -> object:
    """Art with its drop shadow; on dark grounds a thin light rim keeps black line art visible."""
    if not plan.palette.dark:
        return _art(asset, size, opacity=opacity)
    from genloom.image.compose import _sticker_art

    return _sticker_art(asset, size, max(2, size // 45))


def _subject(scene: Scene, plan: ScenePlan, center: tuple[float, float], size: int) -> None:
    art = _lit(plan, plan.subject, size, 0.35)
    off = max(1, int(size * 0.04))
    scene.add(art, center, "subject",
              {"type": "art", "path": plan.subject.path, "center": (center[0] - off / 2, center[1] - off / 2),
               "size": size, "rotate": 0.0})


def _accents(scene: Scene, plan: ScenePlan, spots: list[tuple[float, float]], size: int,
             rng: random.Random) -> None:
    for asset, (x, y) in zip(plan.accents, spots, strict=False):
        art = _lit(plan, asset, size, 0.25)
        angle = rng.uniform(-16, 16)
        off = max(1, int(size * 0.04))
        scene.add(_rotate(art, angle), (x, y), "accent",
                  {"type": "art", "path": asset.path, "center": (x - off / 2, y - off / 2), "size": size,
                   "rotate": angle})


def _text(scene: Scene, block: typeset.TextBlock, box: Box) -> None:
    layer = typeset.render(block)
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    scene.add(layer, (cx, cy), "text", {"type": "text", "block": block, "box": box, "layer_size": layer.size})


def _words(scene: Scene, plan: ScenePlan, boxes: dict[str, Box], *, align: str = "center",
           head_color: RGB | None = None, sub_color: RGB | None = None, upper: bool = False,
           head_lines: int = 3) -> None:
    """Headline, sub-line and call to action, each fitted to its box over what is drawn so far."""
    p = plan.palette
    under = scene.preview()
    head_size = 0
    if plan.headline and "headline" in boxes:
        block, box = typeset.set_block(plan.headline, "headline", boxes["headline"], under,
                                       color=head_color or rgb(p.text), align=align, max_lines=head_lines,
                                       upper=upper)
        _text(scene, block, box)
        head_size = block.size
    if plan.tagline and "subline" in boxes:
        b = boxes["subline"]
        block, box = typeset.set_block(plan.tagline, "body", b, under, color=sub_color or rgb(p.text), align=align,
                                       max_lines=2, start=int(min(b[3] - b[1], min(scene.size) * 0.06)))
        _text(scene, block, box)
    if plan.cta and "cta" in boxes:
        b = boxes["cta"]
        # A button is read at a glance: at least 3.5% of the short side and a third of the headline.
        short = min(scene.size)
        block, box = typeset.cta_block(plan.cta, b, rgb(p.accent2 if p.dark else p.accent), align=align,
                                       max_size=max(int(short * 0.065), int(head_size * 0.45)),
                                       min_size=max(int(short * 0.035), int(head_size * 0.3)))
        _text(scene, block, box)


def _stack(x0: float, x1: float, top: float, bottom: float, plan: ScenePlan,
           shares: tuple[float, float, float] = (0.62, 0.18, 0.2)) -> dict[str, Box]:
    """Split a text column into headline, sub-line and CTA rows (absent ones give their room away)."""
    parts = [("headline", shares[0], bool(plan.headline)), ("subline", shares[1], bool(plan.tagline)),
             ("cta", shares[2], bool(plan.cta))]
    live = [(k, s) for k, s, on in parts if on]
    total = sum(s for _, s in live) or 1.0
    gap = (bottom - top) * 0.03
    out: dict[str, Box] = {}
    y = top
    for k, s in live:
        hgt = (bottom - top) * s / total
        out[k] = (x0, y, x1, y + hgt - gap)
        y += hgt
    return out


def _dots(scene: Scene, box: Box, rng: random.Random, *, count: int, avoid: tuple[float, float, float],
          color: RGB, stars: bool) -> None:
    """Small dots or four-point stars inside the art box only: never behind words."""
    from PIL import Image, ImageDraw

    x0, y0, x1, y1 = (int(v) for v in box)
    bw, bh = max(1, x1 - x0), max(1, y1 - y0)
    layer = Image.new("RGBA", (bw * 2, bh * 2), color + (0,))  # drawn at 2x, then smoothed down
    d = ImageDraw.Draw(layer)
    m = min(scene.size)
    for _ in range(count * 10):
        if count <= 0:
            break
        x, y = rng.uniform(0, bw), rng.uniform(0, bh)
        if math.hypot(x + x0 - avoid[0], y + y0 - avoid[1]) < avoid[2]:
            continue
        count -= 1
        r = rng.uniform(0.004, 0.011) * m
        a = rng.randint(90, 210)
        if stars and rng.random() < 0.5:
            r *= 2.2
            pts = [((x + (r if k % 2 == 0 else r * 0.28) * math.cos(k * math.pi / 4)) * 2,
                    (y + (r if k % 2 == 0 else r * 0.28) * math.sin(k * math.pi / 4)) * 2) for k in range(8)]
            d.polygon(pts, fill=color + (a,))
        else:
            d.ellipse([(x - r) * 2, (y - r) * 2, (x + r) * 2, (y + r) * 2], fill=color + (a,))
    scene.background.alpha_composite(layer.resize((bw, bh), resample=Image.Resampling.BILINEAR), (x0, y0))


# --- poster (and square posts) -------------------------------------------------------------------


def poster(plan: ScenePlan, size: tuple[int, int], rng: random.Random) -> Scene:
    w, h = size
    m = _margin(size)
    p = plan.palette
    variant = plan.variant
    has_words = bool(plan.headline)
    scene = _backdrop(plan, size)
    if variant == 2 and has_words:
        # Art above a solid panel of colour that carries the words.
        from PIL import Image, ImageDraw

        panel_top = h * 0.6
        panel = Image.new("RGBA", size, (0, 0, 0, 0))
        panel_col = mix(rgb(p.bg[1]), (0, 0, 0), 0.55) if not p.dark else mix(rgb(p.bg[0]), (0, 0, 0), 0.35)
        ImageDraw.Draw(panel).rectangle([0, panel_top, w, h], fill=panel_col + (255,))
        art_box = (m, m, w - m, panel_top - m * 0.5)
        _art_block(scene, plan, art_box, rng)
        scene.background.alpha_composite(panel)
        boxes = _stack(m * 1.3, w - m * 1.3, panel_top + m * 0.8, h - m, plan)
        _words(scene, plan, boxes, align="left", head_color=(255, 255, 255), sub_color=rgb(p.accent))
        return scene
    if variant == 1 and has_words:
        head_box = (m, m, w - m, m + h * 0.2)
        # Without a sub-line or button the art takes the room they would have had.
        art_box = (m, h * 0.27, w - m, h * 0.72 if (plan.tagline or plan.cta) else h - m)
        rest = _stack(m, w - m, h * 0.75, h - m, plan, (0.0001, 0.45, 0.55)) if (plan.tagline or plan.cta) else {}
        _art_block(scene, plan, art_box, rng)
        _words(scene, plan, {"headline": head_box, **{k: v for k, v in rest.items() if k != "headline"}})
        return scene
    art_bottom = h * (0.58 if has_words else 0.94)
    art_box = (m, m, w - m, art_bottom)
    _art_block(scene, plan, art_box, rng)
    if has_words:
        _words(scene, plan, _stack(m, w - m, art_bottom + m * 0.4, h - m, plan))
    return scene


def _art_block(scene: Scene, plan: ScenePlan, box: Box, rng: random.Random, *, scale: float = 0.74,
               accent_scale: float = 0.3) -> None:
    """Subject centred in ``box`` on its stage, accents in the box's free corners."""
    x0, y0, x1, y1 = box
    bw, bh = x1 - x0, y1 - y0
    side = min(bw, bh)
    n_acc = len(plan.accents)
    wide = bw > bh * 1.3
    # Accents in the corners of a squarish box need the subject to leave them room.
    subj = int(side * (scale if n_acc == 0 else scale * (0.95 if wide else 0.8)))
    c = ((x0 + x1) / 2, (y0 + y1) / 2)
    _stage(scene, plan, c, subj * 0.62, rng)
    p = plan.palette
    _dots(scene, box, rng, count=0 if plan.look in MINIMAL else int(14 * bw * bh / 1024**2) + 6, avoid=(c[0], c[1], subj * 0.72),
          color=rgb(p.accent) if p.dark else mix(rgb(p.accent), (255,) * 3, 0.2), stars=p.dark)
    a_size = int(side * accent_scale * (0.8 if n_acc > 2 else 1.0))
    pad = a_size * 0.62
    spots = [(x0 + pad, y0 + pad), (x1 - pad, y0 + pad), (x1 - pad, y1 - pad), (x0 + pad, y1 - pad)]
    if wide:  # wide box: accents to the sides of the subject
        spots = [(x0 + pad, (y0 + y1) / 2), (x1 - pad, (y0 + y1) / 2), (x0 + pad, y0 + pad), (x1 - pad, y1 - pad)]
    order = [0, 1, 2, 3]
    rng.shuffle(order)
    _accents(scene, plan, [spots[i] for i in order], a_size, rng)
    _subject(scene, plan, c, subj)


# --- story (9:16) --------------------------------------------------------------------------------


def story(plan: ScenePlan, size: tuple[int, int], rng: random.Random) -> Scene:
    w, h = size
    m = _margin(size)
    # Phone UI covers the top ~12% and bottom ~18% of a story: words stay between.
    top, bottom = h * 0.12, h * 0.82
    scene = _backdrop(plan, size, "vertical")
    if not plan.headline:
        _art_block(scene, plan, (m, top, w - m, bottom), rng, accent_scale=0.22)
        return scene
    if plan.variant == 1:
        _art_block(scene, plan, (m, top, w - m, top + (bottom - top) * 0.5), rng, accent_scale=0.22)
        _words(scene, plan, _stack(m, w - m, top + (bottom - top) * 0.54, bottom, plan, (0.55, 0.2, 0.25)))
        return scene
    head = (m, top, w - m, top + (bottom - top) * 0.24)
    art = (m * 0.5, top + (bottom - top) * 0.25, w - m * 0.5, top + (bottom - top) * 0.78)
    rest = _stack(m, w - m, top + (bottom - top) * 0.8, bottom, plan, (0.0001, 0.45, 0.55))
    _art_block(scene, plan, art, rng, scale=0.95, accent_scale=0.2)
    boxes = {"headline": head, **{k: v for k, v in rest.items() if k != "headline"}}
    _words(scene, plan, boxes, upper=plan.variant == 2)
    return scene


# --- banner, card, slide: art beside the text ---------------------------------------------------


def banner(plan: ScenePlan, size: tuple[int, int], rng: random.Random) -> Scene:
    from PIL import Image, ImageDraw

    w, h = size
    m = _margin(size)
    p = plan.palette
    scene = _backdrop(plan, size, "diagonal")
    accent, top_c = rgb(p.accent), rgb(p.bg[0])
    art_left = plan.variant == 1
    art_w = w * (0.4 if plan.style != "card" else 0.44)
    if not plan.headline:
        art_w = w - 2 * m
    if plan.variant == 2 and plan.headline:
        # A big disc bleeding off the right edge holds the art.
        r = h * 0.62
        cx = w - art_w * 0.45
        disc = Image.new("RGBA", size, (0, 0, 0, 0))
        ImageDraw.Draw(disc).ellipse([cx - r, h / 2 - r, cx + r, h / 2 + r], fill=mix(top_c, accent, 0.45) + (230,))
        scene.background.alpha_composite(disc)
        art_box = (w - art_w, m, w - m * 0.5, h - m)
    elif art_left:
        art_box = (m, m, m + art_w, h - m)
    else:
        art_box = (w - m - art_w, m, w - m, h - m)
    scene.background.alpha_composite(draw.hills(size, h * 0.93, h * 0.04, mix(rgb(p.bg[1]), accent, 0.25),
                                                 rng.uniform(0, 6), 1.3))
    _art_block(scene, plan, art_box, rng, scale=0.8, accent_scale=0.28)
    if plan.headline:
        x0 = art_box[2] + m if art_left else m * 1.2
        x1 = w - m * 1.2 if art_left else art_box[0] - m * 0.6
        if plan.variant == 2:
            x1 = min(x1, w - art_w * 0.45 - h * 0.62 - m * 0.4)  # stop short of the disc
        _words(scene, plan, _stack(x0, x1, m * 1.1, h - m * 1.1, plan, (0.6, 0.18, 0.22)), align="left")
    return scene


# --- thumbnail: big subject, bold words ----------------------------------------------------------


def thumbnail(plan: ScenePlan, size: tuple[int, int], rng: random.Random) -> Scene:
    w, h = size
    m = _margin(size)
    p = plan.palette
    # Saturated, high-contrast ground: the accent colour, burst from behind the subject.
    base = rgb(p.accent2) if plan.variant == 2 else rgb(p.accent)
    dark = mix(base, (0, 0, 0), 0.55)
    scene = Scene(size, draw.gradient(size, base, dark, "radial").convert("RGBA"))
    left = plan.variant == 1
    subj = int(h * 0.86)
    cx = w * (0.27 if left else 0.73)
    c = (cx, h * 0.54)
    _stage(scene, plan, c, subj * 0.5, rng)
    if plan.accents:
        a_size = int(h * 0.22)
        ax = m + a_size / 2 if left else w - m - a_size / 2
        _accents(scene, plan, [(ax, m + a_size / 2)], a_size, rng)
    _subject(scene, plan, c, subj)
    if plan.headline:
        text = plan.headline
        x0, x1 = (w * 0.5, w - m) if left else (m, w * 0.5)
        under = scene.preview()
        yellow = (255, 225, 40)
        color = yellow if plan.variant != 0 else (255, 255, 255)
        block, box = typeset.set_block(text, "headline", (x0, m, x1, h - m), under, color=color, align="left",
                                       max_lines=4, upper=True, outline=(15, 15, 20))
        _text(scene, block, box)
    return scene


# --- logo: mark and wordmark ---------------------------------------------------------------------


def logo(plan: ScenePlan, size: tuple[int, int], rng: random.Random) -> Scene:
    from PIL import Image, ImageDraw

    w, h = size
    m = _margin(size)
    p = plan.palette
    paper = mix(rgb(p.bg[0]), (255, 255, 255), 0.75)
    scene = Scene(size, Image.new("RGBA", size, paper + (255,)))
    accent = rgb(p.accent)
    ink = typeset.INK if typeset.contrast(rgb(p.text), paper) < typeset.MIN_CONTRAST else rgb(p.text)
    variant = plan.variant
    name = plan.headline
    horizontal = variant == 1 and name and w >= h * 0.9
    if not name:
        mark_c, mark_r = (w / 2, h / 2), min(w, h) * 0.34
    elif horizontal:
        mark_r = min(h * 0.2, w * 0.14)
        mark_c = (m + mark_r * 1.1, h / 2)
    else:
        mark_r = min(w, h) * 0.22
        mark_c = (w / 2, h * 0.38)
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    cx, cy = mark_c
    if variant == 2:
        ring = max(3, int(mark_r * 0.08))
        d.ellipse([cx - mark_r, cy - mark_r, cx + mark_r, cy + mark_r], fill=accent + (255,))
        inner = mark_r - ring * 1.6
        d.ellipse([cx - inner, cy - inner, cx + inner, cy + inner], fill=paper + (255,))
    elif variant == 1:
        d.rounded_rectangle([cx - mark_r, cy - mark_r, cx + mark_r, cy + mark_r], radius=int(mark_r * 0.35),
                            fill=mix(accent, paper, 0.55) + (255,))
    else:
        d.ellipse([cx - mark_r, cy - mark_r, cx + mark_r, cy + mark_r], fill=mix(accent, paper, 0.6) + (255,))
    scene.background.alpha_composite(layer)
    art = assets.render(plan.subject, int(mark_r * 1.25))
    scene.add(art, mark_c, "subject", {"type": "art", "path": plan.subject.path, "center": mark_c,
                                       "size": int(mark_r * 1.25), "rotate": 0.0})
    if not name:
        return scene
    under = scene.preview()
    if horizontal:
        x0 = mark_c[0] + mark_r + m * 0.6
        boxes = {"headline": (x0, h / 2 - mark_r, w - m, h / 2 + (mark_r * 0.45 if plan.tagline else mark_r))}
        if plan.tagline:
            boxes["subline"] = (x0, h / 2 + mark_r * 0.5, w - m, h / 2 + mark_r)
        align = "left"
    else:
        top = mark_c[1] + mark_r + m * 0.5
        boxes = {"headline": (m, top, w - m, top + h * (0.2 if plan.tagline else 0.26))}
        if plan.tagline:
            boxes["subline"] = (m * 2, top + h * 0.21, w - m * 2, min(h - m, top + h * 0.29))
        align = "center"
    block, box = typeset.set_block(name, "headline", boxes["headline"], under, color=ink, align=align,
                                   max_lines=2, upper=variant == 2)
    _text(scene, block, box)
    if plan.tagline and "subline" in boxes:
        b = boxes["subline"]
        block, box = typeset.set_block(plan.tagline, "body", b, under, color=accent, align=align, max_lines=1,
                                       start=int((b[3] - b[1]) * 0.8))
        _text(scene, block, box)
    return scene

