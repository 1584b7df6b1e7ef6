"""``create("image", ...)``: validate, generate, label, store, write outputs."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from genloom.api import Progress, Result, record_files
from genloom.errors import GenerationFailed, GenloomError, InvalidInput
from genloom.image.request import ImageRequest

OUTPUT_SUFFIXES = {".png", ".svg"}
# Diffusion models tried, in order, for a photo request that names no model.
PHOTO_MODELS = ("sdxl-turbo", "sd-turbo", "sdxs-512", "lcm-dreamshaper-v7", "sd-1.5")


def output_paths(output: Path | None, n: int) -> list[Path]:
    """``out.png`` for one image, ``out-1.png`` … ``out-N.png`` for several (``.svg`` likewise)."""
    if output is None:
        return []
    output = Path(output)
    if output.suffix.lower() not in OUTPUT_SUFFIXES:
        raise InvalidInput(f"Can only write PNG or SVG images, not {output.name!r}",
                           hint="name the file *.png, or *.svg for an editable vector file", param="output")
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


def installed_photo_model() -> str | None:
    """The id of an installed diffusion model for photo requests, or None."""
    from genloom.models.card import Kind
    from genloom.models.registry import get_registry

    cards = {c.id: c for c in get_registry().cards(Kind.image) if c.backend == "diffusers"}
    ordered = [cards[i] for i in PHOTO_MODELS if i in cards] + [c for i, c in cards.items() if i not in PHOTO_MODELS]
    for card in ordered:
        if card.installed_status() == "installed":
            return card.id
    return None


def run_image(prompt: str, *, model: str | None, params: dict[str, Any], output: Path | None,
              parent_ids: list[str] | None, run_id: str | None, progress: Progress | None) -> Result:
    from genloom.image.label import label_dict, png_bytes
    from genloom.image.plan import photo_note
    from genloom.store.files import atomic_write_bytes

    if params.get("base_image"):
        # The user's picture with words printed on it: nothing is drawn anew.
        from genloom.image.overlay import headline_on_image

        return headline_on_image(prompt, params=params, output=output, parent_ids=parent_ids, run_id=run_id)
    request = ImageRequest.from_params(prompt, params)
    targets = output_paths(output, request.n)
    svg = bool(targets) and targets[0].suffix.lower() == ".svg"
    if model is None and not svg and photo_note(request.prompt, request.style):
        # A photo is asked for: a diffusion model draws it when one is installed.
        model = installed_photo_model()
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
    if svg and any(img.scene is None for img in images):
        raise InvalidInput(f"Model {engine.card.id!r} makes pixels only, it cannot write SVG",
                           hint="use the default composer for .svg, or name the file *.png", param="output")
    files, blobs = [], []
    for img in images:
        label = label_dict(model=engine.card.id, prompt=request.prompt, seed=img.seed,
                           attribution=img.attribution, neural=engine.neural)
        if svg:
            from genloom.image.svg import scene_svg

            data = scene_svg(img.scene, label)
            mime, ext = "image/svg+xml", ".svg"
        else:
            data = png_bytes(img.image, label)
            mime, ext = "image/png", ".png"
        blobs.append(data)
        files.append({"data": data, "mime": mime, "ext": ext, "kind": "image",
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
        "notes": list(dict.fromkeys(n for img in images for n in img.meta.get("notes", []))),
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
