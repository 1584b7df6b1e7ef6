"""Words on the user's own picture: ``create("image", ..., params={"base_image": path, "headline": ...})``.

The picture stays what it is (same pixels, same size, unless a size is asked);
the headline (and a sub-line) is printed large on a dark translucent band at
the bottom third, in the composer's headline font, so it reads on any photo.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from genloom.errors import InvalidInput


def headline_on_image(prompt: str, *, params: dict[str, Any], output: Path | None,
                      parent_ids: list[str] | None, run_id: str | None) -> Any:
    from PIL import Image, UnidentifiedImageError

    from genloom.api import Result, record_files
    from genloom.image.draw import text_layer, wrap_fit
    from genloom.image.label import label_dict, png_bytes
    from genloom.store.files import atomic_write_bytes

    source = Path(str(params["base_image"]))
    headline = str(params.get("headline") or "").strip()
    if not headline:
        raise InvalidInput("base_image needs the words to print on it", hint="pass headline", param="headline")
    try:
        with Image.open(source) as im:
            picture = im.convert("RGBA")
    except (FileNotFoundError, UnidentifiedImageError, OSError) as exc:
        raise InvalidInput(f"Cannot open base_image {source.name}: {exc}", param="base_image") from None
    width, height = params.get("width"), params.get("height")
    if width and height and (int(width), int(height)) != picture.size:
        picture = picture.resize((int(width), int(height)))
    started = time.perf_counter()
    w, h = picture.size
    band_h = int(h * 0.34)
    band = Image.new("RGBA", (w, band_h), (0, 0, 0, 150))
    picture.alpha_composite(band, (0, h - band_h))
    subline = str(params.get("subline") or "").strip()
    head_box = int(band_h * (0.62 if subline else 0.8))
    f, lines = wrap_fit(headline, "headline", int(w * 0.9), head_box, max_lines=2)
    layer = text_layer(lines, f, (255, 255, 255), shadow_color=(0, 0, 0))
    top = h - band_h + max(0, (head_box - layer.height) // 2)  # centred in the band's upper part
    picture.alpha_composite(layer, ((w - layer.width) // 2, top))
    if subline:
        fs, sub = wrap_fit(subline, "body", int(w * 0.85), int(band_h * 0.25), max_lines=1)
        sub_layer = text_layer(sub, fs, (235, 235, 235))
        picture.alpha_composite(sub_layer, ((w - sub_layer.width) // 2, h - int(band_h * 0.3)))
    image = picture.convert("RGB")
    label = label_dict(model="genloom-composer", prompt=prompt or headline, seed=0, attribution=[], neural=False)
    data = png_bytes(image, label)
    gid, ids, stored = record_files(
        kind="image", task="headline-on-image", model_id="genloom-composer", prompt=prompt or headline,
        params={"headline": headline, "subline": subline or None, "size": f"{w}x{h}", "base_image": source.name},
        files=[{"data": data, "mime": "image/png", "ext": ".png", "kind": "image",
                "meta": {"width": w, "height": h, "base_image": source.name}}],
        parent_ids=parent_ids, run_id=run_id, duration_ms=(time.perf_counter() - started) * 1000,
        meta={"ai_label": "AI-edited: words added to the user's picture"})
    paths = stored
    if output is not None:
        atomic_write_bytes(Path(output), data)
        paths = [Path(output)]
    return Result(kind="image", generation_id=gid, model_id="genloom-composer", asset_ids=ids, paths=paths,
                  meta={"images": [{"width": w, "height": h, "asset_id": ids[0]}], "base_image": source.name})
