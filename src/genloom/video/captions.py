"""Captions: narration sentences cut into readable pieces, an ``.srt`` file, and burned-in text.

A sentence longer than :data:`MAX_WORDS` words is shown in pieces, each
timed by its share of the sentence's letters, so a caption never holds
more than two short lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from genloom.video.narration import Cue

if TYPE_CHECKING:
    import numpy as np

MAX_WORDS = 8


def pieces(cues: list[Cue], max_words: int = MAX_WORDS) -> list[Cue]:
    """Each cue split into runs of at most ``max_words`` words, timed by letters.

    Runs are about even (9 words -> 5 + 4, not 8 + 1) and end after a comma or other
    clause mark when one is within two words of the even split.
    """
    out: list[Cue] = []
    for cue in cues:
        words = cue.text.split()
        if not words:
            continue
        runs = [" ".join(r) for r in _runs(words, max_words)]
        letters = [len(r) + 1 for r in runs]
        t = cue.start
        for run, share in zip(runs, letters, strict=True):
            end = t + (cue.end - cue.start) * share / sum(letters)
            out.append(Cue(round(t, 3), round(end, 3), run))
            t = end
    return out


def _runs(words: list[str], max_words: int) -> list[list[str]]:
    n = -(-len(words) // max_words)
    if n <= 1:
        return [words]
    cuts, last = [], 0
    for i in range(1, n):
        even = round(i * len(words) / n)
        near = [j for j in range(max(last + 1, even - 2), min(len(words), even + 3))
                if words[j - 1][-1] in ",;:" and j - last <= max_words]
        cut = min(near, key=lambda j: abs(j - even)) if near else even
        cuts.append(cut)
        last = cut
    bounds = [0, *cuts, len(words)]
    return [words[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def max_words_for(size: tuple[int, int]) -> int:
    """Words a caption may hold: two short lines on a tall frame, two longer ones on a wide frame."""
    return MAX_WORDS if size[1] > size[0] else 12


def _stamp(seconds: float) -> str:
    ms = max(0, int(round(seconds * 1000)))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def srt(cues: list[Cue]) -> str:
    """SubRip text: numbered blocks ``HH:MM:SS,mmm --> HH:MM:SS,mmm``."""
    blocks = [f"{i}\n{_stamp(c.start)} --> {_stamp(c.end)}\n{c.text}\n" for i, c in enumerate(cues, 1)]
    return "\n".join(blocks)


def parse_srt(text: str) -> list[Cue]:
    """The cues of an ``.srt`` file (used by tests and to read a user's subtitles)."""
    import re

    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.strip().splitlines()
        if len(lines) < 3:
            continue
        m = re.match(r"(\d+):(\d+):(\d+),(\d+)\s*-->\s*(\d+):(\d+):(\d+),(\d+)", lines[1])
        if not m:
            continue
        g = [int(x) for x in m.groups()]
        out.append(Cue(g[0] * 3600 + g[1] * 60 + g[2] + g[3] / 1000, g[4] * 3600 + g[5] * 60 + g[6] + g[7] / 1000,
                       " ".join(lines[2:])))
    return out


@dataclass
class Overlay:
    """A pre-rendered RGBA patch and where it goes on the frame (8-bit fixed point, premultiplied)."""

    premultiplied: np.ndarray  # h x w x 3 uint16: rgb * alpha
    alpha: np.ndarray  # h x w x 1 uint16, 0..255
    x: int
    y: int

    def draw(self, frame: np.ndarray, opacity: float = 1.0) -> np.ndarray:
        """Blend onto ``frame`` (in place when writable) and return it."""
        import numpy as np

        if not frame.flags.writeable:
            frame = frame.copy()
        h, w = self.alpha.shape[:2]
        region = frame[self.y:self.y + h, self.x:self.x + w]
        rh, rw = region.shape[:2]
        k = int(round(min(1.0, max(0.0, opacity)) * 256))
        if k == 0:
            return frame
        a, p = self.alpha[:rh, :rw], self.premultiplied[:rh, :rw]
        if k < 256:  # fading: scale in 32 bits (rgb * alpha * k overflows 16)
            a = (a * k) >> 8
            p = ((p.astype(np.uint32) * k) >> 8).astype(np.uint16)
        out = region.astype(np.uint16) * (255 - a)
        out += p
        region[...] = out // 255
        return frame


def overlay_from(image: Any, x: int, y: int) -> Overlay:
    import numpy as np

    arr = np.asarray(image.convert("RGBA"), dtype=np.uint16)
    alpha = arr[..., 3:]
    return Overlay(arr[..., :3] * alpha, alpha, x, y)


def caption_bottom(size: tuple[int, int], drawn: bool) -> float:
    """Where a caption box ends, as a share of the frame's height.

    Landscape and square: near the bottom, the usual place. Vertical: above the bottom fifth,
    where Reels, TikTok and Shorts draw their own buttons and text; on drawn art, higher still,
    in its sky, because the composer stands the subject in the lower middle of a tall frame.
    """
    w, h = size
    if h <= w:
        return 0.9
    return 0.47 if drawn else 0.78


class CaptionStyle:
    """White bold words on a dark rounded box, ending ``bottom`` of the way down the frame."""

    def __init__(self, size: tuple[int, int], bottom: float = 0.9):
        self.width, self.height = size
        self.bottom = bottom
        self.font_px = max(12, int(min(self.width, self.height * 0.85) / 16))  # 57 px on 1080p, 67 on 1080x1920
        self._cache: dict[str, Overlay] = {}

    def overlay(self, text: str) -> Overlay:
        if text not in self._cache:
            self._cache[text] = self._render(text)
        return self._cache[text]

    def _render(self, text: str) -> Overlay:
        from PIL import Image, ImageDraw

        from genloom.image.draw import wrap_fit

        max_w = int(self.width * 0.86)
        f, lines = wrap_fit(text, "headline", max_w, int(self.font_px * 2.4), max_lines=2, start=self.font_px)
        size = f.size
        line_h = int(size * 1.2)
        pad_x, pad_y = int(size * 0.6), int(size * 0.35)
        widths = [int(f.getlength(line)) for line in lines]
        box_w, box_h = max(widths) + 2 * pad_x, line_h * len(lines) + 2 * pad_y
        img = Image.new("RGBA", (box_w, box_h), (0, 0, 0, 0))
        d = ImageDraw.Draw(img)
        d.rounded_rectangle((0, 0, box_w - 1, box_h - 1), radius=int(size * 0.35), fill=(10, 10, 14, 175))
        for i, line in enumerate(lines):
            d.text(((box_w - widths[i]) // 2, pad_y + i * line_h), line, font=f, fill=(255, 255, 255, 255))
        x = (self.width - box_w) // 2
        y = max(0, int(self.height * self.bottom) - box_h)
        return overlay_from(img, x, y)


def write_srt(cues: list[Cue], path: Path) -> Path:
    from genloom.store.files import atomic_write_bytes

    atomic_write_bytes(path, srt(cues).encode("utf-8"))
    return path
