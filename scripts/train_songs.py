#!/usr/bin/env python
"""Train genloom's song model (melody, rhythm, harmony tables) on music21's folk tunes and Bach chorales.

    .venv/bin/python scripts/train_songs.py            # rebuild src/genloom/music/song_model.npz
    .venv/bin/python scripts/train_songs.py --check    # rebuild in memory, compare with the committed file

Both parsed corpora are cached (~/.cache/genloom/folk-tunes-v1.json and
bach-chorales-v1.json): the first run parses ~4,000 tunes and 371 chorales
(~8-12 min on a busy 2-core machine), later runs take a few seconds. Counting is
deterministic, so the output reproduces the committed tables.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np


def main(argv: list[str] | None = None) -> int:
    from genloom.music.corpus import load_corpus
    from genloom.music.song_train import build, default_song_model_path, save, tune_key
    from genloom.music.tunes import load_tunes

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--output", type=Path, default=default_song_model_path(), help="model file to write")
    ap.add_argument("--limit", type=int, help="train on the first N tunes and chorales only (not cached)")
    ap.add_argument("--no-cache", action="store_true", help="parse the corpora again")
    ap.add_argument("--check", action="store_true", help="compare with the existing model instead of writing")
    args = ap.parse_args(argv)
    start = time.perf_counter()

    def tune_progress(done: int, name: str) -> None:
        if done % 250 == 0:
            print(f"  parsed {done} tunes ({name})", file=sys.stderr)

    def chorale_progress(done: int, total: int) -> None:
        if done % 50 == 0 or done == total:
            print(f"  parsed {done}/{total} chorales", file=sys.stderr)

    tunes = load_tunes(args.limit, use_cache=not args.no_cache, progress=tune_progress)
    chorales = load_corpus(args.limit, use_cache=not args.no_cache, progress=chorale_progress)
    model = build(tunes, chorales)
    keys = [tune_key(t) for t in tunes]
    modes = {m: sum(1 for _, mode in keys if mode == m) for m in ("major", "minor")}
    print(f"{len(tunes)} tunes ({modes['major']} major, {modes['minor']} minor; "
          f"{sum(len(t['notes']) for t in tunes)} notes, {sum(1 for t in tunes if t['chords'])} with chord symbols), "
          f"{len(chorales)} chorales in {time.perf_counter() - start:.1f} s", file=sys.stderr)
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
