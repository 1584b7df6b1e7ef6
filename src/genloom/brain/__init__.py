"""The language brain: output-first routing, planning, prompt writing and execution.

    >>> from genloom import brain
    >>> p = brain.plan("a blog post about tea with a header image")
    >>> p.deliverables
    ['text', 'image']
    >>> result = brain.execute(p, output_dir=Path("out"))

Heavy modules load on first use so ``import genloom.brain`` stays cheap.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from genloom.brain.graph import Plan, RunResult

__all__ = ["plan", "execute", "route", "explain", "Plan", "RunResult"]


def plan(request: str, **opts: Any) -> Plan:
    """Turn a request into a :class:`Plan` (options: use_llm, model, use_embeddings, write_prompts)."""
    from genloom.brain.planner import plan as _plan

    return _plan(request, **opts)


def execute(plan: Plan, *, output_dir: Path | None = None, on_event: Callable[[dict], None] | None = None,
            cancel: threading.Event | None = None, **opts: Any) -> RunResult:
    """Run a plan; see :mod:`genloom.brain.executor` for events and provenance."""
    from genloom.brain.executor import execute as _execute

    return _execute(plan, output_dir=output_dir, on_event=on_event, cancel=cancel, **opts)


def route(request: str, **opts: Any) -> Any:
    from genloom.brain.routing import route as _route

    return _route(request, **opts)


def explain(request: str, **opts: Any) -> Any:
    from genloom.brain.why import explain as _explain

    return _explain(request, **opts)


def __getattr__(name: str) -> Any:
    if name in ("Plan", "RunResult", "Step", "StepResult"):
        from genloom.brain import graph as _graph

        return getattr(_graph, name)
    raise AttributeError(name)
