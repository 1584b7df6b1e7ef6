"""Planning latency: without the LLM over every routing request, with the default LLM, and a kit run.

    .venv/bin/python bench/brain_plan.py --rules    # plan p50 with no LLM call, all bench/routing_*.jsonl (goal <= 50 ms)
    .venv/bin/python bench/brain_plan.py --understand  # the one LLM reading a plan may need: wall and CPU seconds
    .venv/bin/python bench/brain_plan.py            # multi-part plans with the default LLM (goal: <= 3 s)
    .venv/bin/python bench/brain_plan.py --kit      # also run the launch kit end to end (goal: <= 120 s)

Baseline for comparison: the same plans with the LLM stage off (rules only).
The first LLM call pays the model load; it is reported apart.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REQUESTS = [
    "I need a headline, a poster and a jingle",
    "marketing launch kit for our solar charger: headline, ad copy, hero image with the headline, voiceover "
    "script, narrated audio, a jingle, and a 15-second promo video",
    "write a blog post about urban beekeeping with a header image",
    "design a logo and write a slogan and a short jingle",
    "a short story, a picture to go with it and a narration",
    "headline, hero image and jingle, Aurora lamp launch",
    "recycled-plastic sneakers by Loop: headline, ad copy and a promo video",
]
KIT = REQUESTS[1]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kit", action="store_true", help="also execute the launch kit")
    ap.add_argument("--model", help="text model (default: the registry default)")
    ap.add_argument("--rules", action="store_true", help="only plan p50 without the LLM over the routing sets")
    ap.add_argument("--understand", action="store_true", help="only full plans that need the LLM's reading")
    args = ap.parse_args()
    from genloom.brain import execute, plan

    if args.rules:
        return _rules_only(plan)
    if args.understand:
        return _understand(plan, args.model)

    t0 = time.perf_counter()
    plan("I need a headline and a poster", model=args.model)  # loads the model
    print(f"first plan (model load included): {time.perf_counter() - t0:.2f} s")
    with_llm, rules = [], []
    for request in REQUESTS:
        t = time.perf_counter()
        p = plan(request, model=args.model)
        with_llm.append(time.perf_counter() - t)
        t = time.perf_counter()
        plan(request, use_llm=False)
        rules.append(time.perf_counter() - t)
        print(f"{with_llm[-1]:6.2f} s  {p.planned_by:<22} {len(p.steps)} steps  {p.deliverables}  {request[:50]!r}")
    med_llm, med_rules = statistics.median(with_llm), statistics.median(rules)
    print(f"multi-part plan p50 with LLM: {med_llm:.2f} s (max {max(with_llm):.2f} s); rules only: "
          f"{med_rules * 1000:.1f} ms; ratio {med_llm / max(med_rules, 1e-6):.0f}x")
    if args.kit:
        out = Path(tempfile.mkdtemp(prefix="genloom-kit-"))
        t = time.perf_counter()
        result = execute(plan(KIT, model=args.model), output_dir=out)
        total = time.perf_counter() - t
        for r in result.steps:
            print(f"  {r.status:<6} {r.step_id:<18} {r.seconds:6.1f} s  {', '.join(r.paths) or r.error}")
        print(f"launch kit: {sum(r.status == 'ok' for r in result.steps)}/{len(result.steps)} steps ok in "
              f"{total:.1f} s (goal 120 s); provenance: genloom log show {result.run_id} --tree")
    return 0


# Requests no rule fully reads: no cue names the output, or several parts and no "for X" subject.
OPEN = ["headline, hero image and jingle, Aurora lamp launch", "something soothing for my grandmother's party",
        "a poster and a song, summer fair", "logo and jingle, Pixel Bakery opening",
        "stuff for my sister's wedding", "tagline and a short video, rooftop cinema night"]


def _understand(plan, model: str | None) -> int:
    """Full plans whose reading needs the LLM. CPU seconds show the cost on a busy machine too: on an idle
    2-core machine llama.cpp's two threads make wall time about CPU time / 2."""
    import os

    plan(OPEN[0], model=model)  # model load and the constant prompt prefix, paid once
    walls, cpus = [], []
    for request in OPEN[1:]:
        t, c = time.perf_counter(), time.process_time()
        p = plan(request, model=model)
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
        print(f"{walls[-1]:6.2f} s wall  {cpus[-1]:6.2f} s CPU  {p.routed_by}/{p.planned_by:<5} {p.deliverables} "
              f"topic={p.topic!r}  {request!r}")
    print(f"full plan with the LLM: p50 {statistics.median(walls):.2f} s wall, {statistics.median(cpus):.2f} s CPU "
          f"(idle 2-core estimate {statistics.median(cpus) / 2:.2f} s; goal <= 3 s); load average "
          f"{os.getloadavg()[0]:.1f}")
    return 0


def _rules_only(plan) -> int:
    import json

    rows = [json.loads(line) for path in sorted(Path(__file__).parent.glob("routing_*.jsonl"))
            for line in path.read_text().splitlines() if line.strip()]
    plan("warm up the parser and the embedding model", use_llm=False)
    times = []
    for row in rows:
        t = time.perf_counter()
        plan(row["request"], use_llm=False)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    print(f"plan without LLM, {len(times)} requests: p50 {statistics.median(times):.1f} ms, "
          f"p90 {times[int(0.9 * len(times))]:.1f} ms, max {times[-1]:.1f} ms (goal p50 <= 50 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
