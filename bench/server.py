"""Chat through the HTTP server vs the library, concurrency levels, and 20 concurrent clients.

    .venv/bin/python bench/server.py [--models smollm2-135m,qwen2.5-coder-0.5b] [--tokens 64] [--runs 3]
                                     [--concurrency 1,4,8] [--clients 20]

Prints, per model: generation tokens/s through the server (streamed, via a
real uvicorn process) against genloom.text.api.chat in-process (ratio, target
>= 0.9), and the time-to-first-token overhead. Then, on the last model, for
each concurrency level C: C streaming clients at once, their aggregate
tokens/s against the single-stream figure of the same run (goal at 4 clients:
>= 1.25x on 2 cores) and p50/p99 latency. Last, N concurrent clients served
by this server (continuous batching, GENLOOM_PARALLEL slots) and by a server
started with GENLOOM_PARALLEL=1 (the serialized queue), p50/p99 latency and
the p50 reduction (goal >= 30 %). Greedy decoding with a fixed seed.
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


STORIES = ["a lighthouse keeper", "a lost robot", "a dragon who bakes bread", "two rival chess players",
           "a city under the sea", "a clockmaker's apprentice", "a time-travelling cat", "the last tree on Mars"]


async def stream_clients(url: str, model: str, clients: int, tokens: int) -> dict[str, Any]:
    """``clients`` streaming requests at once: aggregate tokens/s over the wall time, latencies."""
    import httpx

    async with httpx.AsyncClient(timeout=900, limits=httpx.Limits(max_connections=clients + 5)) as client:
        async def one(i: int) -> tuple[float, float, int]:
            body = {"model": model, "temperature": 0, "seed": 1, "max_tokens": tokens, "stream": True,
                    "stream_options": {"include_usage": True},
                    "messages": [{"role": "user", "content": f"Write a long story about {STORIES[i % len(STORIES)]}."}]}
            start = time.perf_counter()
            n = 0
            async with client.stream("POST", f"{url}/v1/chat/completions", json=body) as r:
                r.raise_for_status()
                async for line in r.aiter_lines():
                    if line.startswith("data: {"):
                        chunk = json.loads(line[6:])
                        if chunk.get("usage"):
                            n = chunk["usage"]["completion_tokens"]
            return start, time.perf_counter(), n

        results = await asyncio.gather(*(one(i) for i in range(clients)))
    wall = max(e for _, e, _ in results) - min(s for s, _, _ in results)
    lat = sorted(e - s for s, e, _ in results)
    return {"tokens": sum(n for _, _, n in results), "wall": wall, "tok_s": sum(n for _, _, n in results) / wall,
            "p50": lat[len(lat) // 2], "p99": lat[min(len(lat) - 1, int(len(lat) * 0.99))]}


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
    ap.add_argument("--concurrency", default="1,4,8", help="streaming clients at once, per level")
    ap.add_argument("--concurrency-model", help="model for the concurrency tests (default: the last of --models)")
    args = ap.parse_args()
    levels = sorted({int(c) for c in args.concurrency.split(",") if c.strip()} | {1})

    # Idle OpenMP threads must not spin: the library and the server each hold a model.
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")
    from genloom import config

    env = dict(os.environ)
    env["GENLOOM_MODELS_DIR"] = str(config.models_dir())
    home = tempfile.mkdtemp(prefix="genloom-bench-")
    env["GENLOOM_HOME"] = os.environ["GENLOOM_HOME"] = home
    os.environ["GENLOOM_MODELS_DIR"] = env["GENLOOM_MODELS_DIR"]
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    busy_model = args.concurrency_model or models[-1]

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
                  f"{s_ttft * 1000:>7.0f}ms {(s_ttft - l_ttft) * 1000:>+7.0f}ms", flush=True)
        from genloom.models.registry import get_registry

        get_registry().unload()  # the concurrency tests are the server's alone
        from genloom.backends.gguf_runtime import parallel_for

        print(f"\nconcurrency on {busy_model} (GENLOOM_PARALLEL={parallel_for()} slots, {args.tokens} tokens per client, streamed):")
        print(f"{'clients':>7} {'aggregate tok/s':>15} {'vs single':>9} {'p50':>7} {'p99':>7}")
        single = None
        for c in levels:
            res = asyncio.run(stream_clients(url, busy_model, c, args.tokens))
            single = single or res["tok_s"]
            print(f"{c:>7} {res['tok_s']:>15.1f} {res['tok_s'] / single:>8.2f}x {res['p50']:>6.2f}s "
                  f"{res['p99']:>6.2f}s", flush=True)
        batched = report_clients(url, busy_model, args.clients, "continuous batching")
    finally:
        proc.terminate()
        proc.wait(10)
    # The same burst on a server that decodes one sequence at a time (the serialized queue).
    proc, url = start_server({**env, "GENLOOM_PARALLEL": "1"})
    try:
        serial = report_clients(url, busy_model, args.clients, "serialized queue (GENLOOM_PARALLEL=1)")
    finally:
        proc.terminate()
        proc.wait(10)
    if batched["p50"] and serial["p50"]:
        print(f"\np50 at {args.clients} clients: {batched['p50']:.2f}s batched vs {serial['p50']:.2f}s serialized: "
              f"{(1 - batched['p50'] / serial['p50']) * 100:.0f}% lower (goal >= 30%)")


def report_clients(url: str, model: str, clients: int, label: str) -> dict[str, Any]:
    res = asyncio.run(concurrent_clients(url, model, clients, 16))
    ok = res["codes"].get(200, 0)
    print(f"\n{clients} concurrent clients on {model} (16 tokens each), {label}: {ok} served, "
          f"{clients - ok} dropped/refused {res['codes']}; wall {res['wall']:.1f}s, "
          f"latency p50 {res['p50']:.2f}s p99 {res['p99']:.2f}s")
    for q in res["queues"]:
        print(f"  queue {q['model']}: served {q['served']}, rejected {q['rejected']}, slots {q['slots']}, "
              f"peak waiting {q['peak_waiting']} of {q['queue_size']}, mean job {q['avg_seconds']}s")
    return res


if __name__ == "__main__":
    main()
