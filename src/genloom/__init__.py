"""genloom: a local-first generative-AI engine.

The public API is imported lazily so that ``genloom --help`` and light library
uses do not pay for numpy, SQLAlchemy or llama.cpp at import time.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

# OpenMP threads (llama.cpp, torch) spin while they wait by default, stealing
# the cores the other generators need: on a busy 2-core machine one 40-token
# reply took 36 s instead of 2 s. The runtime reads this once, when it loads,
# so it is set here, before any backend can load it. Users may override it.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0"

_LAZY = {
    "get_model": "genloom.models.registry",
    "get_registry": "genloom.models.registry",
    "ModelCard": "genloom.models.card",
    "GenerationParams": "genloom.text.params",
    "Message": "genloom.text.params",
    "generate": "genloom.text.api",
    "chat": "genloom.text.api",
    "Store": "genloom.store.db",
    "GenloomError": "genloom.errors",
}

__all__ = ["__version__", *_LAZY]

if TYPE_CHECKING:  # pragma: no cover
    from genloom.errors import GenloomError  # noqa: F401
    from genloom.models.card import ModelCard  # noqa: F401
    from genloom.models.registry import get_model, get_registry  # noqa: F401
    from genloom.store.db import Store  # noqa: F401
    from genloom.text.api import chat, generate  # noqa: F401
    from genloom.text.params import GenerationParams, Message  # noqa: F401


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'genloom' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
