"""Video benchmark: seconds to render a 10-second 512x512 24 fps clip (240 frames, H.264 MP4).

Target: <= 10 s on 2 CPU cores, i.e. faster than real time. Prints the animated-scene clip and the
Ken Burns slideshow, each with its ratio against the 10 s budget (> 1 = within target).

    .venv/bin/python bench/video.py
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        os.environ["GENLOOM_HOME"] = str(work / "home")
        from genloom.api import create
        from genloom.video.encode import probe

        create("image", "warm up", params={"size": "256x256", "seed": 0})  # embeddings + asset index
        budget = 10.0
        for label, prompt, mode in [("animated scene", "a bouncing basketball", "animate"),
                                    ("slideshow, 4 stills", "a jazz night; a sleepy panda; a mountain hike; a calm lotus",
                                     "slideshow")]:
            out = work / f"{mode}.mp4"
            t = time.perf_counter()
            create("video", prompt, params={"seconds": 10, "fps": 24, "size": "512x512", "mode": mode, "seed": 1},
                   output=out)
            dt = time.perf_counter() - t
            info = probe(out)
            print(f"{label}: 10 s 512x512 24 fps ({info.get('video')}, {info.get('duration', 0):.1f} s, "
                  f"{out.stat().st_size / 1e6:.2f} MB) rendered in {dt:.2f} s -> {budget / dt:.2f}x the 10 s target")


if __name__ == "__main__":
    main()
