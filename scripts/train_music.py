#!/usr/bin/env python
"""Train genloom's composer on the Bach chorales that ship with music21.

    .venv/bin/python scripts/train_music.py            # rebuild src/genloom/music/bach_composer.npz
    .venv/bin/python scripts/train_music.py --check    # rebuild in memory, compare with the committed file

The parsed corpus is cached (~/.cache/genloom/bach-chorales-v1.json): the
first run parses all 371 chorales (~20-70 s), later runs take about a second.
Counting is deterministic, so the output reproduces the committed model.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np


def main(argv: list[str] | None = None) -> int:
    from genloom.music.corpus import load_corpus
    from genloom.music.train import build, default_model_path, save

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--output", type=Path, default=default_model_path(), help="model file to write")
    ap.add_argument("--limit", type=int, help="train on the first N chorales only (not cached)")
    ap.add_argument("--no-cache", action="store_true", help="parse the corpus again")
    ap.add_argument("--check", action="store_true", help="compare with the existing model instead of writing")
    args = ap.parse_args(argv)

    start = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if done % 25 == 0 or done == total:
            print(f"  parsed {done}/{total} chorales", file=sys.stderr)

    chorales = load_corpus(args.limit, use_cache=not args.no_cache, progress=progress)
    model = build(chorales)
    modes = {m: sum(1 for c in chorales if c["mode"] == m) for m in ("major", "minor")}
    print(f"{len(chorales)} four-voice chorales ({modes['major']} major, {modes['minor']} minor), "
          f"{len(model['tokens']) - 2} distinct beats, {len(model['trigrams'])} trigrams "
          f"in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    if args.check:
        with np.load(args.output) as old:
            same = set(old.files) == set(model) and all(np.array_equal(old[k], model[k]) for k in model)
        print("identical to the committed model" if same else "DIFFERS from the committed model", file=sys.stderr)
        return 0 if same else 1
    path = save(model, args.output)
    print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
