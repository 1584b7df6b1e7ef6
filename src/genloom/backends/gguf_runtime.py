"""Which llama.cpp runtime runs a GGUF model, and with what serving settings.

Two runtimes sit behind the same :class:`~genloom.text.base.TextModel` interface:

* ``xllamacpp`` (default when installed): llama.cpp's server engine as a Python
  module, prebuilt wheel. Several sequences decode in one batch (continuous
  batching over ``parallel`` slots), prompt prefixes are cached per slot and in
  RAM, and n-gram (prompt-lookup) speculation speeds up copy-heavy replies.
* ``llama-cpp-python``: one sequence at a time; builds from source, so it is
  only installed on request (``GENLOOM_LLAMA_CPP_PYTHON=1 make setup``).

Settings (environment, read when a model loads; a card's ``options`` may set
``runtime``, ``parallel``, ``ngram`` and ``n_ctx`` for one model):

* ``GENLOOM_LLAMA_RUNTIME``: ``auto`` (default), ``xllamacpp`` or ``llama-cpp-python``.
* ``GENLOOM_PARALLEL``: sequences one model decodes at once (default 4); the
  server admits that many concurrent generations per model.
* ``GENLOOM_NGRAM``: ``on`` (default) or ``off``: n-gram speculative decoding.
* ``GENLOOM_PROMPT_CACHE_MB``: RAM for cached prompt prefixes per model (default 256).
* ``GENLOOM_CTX``: context window of each sequence (default 4096).
* ``GENLOOM_REPRODUCIBLE``: ``off`` (default) or ``on``: the same request, model
  and seed give the same text bit for bit, whatever ran before or beside it.

Why reproducibility is a mode and not a given: llama.cpp's CPU kernels are not
batch-invariant. A position scored inside a batch (a prompt, a speculative draft
being verified, several sequences sharing a decode step) gets slightly different
logits than the same position decoded alone (``bench/text.py --task rewrite``
measures the drift), so a reused prompt prefix, a speculative draft or a
neighbour in the batch can tip a near-tie the other way. Reproducible mode
removes all three: one sequence at a time, no speculation, every prompt
evaluated afresh.
"""

from __future__ import annotations

import importlib.util
import os
from typing import Any

from genloom.errors import BackendUnavailable, InvalidInput
from genloom.models.card import ModelCard

XLLAMACPP = "xllamacpp"
LLAMA_CPP_PYTHON = "llama-cpp-python"
RUNTIMES = (XLLAMACPP, LLAMA_CPP_PYTHON)
DEFAULT_PARALLEL = 4
DEFAULT_CTX = 4096
DEFAULT_PROMPT_CACHE_MB = 256


def installed(runtime: str) -> bool:
    module = "xllamacpp" if runtime == XLLAMACPP else "llama_cpp"
    return importlib.util.find_spec(module) is not None


def _setting(card: ModelCard | None, key: str, env: str) -> str | None:
    value = (card.options.get(key) if card is not None else None) or os.environ.get(env)
    return str(value).strip().lower() if value not in (None, "") else None


def runtime_for(card: ModelCard | None = None) -> str:
    """The runtime a GGUF card loads with: the asked one, else the best installed."""
    asked = _setting(card, "runtime", "GENLOOM_LLAMA_RUNTIME") or "auto"
    if asked not in (*RUNTIMES, "auto"):
        raise InvalidInput(f"GENLOOM_LLAMA_RUNTIME={asked!r} is not a llama.cpp runtime",
                           hint=f"one of auto, {', '.join(RUNTIMES)}")
    if asked != "auto":
        if not installed(asked):
            raise BackendUnavailable(
                f"The {asked} runtime is not installed",
                hint="run 'make setup'" if asked == XLLAMACPP else
                "run 'GENLOOM_LLAMA_CPP_PYTHON=1 make setup' (builds it, ~6-12 min) or unset GENLOOM_LLAMA_RUNTIME")
        return asked
    for runtime in RUNTIMES:
        if installed(runtime):
            return runtime
    raise BackendUnavailable("No llama.cpp runtime is installed",
                             hint="run 'make setup' or 'pip install genloom[llama]'")


def _positive_int(card: ModelCard | None, key: str, env: str, default: int) -> int:
    raw = _setting(card, key, env)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput(f"{env}={raw!r} is not a whole number", hint=f"e.g. {env}={default}") from None
    if value < 1:
        raise InvalidInput(f"{env} must be at least 1, got {value}", hint=f"e.g. {env}={default}")
    return value


def _switch(card: ModelCard | None, key: str, env: str, default: bool) -> bool:
    raw = _setting(card, key, env)
    if raw is None:
        return default
    if raw in ("on", "1", "true", "yes"):
        return True
    if raw in ("off", "0", "false", "no"):
        return False
    raise InvalidInput(f"{env}={raw!r} is not on or off",
                       hint=f"{env}={'on' if default else 'off'} (default) or {'off' if default else 'on'}")


def reproducible_for(card: ModelCard | None = None) -> bool:
    """Whether the model runs in reproducible mode (see the module notes)."""
    return _switch(card, "reproducible", "GENLOOM_REPRODUCIBLE", False)


def parallel_for(card: ModelCard | None = None) -> int:
    """Sequences decoded at once (continuous-batching slots); 1 in reproducible mode."""
    parallel = _positive_int(card, "parallel", "GENLOOM_PARALLEL", DEFAULT_PARALLEL)
    return 1 if reproducible_for(card) else parallel


def ctx_for(card: ModelCard | None = None) -> int:
    return _positive_int(card, "n_ctx", "GENLOOM_CTX", DEFAULT_CTX)


def prompt_cache_mb() -> int:
    raw = os.environ.get("GENLOOM_PROMPT_CACHE_MB")
    if raw in (None, ""):
        return DEFAULT_PROMPT_CACHE_MB
    try:
        return max(0, int(raw))
    except ValueError:
        raise InvalidInput(f"GENLOOM_PROMPT_CACHE_MB={raw!r} is not a whole number",
                           hint=f"e.g. GENLOOM_PROMPT_CACHE_MB={DEFAULT_PROMPT_CACHE_MB}") from None


def ngram_for(card: ModelCard | None = None) -> bool:
    """N-gram speculation: on unless asked off; always off in reproducible mode."""
    if _setting(card, "ngram", "GENLOOM_NGRAM") == "auto":  # an older spelling of the default
        on = True
    else:
        on = _switch(card, "ngram", "GENLOOM_NGRAM", True)
    return on and not reproducible_for(card)


def expected_parallel(card: ModelCard) -> int:
    """How many sequences a model will decode at once once loaded (for admission)."""
    if card.backend != "llama-cpp":
        return 1
    try:
        return parallel_for(card) if runtime_for(card) == XLLAMACPP else 1
    except (BackendUnavailable, InvalidInput):
        return 1  # loading will fail with the precise message


def factory(card: ModelCard) -> Any:
    if runtime_for(card) == XLLAMACPP:
        from genloom.backends.xllamacpp import XLlamaCppModel

        return XLlamaCppModel(card)
    from genloom.backends.llama_cpp import LlamaCppModel

    return LlamaCppModel(card)
