"""Output-first routing: what the user wants to *receive*, as a view of the request spec.

Understanding (:func:`genloom.brain.understand.read`) decides the deliverables:
rules over the sentence's parts first (with the dependency parse keeping names
apart), then the embedding vote, then the LLM under a JSON schema. This module
keeps the small ``Route`` shape that ``genloom route``, ``bench/routing.py`` and
the studio show.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from genloom.brain.understand import KINDS as DELIVERABLE_KINDS
from genloom.brain.understand import ORDER

__all__ = ["Route", "Part", "route", "DELIVERABLE_KINDS", "ORDER"]


@dataclass
class Part:
    """One deliverable found in the request, with the words that decided it."""

    kind: str
    text: str
    cue: str
    reason: str


@dataclass
class Route:
    deliverables: list[str]
    parts: list[Part]
    stage: str  # "rules", "embedding", "llm" or "default"
    confidence: float
    ms: float = 0.0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "deliverables": self.deliverables,
            "stage": self.stage,
            "confidence": round(self.confidence, 3),
            "parts": [p.__dict__ for p in self.parts],
            "notes": self.notes,
        }


def route(request: str, *, use_embeddings: bool = True, use_llm: bool = True, model: str | None = None) -> Route:
    """The deliverables of a request, with the part of the request that asked for each."""
    from genloom.brain.understand import read
    from genloom.errors import EmptyPrompt

    start = time.perf_counter()
    try:
        spec = read(request, use_llm=use_llm, model=model, use_embeddings=use_embeddings)
    except EmptyPrompt:
        return Route(["text"], [Part("text", "", "", "no output kind is named, so the answer is text")], "default",
                     0.5, (time.perf_counter() - start) * 1000)
    parts = [Part(d.kind, d.phrase, d.label, d.reason) for d in spec.deliverables if d.deliverable]
    return Route(spec.kinds(), parts, spec.decided_by, spec.confidence, (time.perf_counter() - start) * 1000,
                 [*spec.notes, *spec.reasons])
