"""Frame sources: slow pans over stills, crossfades, and animated composed scenes.

Each source is a function ``frame(t) -> RGB uint8 array`` over its own local
time, so a clip is a list of (source, duration) joined by transitions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

FrameFn = Callable[[float], Any]

MOTIONS = ("float", "bounce", "spin", "move", "pulse")
_MOTION_WORDS = {
    "bounce": r"bounc|jump|hop|dribbl",
    "spin": r"spin|rotat|twirl|whirl|turn",
    "move": r"fly|flying|run|moving|driv|swim|sail|walk|race|rocket|travel|rolling|across",
    "pulse": r"beat|puls|heart|glow|throb",
}


def motion_for(prompt: str) -> str:
    text = prompt.lower()
    for motion, pattern in _MOTION_WORDS.items():
        if re.search(pattern, text):
            return motion
    return "float"


def drift(image: Any, size: tuple[int, int], duration: float, *, seed: int = 0, travel: float = 0.08) -> FrameFn:
    """A slow pan across a still a little larger than the frame (direction chosen by ``seed``).

    Whole-pixel steps of a crop window: no resampling per frame, which is what makes a
    1080x1920 slideshow render faster than real time on two cores (a zoom would resample
    two million pixels a frame). At these speeds (about one pixel a frame) the motion is smooth.
    """
    import numpy as np
    from PIL import Image

    w, h = size
    scale = 1 + travel
    base = np.ascontiguousarray(np.asarray(
        image.convert("RGB").resize((int(w * scale), int(h * scale)), Image.Resampling.BICUBIC)))
    ang = (seed * 2.399963) % (2 * math.pi)  # golden angle: successive stills pan different ways
    dx, dy = math.cos(ang), math.sin(ang)
    span_x, span_y = base.shape[1] - w, base.shape[0] - h

    def frame(t: float) -> Any:
        u = min(1.0, max(0.0, t / duration)) if duration > 0 else 0.0
        u = u * u * (3 - 2 * u)  # ease in/out
        x = int(round(span_x / 2 + dx * span_x / 2 * (2 * u - 1)))
        y = int(round(span_y / 2 + dy * span_y / 2 * (2 * u - 1)))
        return base[y:y + h, x:x + w]

    return frame


def animate_scene(scene: Any, duration: float, motion: str, *, camera: bool = True) -> FrameFn:
    """Move the subject (bounce, spin, float, move, pulse) and bob the accents over a still background."""
    import numpy as np
    from PIL import Image

    w, h = scene.size
    rotated_cache: dict[int, Any] = {}
    bg_still = scene.background
    zoom = 0.06 if camera else 0.0
    big_bg = bg_still.resize((int(w * (1 + zoom)), int(h * (1 + zoom))), Image.Resampling.BICUBIC) if zoom else None

    def transform(t: float) -> Callable[[Any], Any]:
        u = t / duration if duration > 0 else 0.0

        def apply(sp: Any) -> Any:
            cx, cy = sp.center
            img = sp.image
            if sp.role == "subject":
                size = max(img.width, img.height)
                if motion == "bounce":
                    cy -= abs(math.sin(2 * math.pi * 1.2 * t)) * h * 0.12
                elif motion == "spin":
                    step = int((t * 120) % 360) // 6 * 6  # 6-degree steps, cached
                    if step not in rotated_cache:
                        rotated_cache[step] = img.rotate(-step, resample=Image.Resampling.BICUBIC, expand=False)
                    img = rotated_cache[step]
                elif motion == "move":
                    span = w + size
                    cx = -size / 2 + (span * (u * 1.0 + 0.5)) % span
                    cy += math.sin(2 * math.pi * 2 * u) * h * 0.03
                elif motion == "pulse":
                    s = 1 + 0.08 * math.sin(2 * math.pi * 1.5 * t)
                    key = int(s * 100)
                    if key not in rotated_cache:
                        rotated_cache[key] = img.resize((max(1, int(img.width * key / 100)),
                                                         max(1, int(img.height * key / 100))), Image.Resampling.BILINEAR)
                    img = rotated_cache[key]
                else:
                    cy += math.sin(2 * math.pi * 0.5 * t) * h * 0.025
            elif sp.role == "accent":
                phase = (cx * 0.013 + cy * 0.007)
                cy += math.sin(2 * math.pi * 0.6 * t + phase) * h * 0.015
            elif sp.role == "text" and t < 0.6:
                # Headlines fade in over the first 0.6 s.
                a = img.getchannel("A").point(lambda v, k=t / 0.6: int(v * k))
                img = img.copy()
                img.putalpha(a)
            return img, (cx, cy)

        return apply

    def frame(t: float) -> Any:
        if big_bg is not None:
            u = min(1.0, max(0.0, t / duration)) if duration > 0 else 0.0
            z = 1 + zoom * u
            cw, ch = big_bg.width / z, big_bg.height / z
            box = ((big_bg.width - cw) / 2, (big_bg.height - ch) / 2, (big_bg.width + cw) / 2, (big_bg.height + ch) / 2)
            scene.background = big_bg.resize((w, h), Image.Resampling.BILINEAR, box=box)
        try:
            img = scene.flatten(transform(t))
        finally:
            scene.background = bg_still
        return np.asarray(img.convert("RGB"))

    return frame


def crossfade(a: Any, b: Any, u: float) -> Any:
    """``a`` blended into ``b`` by ``u`` (0..1), by Pillow's 8-bit blend (several times faster than numpy floats)."""
    import numpy as np
    from PIL import Image

    u = min(1.0, max(0.0, u))
    return np.asarray(Image.blend(Image.fromarray(np.ascontiguousarray(a)), Image.fromarray(np.ascontiguousarray(b)), u))
