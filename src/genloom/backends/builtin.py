"""Built-in backends and models, registered through the plugin hooks.

Adding a backend: write ``genloom/backends/NAME.py`` with a ``factory`` (and
optionally ``detect``/``status``), then add one line to ``register_backends``.
"""

from __future__ import annotations

from typing import Any

from genloom.plugins import hookimpl


@hookimpl
def register_backends(register: Any) -> None:
    from genloom.backends import embedded, llama_cpp, minilm, transformers_text

    def llama_status(card: Any) -> str:
        if card.options.get("parts") or card.options.get("package_file"):
            return embedded.status(card)
        from pathlib import Path

        return "installed" if card.path and Path(card.path).exists() else "missing"

    register("llama-cpp", llama_cpp.factory, detect=llama_cpp.detect, status=llama_status,
             description="GGUF language models via llama-cpp-python")
    register("transformers", transformers_text.factory, detect=transformers_text.detect,
             description="Hugging Face transformers causal LMs (local dir or hub id)")
    register("minilm-onnx", minilm.factory, status=minilm.status,
             description="MiniLM sentence embeddings on onnxruntime")


@hookimpl
def register_models(register: Any) -> None:
    from genloom.backends import embedded, minilm

    embedded.register(register)
    register(minilm.CARD)
