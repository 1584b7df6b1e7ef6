"""One entry point for every output kind: ``create(kind, prompt, ...)``.

The brain's executor, the server and the CLI all go through here, so each
generator is wired once. A kind's runner lives beside its backends and is
registered in :data:`RUNNERS` (``"module:function"``, imported on first use).

A runner has the signature::

    def run(prompt: str, *, model: str | None, params: dict, output: Path | None,
            parent_ids: list[str] | None, run_id: str | None,
            progress: Callable[[float, str], None] | None) -> Result

and must record its generation (and any files, as assets) in the store.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genloom.errors import InvalidInput
from genloom.models.card import KINDS

Progress = Callable[[float, str], None]

RUNNERS: dict[str, str] = {
    "image": "genloom.image.runner:run_image",
    "video": "genloom.video.runner:run_video",
    "speech": "genloom.audio.speech:run_speech",
    "music": "genloom.music.compose:run_music",
    "sound": "genloom.sound.runner:run_sound",
    "transcript": "genloom.audio.transcribe:run_transcript",
    "text": "genloom.api:run_text",
    "code": "genloom.api:run_code",
}


@dataclass
class Result:
    kind: str
    generation_id: str | None
    model_id: str
    text: str | None = None
    asset_ids: list[str] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "generation_id": self.generation_id,
            "model": self.model_id,
            "text": self.text,
            "asset_ids": self.asset_ids,
            "paths": [str(p) for p in self.paths],
            "meta": self.meta,
        }


def create(
    kind: str,
    prompt: str,
    *,
    model: str | None = None,
    params: dict[str, Any] | None = None,
    output: Path | None = None,
    parent_ids: list[str] | None = None,
    run_id: str | None = None,
    progress: Progress | None = None,
) -> Result:
    if kind not in KINDS:
        raise InvalidInput(f"Unknown output kind {kind!r}", hint=f"one of {', '.join(KINDS)}", param="kind")
    target = RUNNERS.get(kind)
    if target is None:
        raise InvalidInput(f"genloom cannot make {kind!r} output yet", hint="no generator of that kind is installed",
                           param="kind")
    module, func = target.split(":")
    runner = getattr(importlib.import_module(module), func)
    return runner(prompt, model=model, params=dict(params or {}), output=output, parent_ids=parent_ids,
                  run_id=run_id, progress=progress)


def record_files(
    *,
    kind: str,
    task: str,
    model_id: str,
    prompt: str,
    params: dict[str, Any],
    files: list[tuple[Path, str]] | list[dict[str, Any]],
    seed: int | None = None,
    model_sha256: str | None = None,
    parent_ids: list[str] | None = None,
    run_id: str | None = None,
    duration_ms: float | None = None,
    output: str | None = None,
    extra: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
) -> tuple[str, list[str], list[Path]]:
    """Record a generation whose outputs are files; returns (generation id, asset ids, stored paths)."""
    from genloom.store.db import get_store

    store = get_store()
    if model_sha256 is None:
        model_sha256 = _weights_hash(model_id)
    items = []
    for f in files:
        item = dict(f) if isinstance(f, dict) else {"path": f[0], "mime": f[1]}
        item.setdefault("kind", kind)
        item["meta"] = {"model": model_id, "prompt": prompt, "seed": seed, **(meta or {}), **(item.get("meta") or {})}
        items.append(item)
    gid = store.record_generation(
        kind=kind, task=task, model_id=model_id, model_sha256=model_sha256, prompt=prompt, params=params,
        seed=seed, parent_ids=parent_ids, run_id=run_id, duration_ms=duration_ms, output=output, extra=extra,
        assets=items,
    )
    ids = list(store.last_asset_ids)
    paths = [store.asset_path(store.asset(i)) for i in ids]
    return gid, ids, paths


def _weights_hash(model_id: str) -> str | None:
    """The provenance's weights hash for a registered model (pinned, or hashed from its files)."""
    from genloom.errors import ModelNotFound
    from genloom.models.pins import weights_hash
    from genloom.models.registry import get_registry

    try:
        card = get_registry().card(model_id)
    except ModelNotFound:
        # A generator that names itself but has no card (a composite such as a video of
        # stills) records its parts' hashes in their own generations.
        return None
    return weights_hash(card)


def _text_like(kind: str, prompt: str, *, model: str | None, params: dict[str, Any], output: Path | None,
               parent_ids: list[str] | None, run_id: str | None, progress: Progress | None) -> Result:
    from genloom.text.tasks import run_task, split_code

    task = params.pop("task", "code" if kind == "code" else "chat")
    fields = {k: params.pop(k) for k in ("language", "tone", "context", "length") if k in params}
    system = params.pop("system", None)
    label = bool(params.pop("label", True))
    response = run_task(task, prompt, model=model, parent_ids=parent_ids, run_id=run_id, system=system,
                        **fields, **params)
    if progress:
        progress(0.0, "generating")
    text = response.text()
    meta: dict[str, Any] = {"usage": response.usage(), "seed": response.params.seed,
                            "finish_reason": response.finish_reason}
    if kind == "code":
        split = split_code(text)
        meta.update(language=split.language, code=split.code, prose=split.prose)
    if output is not None:
        from genloom.text.label import deliver

        body = meta["code"] if kind == "code" else text
        deliver(Path(output), body, model=response.model.card.id, generation_id=response.generation_id, label=label)
    if progress:
        progress(1.0, "done")
    return Result(kind=kind, generation_id=response.generation_id, model_id=response.model.card.id, text=text,
                  paths=[Path(output)] if output else [], meta=meta)


def run_text(prompt: str, **kw: Any) -> Result:
    return _text_like("text", prompt, **kw)


def run_code(prompt: str, **kw: Any) -> Result:
    return _text_like("code", prompt, **kw)
