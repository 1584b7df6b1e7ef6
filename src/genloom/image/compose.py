"""Render a :class:`ScenePlan` into a picture, one layout per style.

A scene is kept as a background plus positioned sprites (subject, accents,
headline) so video can animate the sprites over the same background.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from typing import Any

from genloom.image import assets, draw
from genloom.image.draw import mix, rgb
from genloom.image.plan import ScenePlan


@dataclass
class Sprite:
    image: Any  # RGBA
    center: tuple[float, float]
    role: str  # subject | accent | text | deco
    # What the sprite is, for vector output: {"type": "art", "path", "center", "size", "rotate"}
    # or {"type": "text", "block": TextBlock, "box": (x0, y0, x1, y1)}; None: kept as pixels.
    vector: dict[str, Any] | None = None


@dataclass
class Scene:
    size: tuple[int, int]
    background: Any  # RGBA
    sprites: list[Sprite] = field(default_factory=list)
    pixel: int = 0  # > 0: pixel-art grid cell size applied after compositing
    transparent: bool = False

    def add(self, image: Any, center: tuple[float, float], role: str, vector: dict[str, Any] | None = None) -> None:
        self.sprites.append(Sprite(image, center, role, vector))

    def preview(self) -> Any:
        """Background and sprites so far, RGBA: what new text will sit on."""
        canvas = self.background.copy()
        for sp in self.sprites:
            _paste(canvas, sp.image, round(sp.center[0] - sp.image.width / 2), round(sp.center[1] - sp.image.height / 2))
        return canvas

    def flatten(self, transform: Any = None) -> Any:
        """The finished picture; ``transform(sprite) -> (image, center) | None`` animates sprites."""
        canvas = self.background.copy()
        for sp in self.sprites:
            img, (cx, cy) = (sp.image, sp.center) if transform is None else transform(sp)
            if img is None:
                continue
            x, y = round(cx - img.width / 2), round(cy - img.height / 2)
            _paste(canvas, img, x, y)
        if self.pixel:
            canvas = pixelate(canvas, self.pixel)
        return canvas if self.transparent else canvas.convert("RGB")


def _paste(canvas: Any, img: Any, x: int, y: int) -> None:
    # alpha_composite rejects negative offsets: crop what falls off the canvas.
    left, top = max(0, -x), max(0, -y)
    right, bottom = min(img.width, canvas.width - x), min(img.height, canvas.height - y)
    if right <= left or bottom <= top:
        return
    if (left, top, right, bottom) != (0, 0, img.width, img.height):
        img = img.crop((left, top, right, bottom))
    canvas.alpha_composite(img, (x + left, y + top))


def pixelate(img: Any, cell: int) -> Any:
    from PIL import Image

    w, h = img.size
    small = img.resize((max(1, w // cell), max(1, h // cell)), Image.Resampling.BOX)
    alpha = small.getchannel("A")
    q = small.convert("RGB").quantize(colors=24, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small = q.convert("RGBA")
    small.putalpha(alpha.point(lambda v: 255 if v > 127 else 0))
    return small.resize((w, h), Image.Resampling.NEAREST)


def _art(asset: assets.Asset, size: int, *, shade: tuple[int, int, int] = (0, 0, 0),
         blur: float | None = None, lift: float = 0.04, opacity: float = 0.3) -> Any:
    """Art with a soft drop shadow baked in (shadow falls down-right)."""
    from PIL import Image

    art = assets.render(asset, size)
    blur = blur if blur is not None else max(2.0, size / 28)
    sh = draw.shadow(art, blur, shade, opacity)
    pad = (sh.width - art.width) // 2
    off = max(1, int(size * lift))
    out = Image.new("RGBA", (sh.width + off, sh.height + off), (0, 0, 0, 0))
    out.alpha_composite(sh, (off, off))
    out.alpha_composite(art, (pad, pad))
    return out


def _sticker_art(asset: assets.Asset, size: int, rim: int) -> Any:
    from PIL import Image

    art = draw.outline(assets.render(asset, size), rim)
    sh = draw.shadow(art, max(2.0, size / 30), (40, 30, 60), 0.35)
    pad = (sh.width - art.width) // 2
    off = max(2, size // 40)
    out = Image.new("RGBA", (sh.width + off, sh.height + off), (0, 0, 0, 0))
    out.alpha_composite(sh, (off, off * 2))
    out.alpha_composite(art, (pad, pad))
    return out


def _rotate(img: Any, degrees: float) -> Any:
    from PIL import Image

    return img.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True)


def _sprinkle(scene: Scene, plan: ScenePlan, rng: random.Random, *, count: int, avoid: list[tuple[float, float, float]],
              color: tuple[int, int, int], stars: bool) -> None:
    """Small dots or four-point stars scattered away from the main elements."""
    from PIL import Image, ImageDraw

    w, h = scene.size
    layer = Image.new("RGBA", (w * 2, h * 2), color + (0,))
    d = ImageDraw.Draw(layer)
    placed = 0
    tries = 0
    while placed < count and tries < count * 20:
        tries += 1
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        if any(math.hypot(x - ax, y - ay) < r for ax, ay, r in avoid):
            continue
        r = rng.uniform(0.004, 0.012) * min(w, h)
        a = rng.randint(90, 220)
        if stars and rng.random() < 0.5:
            r *= 2.2
            pts = []
            for k in range(8):
                ang = k * math.pi / 4
                rr = r if k % 2 == 0 else r * 0.28
                pts.append(((x + rr * math.cos(ang)) * 2, (y + rr * math.sin(ang)) * 2))
            d.polygon(pts, fill=color + (a,))
        else:
            d.ellipse([(x - r) * 2, (y - r) * 2, (x + r) * 2, (y + r) * 2], fill=color + (a,))
        placed += 1
    scene.background.alpha_composite(layer.reduce(2))


def compose(plan: ScenePlan, size: tuple[int, int], *, transparent: bool = False) -> Scene:
    from genloom.image import layouts

    builder = {"sticker": _sticker, "icon": _icon, "illustration": _illustration, "pixel": _pixel}.get(plan.style)
    if builder is None:
        builder = layouts.builder(plan.style, size)
    rng = random.Random(plan.seed * 7919 + 17)
    scene = builder(plan, size, rng)
    if transparent and plan.style in ("sticker", "icon"):
        # Same layout on a clear canvas: keep the tile (icon) or only the art (sticker).
        scene.transparent = True
        if plan.style == "icon":
            scene.background = _icon(plan, size, random.Random(plan.seed * 7919 + 17), clear=True).background
        else:
            from PIL import Image

            scene.background = Image.new("RGBA", size, (0, 0, 0, 0))
    return scene


def _icon(plan: ScenePlan, size: tuple[int, int], rng: random.Random, clear: bool = False) -> Scene:
    from PIL import Image

    w, h = size
    p = plan.palette
    m = min(w, h)
    inset = int(m * 0.04)
    box = ((w - m) // 2 + inset, (h - m) // 2 + inset, (w + m) // 2 - inset, (h + m) // 2 - inset)
    c1, c2 = rgb(p.accent), rgb(p.accent2)
    if plan.variant == 2:
        c1, c2 = rgb(p.bg[1]), rgb(p.accent)
    fill = draw.gradient(size, mix(c1, (255, 255, 255), 0.15), c2, "diagonal").convert("RGBA")
    mask = draw.rounded_rect_mask(size, box, int(m * 0.22))
    bg = Image.new("RGBA", size, (255, 255, 255, 0 if clear else 255))
    tile = Image.new("RGBA", size, (0, 0, 0, 0))
    tile.paste(fill, (0, 0), mask)
    # Shadow of the tile itself (blurred at a quarter size: it is soft), then a top highlight.
    k = 4 if m >= 256 else 1
    small = tile.resize((max(1, w // k), max(1, h // k)), Image.Resampling.BILINEAR)
    sh = draw.shadow(small, m / 40 / k, (30, 30, 60), 0.35)
    pad = (sh.width - small.width) // 2
    sh = sh.crop((pad, pad - int(m * 0.015 / k), pad + small.width, pad + small.height - int(m * 0.015 / k)))
    bg.alpha_composite(sh.resize((w, h), Image.Resampling.BILINEAR))
    bg.alpha_composite(tile)
    hl = draw.glow(size, (w / 2, box[1] + m * 0.05), m * 0.7, (255, 255, 255), 0.35)
    hl_masked = Image.new("RGBA", size, (0, 0, 0, 0))
    hl_masked.paste(hl, (0, 0), mask)
    bg.alpha_composite(hl_masked)
    scene = Scene(size, bg)
    # The plate behind the art keeps any emoji readable on any gradient.
    plate = Image.new("RGBA", size, (0, 0, 0, 0))
    from PIL import ImageDraw

    r = m * 0.33
    ImageDraw.Draw(plate).ellipse([w / 2 - r, h / 2 - r, w / 2 + r, h / 2 + r], fill=(255, 255, 255, 70))
    scene.background.alpha_composite(plate)
    scene.add(_art(plan.subject, int(m * 0.56), shade=mix(c2, (0, 0, 0), 0.6), opacity=0.45), (w / 2, h / 2), "subject")
    return scene


def _sticker(plan: ScenePlan, size: tuple[int, int], rng: random.Random) -> Scene:
    w, h = size
    p = plan.palette
    m = min(w, h)
    light = mix(rgb(p.bg[0]), (255, 255, 255), 0.35)
    bg = draw.gradient(size, light, rgb(p.bg[1]), "radial").convert("RGBA")
    scene = Scene(size, bg)
    rim = max(3, int(m * 0.03))
    subj_c = (w / 2, h * 0.52)
    scene.add(_sticker_art(plan.subject, int(m * 0.6), rim), subj_c, "subject")
    if plan.accents:
        corner = (w / 2 + m * 0.29, h * 0.52 - m * 0.3) if plan.variant != 1 else (w / 2 - m * 0.29, h * 0.52 - m * 0.3)
        art = _sticker_art(plan.accents[0], int(m * 0.2), max(2, rim // 2 + 1))
        scene.add(_rotate(art, rng.uniform(-15, 15)), corner, "accent")
    if plan.headline:
        f, lines = draw.wrap_fit(plan.headline, "headline", int(w * 0.8), int(h * 0.12), 1)
        layer = draw.outline(draw.text_layer(lines, f, rgb(p.text)), max(3, f.size // 8))
        scene.add(layer, (w / 2, h * 0.88), "text")
    return scene


def _illustration(plan: ScenePlan, size: tuple[int, int], rng: random.Random) -> Scene:
    from PIL import Image, ImageDraw

    w, h = size
    p = plan.palette
    m = min(w, h)
    sky_top, sky_bottom = rgb(p.bg[0]), rgb(p.bg[1])
    scene = Scene(size, draw.gradient(size, sky_top, mix(sky_bottom, (255, 255, 255), 0.15)).convert("RGBA"))
    # Sun or moon.
    sx = w * rng.choice([0.2, 0.78])
    sy = h * 0.22
    orb = mix(rgb(p.accent), (255, 255, 255), 0.5) if p.dark else (255, 209, 102)
    scene.background.alpha_composite(draw.glow(size, (sx, sy), m * 0.3, orb, 0.6))
    disc = Image.new("RGBA", size, (0, 0, 0, 0))
    r = m * 0.08
    ImageDraw.Draw(disc).ellipse([sx - r, sy - r, sx + r, sy + r], fill=orb + (255,))
    scene.background.alpha_composite(disc)
    if p.dark:
        _sprinkle(scene, plan, rng, count=30, avoid=[(sx, sy, m * 0.12)], color=(255, 255, 240), stars=True)
    ground = h * 0.72
    far = mix(sky_bottom, rgb(p.accent), 0.25)
    mid = mix(sky_bottom, rgb(p.accent), 0.45)
    near = mix(rgb(p.accent), (0, 0, 0), 0.15 if not p.dark else 0.55)
    scene.background.alpha_composite(draw.hills(size, ground - h * 0.08, h * 0.06, far, rng.uniform(0, 6), 1.1))
    scene.background.alpha_composite(draw.hills(size, ground, h * 0.035, mid, rng.uniform(0, 6), 1.7))
    scene.background.alpha_composite(draw.hills(size, ground + h * 0.12, h * 0.02, near, rng.uniform(0, 6), 2.4))
    subj_size = int(m * 0.46)
    subj_x = w * [0.5, 0.42, 0.58][plan.variant]
    feet = ground + h * 0.06
    # Ground shadow ellipse under the subject.
    gs = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(gs).ellipse([subj_x - subj_size * 0.42, feet - subj_size * 0.06,
                                subj_x + subj_size * 0.42, feet + subj_size * 0.06], fill=(0, 0, 0, 70))
    from PIL import ImageFilter

    scene.background.alpha_composite(gs.filter(ImageFilter.GaussianBlur(m / 100)))
    ground_spots = [(0.16, 0.0), (0.84, 0.0)]
    sky_spots = [(0.3, -0.45), (0.72, -0.5), (0.12, -0.38), (0.88, -0.4)]
    placed = []
    for asset in plan.accents[:4]:
        # Moons, clouds and birds belong in the sky, everything else on the ground.
        pool = sky_spots if _SKY.search(asset.name) or not ground_spots else ground_spots
        if pool:
            placed.append((asset, pool.pop(0)))
    for asset, (fx, dy) in placed:
        s = int(m * (0.2 if dy == 0 else 0.12))
        y = feet - s / 2 + dy * h if dy else feet + h * 0.02 - s / 2
        scene.add(_art(asset, s, opacity=0.25), (w * fx, y), "accent")
    art = _art(plan.subject, subj_size, opacity=0.2)
    scene.add(art, (subj_x, feet - subj_size / 2), "subject")
    if plan.headline:
        f, lines = draw.wrap_fit(plan.headline, "headline", int(w * 0.8), int(h * 0.1), 1)
        scene.add(draw.text_layer(lines, f, rgb(p.text), shadow_color=(0, 0, 0) if p.dark else None),
                  (w / 2, h * 0.08), "text")
    return scene


_SKY = re.compile(r"moon|sun\b|star|cloud|rainbow|comet|planet|bird|airplane|balloon|kite|bat\b|snowflake|"
                  r"lightning|sparkles|ufo|flying saucer|dove|eagle|butterfly|helicopter|parachute")


def _pixel(plan: ScenePlan, size: tuple[int, int], rng: random.Random) -> Scene:
    scene = _illustration(plan, size, rng)
    scene.pixel = max(3, min(size) // 80)
    return scene
