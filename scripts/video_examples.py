"""Make the example frame strips of docs/media.md's video section (small PNGs in docs/media/).

    .venv/bin/python scripts/video_examples.py [--full OUTDIR]

Each example is a real video made through ``genloom.api.create`` with the keys a plan passes
(format, narration, shots, name, cta, captions); the strip shows five of its frames, at 8 %,
30 %, 50 %, 70 % and 97 % of its length. ``--full`` also keeps the videos and their .srt files.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Any

from _examples import DOCS, make_examples

THUMB = 200  # long side of each frame in a strip: the docs stay small
AT = (0.08, 0.3, 0.5, 0.7, 0.97)

EXAMPLES = [
    ("video-reel-bakery", "a promo for Crumb bakery", {
        "format": "instagram-reel", "name": "Crumb Bakery", "cta": "Open daily, 7 to 7",
        "narration": "Meet Crumb, the bakery on the corner. Every loaf is shaped by hand before sunrise. "
                     "Come by this weekend and taste it warm.",
        "shots": ["a cosy bakery at dawn", "hands shaping bread dough", "an open shop door"]}),
    ("video-square-yoga", "a yoga studio promo", {
        "aspect": "1:1", "captions": True, "name": "Lotus Yoga", "cta": "First class free",
        "narration": "Breathe in. Stretch out. Find your calm at Lotus Yoga, open every morning."}),
    ("video-youtube-bikes", "a bike shop promo", {
        "format": "youtube", "name": "Spokes & Co", "cta": "Open Monday to Saturday", "captions": True,
        "narration": "Spokes and Co fixes any bike in a day. Bring yours in this week, and ride out happy.",
        "shots": ["a bicycle in a workshop", "a mechanic with tools", "a cyclist on a country road"]}),
    ("video-animated-ball", "a bouncing basketball", {"seconds": 4, "aspect": "16:9", "width": 640}),
]


def strip(video: Path, seconds: float, dest: Path) -> None:
    from PIL import Image

    from genloom.video.encode import ffmpeg_exe

    frames = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, share in enumerate(AT):
            png = Path(tmp) / f"{i}.png"
            subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-ss", f"{seconds * share:.2f}", "-i", str(video),
                            "-frames:v", "1", str(png)], check=True)
            img = Image.open(png).convert("RGB")
            img.thumbnail((THUMB, THUMB))
            frames.append(img)
    gap = 6
    sheet = Image.new("RGB", (sum(f.width for f in frames) + gap * (len(frames) - 1), frames[0].height), "white")
    x = 0
    for f in frames:
        sheet.paste(f, (x, 0))
        x += f.width + gap
    sheet.save(dest, optimize=True)


def main() -> None:
    def save(name: str, out: Path, result: Any) -> None:
        strip(out, result.meta["seconds"], DOCS / f"{name}.png")
        print(f"{name}: {result.meta['size'][0]}x{result.meta['size'][1]}, {result.meta['seconds']:.1f} s, "
              f"{result.meta['mode']}, {result.meta.get('shots')} shots -> docs/media/{name}.png")

    make_examples("video", EXAMPLES, ".mp4", {"fps": 12}, save)


if __name__ == "__main__":
    main()
