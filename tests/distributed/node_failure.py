"""Run by test_distributed_node_failure.py in its own process: a 3-node Ray cluster on loopback.

The head has no CPU, so the model actor (its card reserves one CPU) starts on
worker node 1. Mid-job a second worker node joins and node 1 is removed: Ray
restarts the actor on node 2 and retries the call. Prints one JSON line.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main(tmp: Path) -> None:
    import ray
    import ray_fakes
    from ray.cluster_utils import Cluster

    from genloom import api
    from genloom.distributed.ray_backend import RayRunner
    from genloom.models.card import Kind, ModelCard
    from genloom.models.registry import get_registry
    from genloom.store.db import get_store

    api.RUNNERS["image"] = ray_fakes.CRASHY
    get_registry().register(ModelCard(id="m-node", kind=Kind.image, backend="fake", size_bytes=0, license="MIT",
                                      source="tests", options={"num_cpus": 1}), lambda c: None)
    small = {"object_store_memory": 80 * 1024 * 1024}
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0, "include_dashboard": False, **small})
    first = cluster.add_node(num_cpus=1, **small)
    ray.init(address=cluster.address, log_to_driver=False, configure_logging=False)
    runner = RayRunner(cluster.address)
    try:
        marker = tmp / "started"
        pending = runner.submit("image", "node survivor", model="m-node", params={"seed": 9, "marker": str(marker)})
        deadline = time.monotonic() + 90
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        _pid, started_on = marker.read_text().split()
        cluster.add_node(num_cpus=1, **small)
        cluster.remove_node(first)  # the node running the job is gone
        result = runner.result(pending)
        gens = [g for g in get_store().generations(limit=50) if g["prompt"] == "node survivor"]
        print(json.dumps({"first_node": first.node_id, "started_on": started_on,
                          "finished_on": result.meta["ray"]["node"], "generations": len(gens),
                          "bytes_ok": Path(result.paths[0]).read_bytes() == ray_fakes._pixels("node survivor", 9)}))
    finally:
        runner.shutdown()
        ray.shutdown()
        cluster.shutdown()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
