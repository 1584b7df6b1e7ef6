"""``create("image", ...)``: validate, generate, label, store, write outputs."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from genloom.api import Progress, Result, record_files
from genloom.errors import GenerationFailed, GenloomError, InvalidInput
from genloom.image.request import ImageRequest

OUTPUT_SUFFIXES = {".png"}


def output_paths(output: Path | None, n: int) -> list[Path]:
    """``out.png`` for one image, ``out-1.png`` … ``out-N.png`` for several."""
    if output is None:
        return []
    output = Path(output)
    if output.suffix.lower() not in OUTPUT_SUFFIXES:
        raise InvalidInput(f"Can only write PNG images, not {output.name!r}", hint="name the file *.png",
                           param="output")
    if output.exists() and output.is_dir():
        raise InvalidInput(f"{output} is a directory", hint="give a file name such as out.png", param="output")
    if n == 1:
        return [output]
    return [output.with_name(f"{output.stem}-{i}{output.suffix}") for i in range(1, n + 1)]


def load_image_model(model: str | None) -> Any:
    from genloom.errors import ModelNotFound
    from genloom.models.card import Kind
    from genloom.models.registry import get_registry

    registry = get_registry()
    try:
        card = registry.card(model) if model else registry.default_card(Kind.image)
    except ModelNotFound:
        # ``-m ./my-pipeline`` or ``-m org/name``: load it without registering it for good.
        if model is None or not ("/" in model or model.startswith((".", "~"))):
            raise
        from genloom.backends.diffusers_image import card_for_source

        card = card_for_source(model)
        registry.register(card)
    if not card.serves(Kind.image):
        raise InvalidInput(f"Model {card.id!r} does not make images", hint="see 'genloom models' for image models",
                           param="model")
    return registry.load(card.id)


def run_image(prompt: str, *, model: str | None, params: dict[str, Any], output: Path | None,
              parent_ids: list[str] | None, run_id: str | None, progress: Progress | None) -> Result:
    from genloom.image.label import label_dict, png_bytes
    from genloom.store.files import atomic_write_bytes

    request = ImageRequest.from_params(prompt, params)
    targets = output_paths(output, request.n)
    engine = load_image_model(model)
    engine.validate(request)
    started = time.perf_counter()
    try:
        images = engine.generate(request, progress)
    except GenloomError:
        raise
    except Exception as exc:  # a backend bug must surface as one clear error, not a traceback
        raise GenerationFailed(f"Image generation with {engine.card.id!r} failed: {exc}") from exc
    duration = (time.perf_counter() - started) * 1000
    files, blobs = [], []
    for img in images:
        label = label_dict(model=engine.card.id, prompt=request.prompt, seed=img.seed,
                           attribution=img.attribution, neural=engine.neural)
        data = png_bytes(img.image, label)
        blobs.append(data)
        files.append({"data": data, "mime": "image/png", "ext": ".png", "kind": "image",
                      "meta": {"seed": img.seed, "width": img.image.width, "height": img.image.height,
                               "attribution": img.attribution, **img.meta}})
    params_out = {k: v for k, v in {
        "size": f"{request.width}x{request.height}", "n": request.n, "style": request.style,
        "negative_prompt": request.negative_prompt, "steps": request.steps, "guidance": request.guidance,
        "scheduler": request.scheduler, **request.extra}.items() if v is not None}
    attribution = [a for img in images for a in img.attribution]
    gid, asset_ids, stored = record_files(
        kind="image", task=images[0].meta.get("style") or "text-to-image", model_id=engine.card.id,
        prompt=request.prompt, params=params_out, files=files, seed=images[0].seed,
        model_sha256=engine.card.sha256, parent_ids=parent_ids, run_id=run_id, duration_ms=duration,
        meta={"ai_label": "AI-generated content"},
    )
    # Outputs are written only once every image exists, each atomically.
    for path, data in zip(targets, blobs, strict=False):
        atomic_write_bytes(path, data)
    meta = {
        "images": [{"seed": img.seed, "width": img.image.width, "height": img.image.height, "asset_id": aid,
                    "stored_path": str(sp), **img.meta} for img, aid, sp in zip(images, asset_ids, stored, strict=True)],
        "attribution": _dedupe(attribution),
        "duration_ms": round(duration, 1),
    }
    return Result(kind="image", generation_id=gid, model_id=engine.card.id, asset_ids=asset_ids,
                  paths=targets or stored, meta=meta)


def _dedupe(items: list[dict[str, str]]) -> list[dict[str, str]]:
    seen, out = set(), []
    for item in items:
        key = item.get("asset")
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out
