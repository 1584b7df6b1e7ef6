"""A batch of mixed requests in-process vs on a local Ray cluster, and the single-request overhead.

    .venv/bin/python bench/scale.py [--per-kind 3] [--kinds speech,music,text,image] [--workers 1,2]
                                    [--single 5] [--rounds 2]

Real embedded generators (speech: hibari, music: the composer, text:
smollm2-135m, image: the default image model). Every path is warmed up first
(models loaded, in this process and in the Ray model actors), then timed:

* in-process: the requests one after another through ``genloom.api.create``;
* Ray: a local cluster of N worker nodes on 127.0.0.1 (``ray.cluster_utils.Cluster``,
  1 CPU per node), one request in flight per CPU, as ``genloom batch --ray`` does.

Both are timed side by side while each cluster is up (the machine may be
shared). Prints throughput (requests/s) for each, the ratio Ray/in-process, and
for one request the ratio in-process time / Ray time (1.0 = no overhead; the
target is >= 0.8). Outputs go to a temporary GENLOOM_HOME; the models cache is shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REQUESTS = {
    "speech": ("speech", "Welcome to genloom. Your files are ready.", None, {}),
    "music": ("music", "a calm piano piece in C major, 8 seconds", None, {}),
    "text": ("text", "Write one sentence about tea.", "smollm2-135m", {"max_tokens": 32, "temperature": 0}),
    "image": ("image", "a red fox icon", None, {}),
}
MIB = 1024 * 1024


def batch(kinds: list[str], per_kind: int) -> list[tuple[str, str, str | None, dict[str, Any]]]:
    out = []
    for i in range(per_kind):
        for k in kinds:
            kind, prompt, model, params = REQUESTS[k]
            out.append((kind, f"{prompt} (#{i})", model, {**params, "seed": i}))
    return out


def run_inproc(reqs: list) -> float:
    from genloom.api import create

    t0 = time.perf_counter()
    for kind, prompt, model, params in reqs:
        create(kind, prompt, model=model, params=params)
    return time.perf_counter() - t0


def run_ray(runner: Any, reqs: list) -> float:
    # The same scheduling as `genloom batch --ray`: one call in flight per CPU of the cluster.
    window = runner.default_in_flight()
    queue = list(reqs)
    pending: list[Any] = []
    t0 = time.perf_counter()
    while queue or pending:
        while queue and len(pending) < window:
            kind, prompt, model, params = queue.pop(0)
            pending.append(runner.submit(kind, prompt, model=model, params=params))
        done, pending = runner.wait(pending)
        for p in done:
            runner.result(p)
    return time.perf_counter() - t0


def compare(reqs: list, workers: int, single: int, rounds: int) -> tuple[float, float, float, float]:
    """(in-process batch s, Ray batch s, in-process single s, Ray single s), measured side by side.

    Both paths are timed while the same cluster is up, one right after the
    other, so load from anything else on the machine hits both alike.
    """
    import ray
    from ray.cluster_utils import Cluster

    from genloom.api import create
    from genloom.distributed.ray_backend import RayRunner

    node = {"num_cpus": 1, "object_store_memory": 100 * MIB}
    cluster = Cluster(initialize_head=True, head_node_args={**node, "include_dashboard": False})
    for _ in range(workers - 1):
        cluster.add_node(**node)
    ray.init(address=cluster.address, namespace="genloom", log_to_driver=False, configure_logging=False)
    runner = RayRunner(cluster.address)
    try:
        for kind, prompt, model, params in {r[0]: r for r in reqs}.values():  # warm-up: load every model
            create(kind, prompt, model=model, params=params)
            runner(kind, prompt, model=model, params=params)
        # Alternate the two and keep each one's best round: other load on a shared
        # machine only ever adds time.
        base_s = ray_s = float("inf")
        for _ in range(rounds):
            base_s = min(base_s, run_inproc(reqs))
            ray_s = min(ray_s, run_ray(runner, reqs))
        kind, prompt, model, params = reqs[0]
        t_in, t_ray = [], []
        for i in range(single):  # interleaved
            t = time.perf_counter()
            create(kind, prompt, model=model, params={**params, "seed": 100 + i})
            t_in.append(time.perf_counter() - t)
            t = time.perf_counter()
            runner(kind, prompt, model=model, params={**params, "seed": 100 + i})
            t_ray.append(time.perf_counter() - t)
        return base_s, ray_s, statistics.median(t_in), statistics.median(t_ray)
    finally:
        runner.shutdown()
        ray.shutdown()
        cluster.shutdown()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-kind", type=int, default=3)
    ap.add_argument("--kinds", default="speech,music,text,image")
    ap.add_argument("--workers", default="1,2", help="Ray cluster sizes to try (nodes of 1 CPU)")
    ap.add_argument("--single", type=int, default=5, help="repetitions of the single-request timing (median)")
    ap.add_argument("--rounds", type=int, default=2, help="batch rounds per path (best kept)")
    args = ap.parse_args()
    kinds = [k for k in args.kinds.split(",") if k]
    unknown = [k for k in kinds if k not in REQUESTS]
    if unknown:
        sys.exit(f"unknown kinds {unknown}; choose from {', '.join(REQUESTS)}")

    from genloom import config

    os.environ["GENLOOM_MODELS_DIR"] = str(config.models_dir())
    os.environ["GENLOOM_HOME"] = tempfile.mkdtemp(prefix="genloom-bench-scale-")
    reqs = batch(kinds, args.per_kind)
    print(f"{len(reqs)} requests ({', '.join(kinds)} x {args.per_kind}); single request: {reqs[0][0]}")

    n_req = len(reqs)
    for n in (int(w) for w in args.workers.split(",")):
        base_s, ray_s, base_one, ray_one = compare(reqs, n, args.single, args.rounds)
        print(f"{n} worker node{'s' if n > 1 else ' '}: in-process {n_req / base_s:5.2f} req/s ({base_s:6.2f} s)  "
              f"ray {n_req / ray_s:5.2f} req/s ({ray_s:6.2f} s)  throughput ray/in-process {base_s / ray_s:4.2f}  |  "
              f"single {reqs[0][0]}: in-process {base_one * 1000:6.1f} ms, ray {ray_one * 1000:6.1f} ms, "
              f"ratio in-process/ray {base_one / ray_one:4.2f} (target >= 0.8)")
    print(f"outputs in {Path(os.environ['GENLOOM_HOME'])}")


if __name__ == "__main__":
    main()
