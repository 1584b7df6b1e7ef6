"""Chat through the HTTP server vs the library, and 20 concurrent clients.

    .venv/bin/python bench/server.py [--models smollm2-135m,qwen2.5-coder-0.5b] [--tokens 64] [--runs 3]

Prints, per model: generation tokens/s through the server (streamed, via a
real uvicorn process) against genloom.text.api.chat in-process (ratio, target
>= 0.9), and the time-to-first-token overhead; then how N concurrent clients
are served (completed, 429s, p50/p99 latency, queue stats). Greedy decoding
with a fixed seed so both sides generate the same tokens.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

PROMPT = "Write a short story about a lighthouse keeper who finds a message in a bottle."


def library_once(model: str, tokens: int) -> tuple[float, float]:
    from genloom.text.api import chat

    resp = chat(PROMPT, model=model, max_tokens=tokens, temperature=0, seed=1)
    resp.text()
    return resp.tokens_per_second() or 0.0, resp.ttft_s or 0.0


def server_once(client: Any, url: str, model: str, tokens: int) -> tuple[float, float]:
    body = {"model": model, "messages": [{"role": "user", "content": PROMPT}], "temperature": 0, "seed": 1,
            "stream": True, "stream_options": {"include_usage": True}, "max_tokens": tokens}
    start = time.perf_counter()
    first = end = None
    n = 0
    with client.stream("POST", f"{url}/v1/chat/completions", json=body) as r:
        r.raise_for_status()
        for line in r.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            if chunk["choices"] and chunk["choices"][0]["delta"].get("content"):
                first = first or time.perf_counter()
                end = time.perf_counter()
            if chunk.get("usage"):
                n = chunk["usage"]["completion_tokens"]
    assert first is not None and end is not None
    return ((n - 1) / (end - first) if n > 1 and end > first else 0.0), first - start


def compare(url: str, model: str, tokens: int, runs: int) -> tuple[float, float, float, float]:
    """Alternate library and server runs so a change in machine load hits both alike."""
    import httpx

    lib, srv = [], []
    with httpx.Client(timeout=600) as client:
        library_once(model, 4)  # load + warm up both sides
        server_once(client, url, model, 4)
        for _ in range(runs):
            lib.append(library_once(model, tokens))
            srv.append(server_once(client, url, model, tokens))
    med = statistics.median
    return med(s for s, _ in lib), med(t for _, t in lib), med(s for s, _ in srv), med(t for _, t in srv)


async def concurrent_clients(url: str, model: str, clients: int, tokens: int) -> dict[str, Any]:
    import httpx

    body = {"model": model, "messages": [{"role": "user", "content": "Say hello in five words."}],
            "max_tokens": tokens, "temperature": 0, "seed": 1}
    async with httpx.AsyncClient(timeout=600, limits=httpx.Limits(max_connections=clients + 5)) as client:
        async def one() -> tuple[int, float]:
            start = time.perf_counter()
            r = await client.post(f"{url}/v1/chat/completions", json=body)
            return r.status_code, time.perf_counter() - start

        start = time.perf_counter()
        results = await asyncio.gather(*(one() for _ in range(clients)))
        wall = time.perf_counter() - start
        status = (await client.get(f"{url}/v1/status")).json()
    lat = sorted(t for code, t in results if code == 200)
    codes: dict[int, int] = {}
    for code, _ in results:
        codes[code] = codes.get(code, 0) + 1
    q = len(lat)
    return {"codes": codes, "wall": wall,
            "p50": lat[q // 2] if lat else None,
            "p99": lat[min(q - 1, int(q * 0.99))] if lat else None,
            "queues": status["queues"]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    import httpx

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "genloom.server.app:create_app",
                             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"], env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="smollm2-135m,qwen2.5-coder-0.5b")
    ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--clients", type=int, default=20)
    args = ap.parse_args()

    # Idle OpenMP threads must not spin: the library and the server each hold a model.
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")
    from genloom import config

    env = dict(os.environ)
    env["GENLOOM_MODELS_DIR"] = str(config.models_dir())
    home = tempfile.mkdtemp(prefix="genloom-bench-")
    env["GENLOOM_HOME"] = os.environ["GENLOOM_HOME"] = home
    os.environ["GENLOOM_MODELS_DIR"] = env["GENLOOM_MODELS_DIR"]
    models = [m.strip() for m in args.models.split(",") if m.strip()]

    proc, url = start_server(env)
    # SIGTERM (e.g. from timeout) must still stop the server process.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        print(f"{'model':<22} {'library tok/s':>13} {'server tok/s':>13} {'ratio':>6} {'lib TTFT':>9} "
              f"{'srv TTFT':>9} {'overhead':>9}")
        for m in models:
            l_speed, l_ttft, s_speed, s_ttft = compare(url, m, args.tokens, args.runs)
            ratio = s_speed / l_speed if l_speed else float("nan")
            print(f"{m:<22} {l_speed:>13.1f} {s_speed:>13.1f} {ratio:>6.2f} {l_ttft * 1000:>7.0f}ms "
                  f"{s_ttft * 1000:>7.0f}ms {(s_ttft - l_ttft) * 1000:>+7.0f}ms")
        from genloom.models.registry import get_registry

        get_registry().unload()  # the concurrency test is the server's alone
        res = asyncio.run(concurrent_clients(url, models[0], args.clients, 16))
        ok = res["codes"].get(200, 0)
        print(f"\n{args.clients} concurrent clients on {models[0]} (16 tokens each): {ok} served, "
              f"{args.clients - ok} dropped/refused {res['codes']}; wall {res['wall']:.1f}s, "
              f"latency p50 {res['p50']:.2f}s p99 {res['p99']:.2f}s")
        for q in res["queues"]:
            print(f"  queue {q['model']}: served {q['served']}, rejected {q['rejected']}, slots {q['slots']}, "
                  f"peak waiting {q['peak_waiting']} of {q['queue_size']}, mean job {q['avg_seconds']}s")
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
