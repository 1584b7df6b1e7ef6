"""The brain's LLM calls: short, JSON-constrained, serialised, never fatal.

llama.cpp uses both cores for one generation, and a model object must not be
driven from two threads, so every brain LLM call holds :data:`LLM_LOCK`;
media steps (speech, music, ...) run beside it in other threads.
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any

from pydantic import BaseModel, ValidationError

LLM_LOCK = threading.RLock()


def ask(prompt: str, *, system: str, model: str | None = None, max_tokens: int = 120, temperature: float = 0.7,
        json_schema: dict[str, Any] | None = None, task: str = "brain", parent_ids: list[str] | None = None,
        run_id: str | None = None, log: bool = True, grammar: str | None = None) -> tuple[str, str | None]:
    """One chat turn; returns (text, generation id). ``grammar`` (GBNF) wins over ``json_schema`` on llama.cpp."""
    from genloom.text.api import chat

    extra = {"grammar": grammar} if grammar else {}
    with LLM_LOCK:
        response = chat(prompt, system=system, model=model, task=task, temperature=temperature,
                        max_tokens=max_tokens, repeat_penalty=1.1, json_schema=json_schema, log=log,
                        parent_ids=parent_ids, run_id=run_id, **extra)
        text = response.text()
    return text.strip(), response.generation_id


def parse_json(text: str, model_cls: type[BaseModel]) -> BaseModel | None:
    """Validate an LLM's JSON; repair the usual damage (fences, prose around it, truncation)."""
    candidates = [text]
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.S)
    if fenced:
        candidates.append(fenced.group(1))
    brace = re.search(r"\{.*\}", text, re.S)
    if brace:
        candidates.append(brace.group(0))
    start = text.find("{")
    if start >= 0:  # truncated by max_tokens: close what is open
        tail = text[start:].rstrip().rstrip(",")
        if tail.count('"') % 2:
            tail += '"'
        tail += "]" * max(0, tail.count("[") - tail.count("]"))
        tail += "}" * max(0, tail.count("{") - tail.count("}"))
        candidates.append(tail)
    for cand in candidates:
        try:
            return model_cls.model_validate(json.loads(cand))
        except (ValueError, ValidationError):
            continue
    return None
