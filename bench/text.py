"""Text generation speed: genloom vs the raw runtime, and n-gram speculation on copy-heavy tasks.

    .venv/bin/python bench/text.py [--model qwen2.5-coder-1.5b] [--tokens 128] [--runs 3]
    .venv/bin/python bench/text.py --task rewrite [--model qwen2.5-coder-1.5b] [--runs 2]

Default (``--task chat``): the same loaded GGUF streamed raw (llama-cpp-python's
``create_completion``, or the xllamacpp engine's handler) and through genloom's
layer; prints both rates, the ratio (goal >= 0.95) and the time-to-first-token
overhead (goal < 20 ms).

``--task rewrite``: the same GGUF loaded twice on the xllamacpp runtime, with
n-gram (prompt-lookup) speculation on and off. Copy-heavy prompts (rewrite a
text, fix its typos, edit code, extract sentences) and plain-prose prompts run
greedily (temperature 0) on both; prints tokens/s with and without, the ratio
on copy-heavy prompts (goal >= 1.3), the ratio on plain prose (goal >= 0.95:
speculation must not slow down what it cannot help) and whether every output
is identical with it on and off. Runs alternate so machine noise hits both alike;
medians are reported.

It ends with a batch-invariance probe, the reason outputs can differ: positions of
a greedy reply are scored again inside one prompt batch (as speculation verifies
its drafts, and as a cached prefix is extended) and their log-probabilities are
compared with the one-token-at-a-time decode that produced them. A runtime whose
kernels are batch-invariant prints 0; llama.cpp's CPU kernels are not, so
speculated output can take the other branch wherever two tokens are nearly tied.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from typing import Any

STORY = ("Our company was founded in 1998 by two friends who wanted to build the best bicycles in the city. "
         "Today we employ more than two hundred people, and our bikes are sold in twelve countries. We still "
         "build every frame by hand in our workshop on Mill Street, and every bike is tested on the road "
         "before it leaves the building. Our customers tell us that they love the quality, the service and "
         "the friendly staff, and many of them come back to us year after year.")
CODE = '''def total_price(items, tax_rate):
    subtotal = 0
    for item in items:
        subtotal += item["price"] * item["quantity"]
    tax = subtotal * tax_rate
    return subtotal + tax


def print_receipt(items, tax_rate):
    for item in items:
        print(f"{item['name']}: {item['price'] * item['quantity']:.2f}")
    print(f"Total: {total_price(items, tax_rate):.2f}")
'''
MINUTES = ("The meeting opened at nine. Anna presented the sales figures for March, which were up eight percent. "
           "Ben said the new warehouse will open in June. The team agreed to hire two more drivers. Carla asked "
           "for a bigger budget for the autumn campaign, and the board will decide next week. The meeting closed "
           "at ten thirty.")
COPY_HEAVY = [
    ("rewrite", "You are an editor. Rewrite texts in the requested tone, keeping their meaning. Output only the "
                "rewritten text.", f"Rewrite the following text in a clear, friendly tone.\n\n{STORY}"),
    ("fix", "You are an editor. Fix spelling and grammar. Output only the corrected text.",
     "Fix this text:\n\n" + STORY.replace("friends", "freinds").replace("quality", "qualty")
     .replace("building", "bulding")),
    ("edit code", "You are an expert programmer. Output only the full edited code.",
     f"Rename the variable subtotal to net_total in this code:\n\n{CODE}"),
    ("extract", "You extract information. Quote the sentences exactly.",
     f"Copy, word for word, every sentence of these minutes that mentions a decision or a plan:\n\n{MINUTES}"),
]
PROSE = [
    ("story", None, "Write a long story about a lighthouse keeper."),
    ("explain", None, "Explain in detail why the sky is blue."),
]


def chat_vs_raw(args: argparse.Namespace) -> int:
    from genloom.models.registry import get_registry
    from genloom.text.api import chat
    from genloom.text.params import GenerationParams, Message

    model = get_registry().load(args.model)
    messages = [Message(role="user", content="Write a long story about a lighthouse keeper.")]
    # Fixed sampling, no early stop: both sides generate exactly --tokens tokens.
    params = GenerationParams(temperature=0.8, seed=1, max_tokens=args.tokens, repeat_penalty=1.1)
    raw = _raw_runner(model, messages, params)

    def ours() -> tuple[float, float, int]:
        start = time.perf_counter()
        first = None
        n = 0
        for _ in chat(messages=messages, model=model, params=params, log=True):
            n += 1
            if first is None:
                first = time.perf_counter() - start
        return first or 0.0, time.perf_counter() - start, n

    raw()  # warm-up: page in weights, build the prompt cache
    rows: dict[str, list[tuple[float, float, int]]] = {"raw": [], "genloom": []}
    for _ in range(args.runs):
        for name, fn in (("raw", raw), ("genloom", ours)):
            rows[name].append(fn())

    def rate(r: tuple[float, float, int]) -> float:
        ttft, total, n = r
        return (n - 1) / (total - ttft) if total > ttft and n > 1 else 0.0

    raw_tps = statistics.median(rate(r) for r in rows["raw"])
    our_tps = statistics.median(rate(r) for r in rows["genloom"])
    raw_ttft = statistics.median(r[0] for r in rows["raw"])
    our_ttft = statistics.median(r[0] for r in rows["genloom"])
    print(f"model {args.model} on {type(model).__name__}, {model.threads} threads, {args.tokens} tokens, "
          f"{args.runs} runs (median)")
    print(f"raw runtime          : {raw_tps:6.1f} tok/s   TTFT {raw_ttft * 1000:7.1f} ms")
    print(f"genloom              : {our_tps:6.1f} tok/s   TTFT {our_ttft * 1000:7.1f} ms")
    ratio = our_tps / raw_tps if raw_tps else 0.0
    overhead_ms = (our_ttft - raw_ttft) * 1000
    print(f"ratio genloom/raw    : {ratio:.3f}  (goal >= 0.95)")
    print(f"TTFT overhead        : {overhead_ms:+.1f} ms  (goal < 20 ms)")
    return 0 if ratio >= 0.95 and overhead_ms < 20 else 1


def _raw_runner(model: Any, messages: list[Any], params: Any) -> Any:
    """Stream the same request straight from the runtime, without genloom's layer."""
    from genloom.backends.llama_cpp import LlamaCppModel

    if isinstance(model, LlamaCppModel):
        prompt, _ = model.format_chat(messages)
        tokens = model._tokens(prompt, add_bos=False)

        def raw_llama() -> tuple[float, float, int]:
            model.llm.reset()  # no prefix-cache advantage for either side
            start = time.perf_counter()
            first, n = None, 0
            for part in model.llm.create_completion(
                    tokens, max_tokens=params.max_tokens, stream=True, temperature=params.temperature,
                    top_p=params.top_p, top_k=params.top_k, min_p=params.min_p,
                    repeat_penalty=params.repeat_penalty, seed=params.seed, stop=None):
                if part["choices"][0]["text"]:
                    n += 1
                    first = first if first is not None else time.perf_counter() - start
            return first or 0.0, time.perf_counter() - start, n
        return raw_llama

    body = {"messages": [m.model_dump() for m in messages], "max_tokens": params.max_tokens, "stream": True,
            "temperature": params.temperature, "top_p": params.top_p, "top_k": params.top_k, "min_p": params.min_p,
            "repeat_penalty": params.repeat_penalty, "seed": params.seed}

    def raw_engine() -> tuple[float, float, int]:
        start = time.perf_counter()
        marks: list[float] = []

        def on_chunk(data: dict[str, Any]) -> bool:
            for choice in data.get("choices") or []:
                if (choice.get("delta") or {}).get("content"):
                    marks.append(time.perf_counter() - start)
            return False

        model.server.handle_chat_completions(body, on_chunk)
        return (marks[0] if marks else 0.0), time.perf_counter() - start, len(marks)
    return raw_engine


