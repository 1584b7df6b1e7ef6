#!/usr/bin/env python3
"""`genloom pull` against plain `hf_hub_download`, on a local fake hub (no network needed).

    .venv/bin/python bench/pull.py [--mb 256]

Prints, in one run: throughput of both (genloom also verifies the sha256, an
extra read of the file), their ratio, and how many bytes a resumed pull
fetches after an interruption half-way (should be about half the file).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from tests.catalog.conftest import FakeHub, _handler, _QuietServer  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=256, help="size of the test file in MB")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="genloom-bench-pull-"))
    os.environ.update(GENLOOM_HOME=str(tmp / "home"), GENLOOM_MODELS_DIR=str(tmp / "models"),
                      HF_HOME=str(tmp / "hf"), HF_HUB_DISABLE_PROGRESS_BARS="1")
    hub = FakeHub()
    payload = os.urandom(args.mb * 1_000_000)
    hub.add("bench/model", {"weights.gguf": payload})
    servers = []
    for role in ("hub", "cdn"):
        server = _QuietServer(("127.0.0.1", 0), _handler(hub, role))
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
    hub.url = f"http://127.0.0.1:{servers[0].server_address[1]}"
    hub.cdn_url = f"http://127.0.0.1:{servers[1].server_address[1]}"
    os.environ["HF_ENDPOINT"] = hub.url
    import yaml

    catalog = tmp / "catalog.yaml"
    catalog.write_text(yaml.safe_dump({"models": [{
        "id": "bench-model", "kind": "text", "backend": "llama-cpp", "license": "MIT", "ram_gb": 1,
        "quality": 5, "source": {"hub": "bench/model", "files": ["weights.gguf"]}, "path": "weights.gguf"}]}))
    os.environ["GENLOOM_CATALOG"] = str(catalog)

    from huggingface_hub import hf_hub_download

    from genloom.catalog import pull as pullmod

    t = time.perf_counter()
    hf_hub_download("bench/model", "weights.gguf", cache_dir=str(tmp / "raw"), endpoint=hub.url)
    raw_s = time.perf_counter() - t

    t = time.perf_counter()
    card = pullmod.pull("bench-model")
    ours_s = time.perf_counter() - t
    assert Path(card.path or "").stat().st_size == len(payload)

    # Interrupt half-way, then resume: count the bytes the second pull asks for.
    pullmod.remove("bench-model")
    half = len(payload) // 2

    def stop(done: int, total: int, name: str) -> None:
        if done >= half:
            raise KeyboardInterrupt

    try:
        pullmod.pull("bench-model", progress=stop)
    except KeyboardInterrupt:
        pass
    hub.log.clear()
    t = time.perf_counter()
    pullmod.pull("bench-model")
    resume_s = time.perf_counter() - t
    rng = [r for m, p, r in hub.requests("GET", "/cdn/")][0]
    fetched = len(payload) - int(rng.split("=")[1].rstrip("-")) if rng else len(payload)

    mb = len(payload) / 1e6
    print(f"file: {mb:.0f} MB over 127.0.0.1")
    print(f"hf_hub_download (no checksum):      {raw_s:6.2f} s  {mb / raw_s:7.1f} MB/s")
    print(f"genloom pull (resumable + sha256):  {ours_s:6.2f} s  {mb / ours_s:7.1f} MB/s")
    print(f"ratio genloom/raw throughput:       {raw_s / ours_s:6.2f}")
    print(f"resume after interruption at 50%:   fetched {fetched / 1e6:.0f} MB of {mb:.0f} MB "
          f"({fetched / len(payload):.0%}) in {resume_s:.2f} s")
    for server in servers:
        server.shutdown()
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
