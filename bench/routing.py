"""Routing accuracy and latency on the labelled request sets.

    .venv/bin/python bench/routing.py            # dev set + held-out set, fast stages only
    .venv/bin/python bench/routing.py --llm      # also let the LLM decide unclear cases
    .venv/bin/python bench/routing.py --errors   # list the misrouted requests

A request counts as correct only when its deliverables set is exactly right.
``routing_set.jsonl`` is the development set the cue tables were tuned on;
Held-out sets were each written before looking at the router's answers on them, and evaluated
once ("first look") before any fix they inspired; later fixes were generic rules, never per-request:

    set          n   first look   after the fixes it inspired
    held-out    64      95.3 %        98.4 %
    held-out-2  40      92.5 %       100.0 %
    held-out-3  40      87.5 %       100.0 %
    held-out-4  40      97.5 %       (not tuned on)

Outside-style sets (files, chains, settings, the sound/transcript kinds), first look of the old router
(fe3c810) / of brain.understand, then after the generic fixes they inspired:

    outside     68   66.2 % / 92.6 %   98.5 %
    outside-2   64   78.1 % / 89.1 %   98.4 %
    outside-3   40   75.0 % / 87.5 %   92.5 %
    outside-4   60        - / 95.0 %   (not tuned on; bench/heldout_first_look.md)

Only a first-look figure is an honest estimate for unseen requests.
The baseline for comparison is "always text" (what a chat-only tool does).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
SETS = {"dev": HERE / "routing_set.jsonl", "held-out": HERE / "routing_heldout.jsonl",
        "held-out-2": HERE / "routing_heldout2.jsonl", "held-out-3": HERE / "routing_heldout3.jsonl",
        "held-out-4": HERE / "routing_heldout4.jsonl", "held-out-5": HERE / "routing_heldout5.jsonl",
        "outside": HERE / "routing_outside.jsonl", "outside-2": HERE / "routing_outside2.jsonl",
        "outside-3": HERE / "routing_outside3.jsonl",
        "outside-4": HERE / "routing_outside4.jsonl"}
KINDS = ("text", "code", "transcript", "image", "speech", "music", "sound", "video")


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def evaluate(name: str, rows: list[dict], *, use_llm: bool, show_errors: bool) -> dict:
    from genloom.brain.routing import route

    correct = baseline = 0
    single_ms: list[float] = []
    all_ms: list[float] = []
    tp = dict.fromkeys(KINDS, 0)
    fp = dict.fromkeys(KINDS, 0)
    fn = dict.fromkeys(KINDS, 0)
    stages: dict[str, int] = {}
    errors = []
    for row in rows:
        want = set(row["deliverables"])
        t0 = time.perf_counter()
        result = route(row["request"], use_llm=use_llm)
        ms = (time.perf_counter() - t0) * 1000
        got = set(result.deliverables)
        all_ms.append(ms)
        if len(want) == 1:
            single_ms.append(ms)
        stages[result.stage] = stages.get(result.stage, 0) + 1
        correct += got == want
        baseline += want == {"text"}
        if got != want:
            errors.append((row["request"], sorted(want), sorted(got), result.stage))
        for k in KINDS:
            tp[k] += k in got and k in want
            fp[k] += k in got and k not in want
            fn[k] += k not in got and k in want
    n = len(rows)
    print(f"\n== {name}: {n} requests ==")
    print(f"exact-set accuracy: {correct / n:.1%} ({correct}/{n});  baseline 'always text': {baseline / n:.1%};  "
          f"ratio {correct / max(baseline, 1):.2f}x")
    print(f"latency p50 single-output: {statistics.median(single_ms):.2f} ms;  p50 all: "
          f"{statistics.median(all_ms):.2f} ms;  max: {max(all_ms):.1f} ms")
    print("stages: " + ", ".join(f"{k}={v}" for k, v in sorted(stages.items())))
    print(f"{'kind':<8}{'precision':>10}{'recall':>8}{'support':>9}")
    for k in KINDS:
        p = tp[k] / (tp[k] + fp[k]) if tp[k] + fp[k] else float("nan")
        r = tp[k] / (tp[k] + fn[k]) if tp[k] + fn[k] else float("nan")
        print(f"{k:<8}{p:>10.2f}{r:>8.2f}{tp[k] + fn[k]:>9}")
    if show_errors:
        for req, want, got, stage in errors:
            print(f"  MISS [{stage}] {req!r}: want {want}, got {got}")
    return {"accuracy": correct / n, "p50_single_ms": statistics.median(single_ms)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--llm", action="store_true", help="allow the LLM stage (slow)")
    ap.add_argument("--errors", action="store_true", help="print misrouted requests")
    ap.add_argument("--set", choices=sorted(SETS), help="only this set")
    args = ap.parse_args()
    from genloom.brain.routing import route

    route("warm up the embedding model", use_llm=False)  # load time is not routing latency
    for name, path in SETS.items():
        if args.set and name != args.set:
            continue
        evaluate(name, load(path), use_llm=args.llm, show_errors=args.errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