def rewrite(args: argparse.Namespace) -> int:
    from genloom.backends.xllamacpp import XLlamaCppModel
    from genloom.models.registry import get_registry
    from genloom.text.api import chat

    card = get_registry().card(args.model)
    models = {ngram: XLlamaCppModel(card, parallel=1, ngram=ngram, reproducible=False) for ngram in (True, False)}

    def once(ngram: bool, system: str | None, prompt: str) -> tuple[str, float, dict[str, Any]]:
        r = chat(prompt, system=system, model=models[ngram], max_tokens=args.tokens, temperature=0, seed=1,
                 log=False)
        text = r.text()
        return text, r.tokens_per_second() or 0.0, r.timings

    print(f"model {args.model}, {models[True].threads} threads, greedy, up to {args.tokens} tokens, "
          f"{args.runs} runs (median)")
    print(f"{'prompt':<10} {'kind':<10} {'ngram tok/s':>11} {'plain tok/s':>11} {'ratio':>6} {'accepted':>9} same")
    ratios: dict[str, list[float]] = {"copy": [], "prose": []}
    identical = True
    for kind, prompts in (("copy", COPY_HEAVY), ("prose", PROSE)):
        for name, system, prompt in prompts:
            for ngram in (True, False):
                once(ngram, system, prompt)  # warm-up: the prompt is cached alike on both
            runs: dict[bool, list[tuple[str, float, dict[str, Any]]]] = {True: [], False: []}
            for i in range(args.runs):
                for ngram in ((True, False) if i % 2 == 0 else (False, True)):
                    runs[ngram].append(once(ngram, system, prompt))
            on = statistics.median(r[1] for r in runs[True])
            off = statistics.median(r[1] for r in runs[False])
            same = len({r[0] for r in runs[True] + runs[False]}) == 1
            identical &= same
            t = runs[True][0][2]
            ratios[kind].append(on / off if off else 0.0)
            print(f"{name:<10} {kind:<10} {on:>11.1f} {off:>11.1f} {on / off:>6.2f} "
                  f"{t.get('draft_n_accepted', 0):>4}/{t.get('draft_n', 0):<4} {'yes' if same else 'NO'}", flush=True)
    copy = statistics.median(ratios["copy"])
    prose = statistics.median(ratios["prose"])
    print(f"copy-heavy ratio ngram/plain : {copy:.2f}  (goal >= 1.3)")
    print(f"plain-prose ratio ngram/plain: {prose:.2f}  (goal >= 0.95)")
    print(f"identical output at temperature 0: {'yes' if identical else 'NO'}")
    drift = batch_drift(models[False])
    print(f"batch-invariance probe: the same positions scored in one batch vs one token at a time differ by "
          f"up to {drift:.2g} in log-probability ({'invariant' if drift == 0 else 'not invariant'})")
    for m in models.values():
        m.close()
    return 0 if copy >= 1.3 and prose >= 0.95 and identical else 1


