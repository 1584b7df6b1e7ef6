#!/usr/bin/env python
"""Sound benchmark: every sound genloom can make, rendered at 30 s, timed and checked.

For each sound: wall time to render 30 s at 44.1 kHz (goal ≤ 2 s on 2 cores,
best of --rounds), its real-time ratio (audio seconds per second of work),
the measurable property that makes it that sound (genloom.sound.measure.CHECKS:
spectral slope for coloured noise, envelope period for a clock, ...) with
its accepted range, and the loop seam (jump across the loop point over the
99.9th-percentile jump inside; ≤ 2 is seamless). Exits non-zero when any
sound misses its time or its property.

    .venv/bin/python bench/sound.py [--seconds 30] [--rounds 2] [--seeds 2]
"""

from __future__ import annotations

import argparse
import sys
import time


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--rounds", type=int, default=2, help="timed renders per sound (best counts)")
    ap.add_argument("--seeds", type=int, default=2, help="seeds whose files are all checked")
    ap.add_argument("--budget", type=float, default=2.0, help="seconds allowed per render")
    args = ap.parse_args()

    from genloom.sound.catalog import SOUNDS
    from genloom.sound.measure import CHECKS, loop_seam
    from genloom.sound.render import render
    from genloom.sound.request import SoundRequest

    print(f"{'sound':<12} {'best s':>7} {'x real':>7}  {'property':<62} {'value':>9}  {'range':<16} {'seam':>5}  ok")
    failures = 0
    worst = 0.0
    for sid in SOUNDS:
        request = SoundRequest.from_params("", {"sound": sid, "seconds": args.seconds})
        times = []
        for r in range(args.rounds):
            t0 = time.perf_counter()
            out = render(request, seed=1000 + r % max(1, args.seeds))
            times.append(time.perf_counter() - t0)
        best = min(times)
        worst = max(worst, best)
        values, oks, seams = [], [], []
        for seed in range(args.seeds):
            out = render(request, seed=1000 + seed)
            value, ok = CHECKS[sid].run(out.samples, out.sample_rate)
            values.append(value)
            oks.append(ok)
            seams.append(loop_seam(out.samples) if request.loop else 0.0)
        ok = all(oks) and best <= args.budget and max(seams) <= 2.0
        failures += not ok
        check = CHECKS[sid]
        rng = f"{check.lo:g}..{check.hi:g}" if check.hi < 1e6 else f">= {check.lo:g}"
        print(f"{sid:<12} {best:7.2f} {args.seconds / best:7.0f}  {check.what[:62]:<62} "
              f"{min(values):9.3f}  {rng:<16} {max(seams):5.2f}  {'yes' if ok else 'NO'}")
    print(f"\n{len(SOUNDS) - failures}/{len(SOUNDS)} sounds pass; slowest {worst:.2f} s for {args.seconds:g} s "
          f"(budget {args.budget:g} s, ratio {args.budget / worst:.1f}x under it)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
