"""The ``sound`` runner: ``api.create("sound", "the sound of rain", params={...})``.

Checks the request (an effect genloom cannot make fails here, naming the ones
it can), renders it with the ``sound`` model, encodes the file with the AI
label inside, records it in the store and writes ``output`` (+ sidecar).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from genloom.errors import InvalidInput
from genloom.models.card import Kind

if TYPE_CHECKING:
    from genloom.api import Result

Progress = Callable[[float, str], None]
PARAMS = ("sound", "seconds", "loop", "seed", "intensity", "rate", "pitch", "prompt_influence", "format", "sidecar")


def load_sound_model(model: str | None) -> Any:
    from genloom.models.registry import get_registry

    registry = get_registry()
    card = registry.card(model) if model else registry.default_card(Kind.sound)
    if not card.serves(Kind.sound):
        raise InvalidInput(f"Model {card.id!r} makes {card.kind.value}, not sounds",
                           hint="see 'genloom models' for sound models", param="model")
    return registry.load(card.id)


def run_sound(prompt: str, *, model: str | None, params: dict[str, Any], output: Path | None,
              parent_ids: list[str] | None, run_id: str | None, progress: Progress | None) -> Result:
    """``params``: sound, seconds, loop, seed, intensity, rate, pitch, prompt_influence, format, sidecar."""
    from genloom.api import Result, record_files
    from genloom.audio.label import write_sidecar
    from genloom.audio.output import check_writable, write_output
    from genloom.audio.wav import check_format, encode, format_for_path
    from genloom.sound.request import SoundRequest

    params = dict(params)
    unknown = sorted(set(params) - set(PARAMS))
    if unknown:
        raise InvalidInput(f"Unknown sound parameter(s): {', '.join(unknown)}",
                           hint=f"sound takes {', '.join(PARAMS)}", param=unknown[0])
    sidecar = bool(params.pop("sidecar", False))
    fmt = check_format(params.pop("format", None) or format_for_path(output))
    request = SoundRequest.from_params(prompt, params)
    if output is not None:
        check_writable(output)
    maker = load_sound_model(model)
    seed = secrets.randbelow(2**31) if request.seed is None else request.seed
    if progress:
        progress(0.0, f"synthesizing {'+'.join(request.sounds)}")
    rendered = maker.render(request, seed)
    meta = {"model": maker.card.id, **rendered.meta(prompt)}
    data, mime = encode(rendered.samples, rendered.sample_rate, fmt, meta)
    record_params = {k: v for k, v in meta.items() if k not in ("model", "seed", "source_text", "sample_rate")}
    gid, ids, stored = record_files(
        kind="sound", task="synthesize", model_id=maker.card.id, prompt=prompt, params={**record_params, "format": fmt},
        seed=seed, parent_ids=parent_ids, run_id=run_id, duration_ms=rendered.seconds_synth * 1000,
        files=[{"data": data, "mime": mime, "ext": f".{fmt}", "meta": meta}],
    )
    paths = list(stored)
    if output is not None:
        paths = [write_output(Path(output), data)]
        if sidecar:
            write_sidecar(Path(output), {**meta, "generation_id": gid, "asset_id": ids[0]})
    if progress:
        progress(1.0, "done")
    return Result(kind="sound", generation_id=gid, model_id=maker.card.id, asset_ids=ids, paths=paths,
                  meta={**meta, "format": fmt, "mime": mime, "synth_s": round(rendered.seconds_synth, 3),
                        "stored": [str(p) for p in stored]})