def batch_drift(model: Any, tokens: int = 24) -> float:
    """Largest log-probability change between batch and one-token scoring of a greedy reply."""
    import json
    import urllib.request

    server, key = model.server, model._key
    prompt = f"Copy this text exactly:\n\n{MINUTES}\n\nCopy:\n"

    def complete(p: Any, n: int) -> list[dict[str, Any]]:
        r = server.handle_completions({"prompt": p, "max_tokens": n, "temperature": 0, "logprobs": 2,
                                       "cache_prompt": False, "seed": 1})
        return r["choices"][0]["logprobs"]["content"]

    req = urllib.request.Request(f"{server.listening_address}/tokenize", headers={
        "Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        data=json.dumps({"content": prompt, "add_special": True, "parse_special": True}).encode())
    with urllib.request.urlopen(req, timeout=60) as resp:
        ids = json.load(resp)["tokens"]
    decoded = complete(prompt, tokens)  # the prompt as one batch, then one token per step
    drift = 0.0
    for k in range(1, len(decoded), 4):
        batch = complete(ids + [t["id"] for t in decoded[:k]], 1)[0]  # positions 0..k-1 in one batch
        one = {t["id"]: t["logprob"] for t in decoded[k]["top_logprobs"]}
        drift = max([drift] + [abs(one[t["id"]] - t["logprob"]) for t in batch["top_logprobs"] if t["id"] in one])
    return drift


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="qwen2.5-coder-1.5b")
    ap.add_argument("--task", choices=["chat", "rewrite"], default="chat")
    ap.add_argument("--tokens", type=int, default=None, help="tokens per reply (chat: 128, rewrite: 160)")
    ap.add_argument("--runs", type=int, default=None, help="runs per side (chat: 3, rewrite: 2)")
    args = ap.parse_args()
    if args.task == "rewrite":
        args.tokens, args.runs = args.tokens or 160, args.runs or 2
        return rewrite(args)
    args.tokens, args.runs = args.tokens or 128, args.runs or 3
    return chat_vs_raw(args)


if __name__ == "__main__":
    sys.exit(main())
