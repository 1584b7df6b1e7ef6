"""genloom streaming generation vs raw llama-cpp-python, same GGUF and threads.

    .venv/bin/python bench/text.py [--model qwen2.5-coder-0.5b] [--tokens 128] [--runs 3]

Prints tokens/s for both, the ratio (goal >= 0.95) and the time-to-first-token
overhead of genloom's layer (goal < 20 ms). Runs alternate raw and genloom so
machine noise hits both alike; the median of the runs is reported.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="qwen2.5-coder-1.5b")
    ap.add_argument("--tokens", type=int, default=128)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    from genloom.backends.llama_cpp import LlamaCppModel
    from genloom.models.registry import get_registry
    from genloom.text.api import chat
    from genloom.text.params import GenerationParams, Message

    model = get_registry().load(args.model)
    assert isinstance(model, LlamaCppModel)
    llm = model.llm  # the same loaded weights: only genloom's layer differs
    messages = [Message(role="user", content="Write a long story about a lighthouse keeper.")]
    prompt, stops = model.format_chat(messages)
    tokens = model._tokens(prompt, add_bos=False)
    # Fixed sampling, no early stop: both sides generate exactly --tokens tokens.
    params = GenerationParams(temperature=0.8, seed=1, max_tokens=args.tokens, repeat_penalty=1.1)

    def raw() -> tuple[float, float, int]:
        start = time.perf_counter()
        first = None
        n = 0
        for part in llm.create_completion(tokens, max_tokens=args.tokens, stream=True, temperature=0.8,
                                          top_p=params.top_p, top_k=params.top_k, min_p=params.min_p,
                                          repeat_penalty=1.1, seed=1, stop=None):
            if part["choices"][0]["text"]:
                n += 1
                if first is None:
                    first = time.perf_counter() - start
        return first or 0.0, time.perf_counter() - start, n

    def ours() -> tuple[float, float, int]:
        start = time.perf_counter()
        first = None
        n = 0
        response = chat(messages=messages, model=model, params=params, log=True)
        for _ in response:
            n += 1
            if first is None:
                first = time.perf_counter() - start
        return first or 0.0, time.perf_counter() - start, n

    raw()  # warm-up: page in weights, build the prompt cache
    rows = {"raw": [], "genloom": []}
    for _ in range(args.runs):
        for name, fn in (("raw", raw), ("genloom", ours)):
            llm.reset()  # no prefix-cache advantage for either side
            rows[name].append(fn())

    def rate(r: tuple[float, float, int]) -> float:
        ttft, total, n = r
        return (n - 1) / (total - ttft) if total > ttft and n > 1 else 0.0

    raw_tps = statistics.median(rate(r) for r in rows["raw"])
    our_tps = statistics.median(rate(r) for r in rows["genloom"])
    raw_ttft = statistics.median(r[0] for r in rows["raw"])
    our_ttft = statistics.median(r[0] for r in rows["genloom"])
    print(f"model {args.model}, {model.threads} threads, {args.tokens} tokens, {args.runs} runs (median)")
    print(f"raw llama-cpp-python : {raw_tps:6.1f} tok/s   TTFT {raw_ttft * 1000:7.1f} ms")
    print(f"genloom              : {our_tps:6.1f} tok/s   TTFT {our_ttft * 1000:7.1f} ms")
    ratio = our_tps / raw_tps if raw_tps else 0.0
    overhead_ms = (our_ttft - raw_ttft) * 1000
    print(f"ratio genloom/raw    : {ratio:.3f}  (goal >= 0.95)")
    print(f"TTFT overhead        : {overhead_ms:+.1f} ms  (goal < 20 ms)")
    return 0 if ratio >= 0.95 and overhead_ms < 20 else 1


if __name__ == "__main__":
    sys.exit(main())
