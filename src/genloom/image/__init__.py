"""Images: the embedded composer, diffusion models, and the stable entry point.

Stable API (used by the server and the planner)::

    genloom.image.generate(prompt, *, model=None, size=None, n=1, seed=None, **opts)
        -> list[genloom.api.Result]

One :class:`genloom.api.Result` per image, all from one recorded generation:

* ``result.generation_id``: the provenance record (``genloom log``);
* ``result.asset_ids[0]``: the stored PNG asset; ``result.paths[0]``: its file
  (in the blob store, or the ``output`` path when one is given);
* ``result.meta``: ``seed``, ``width``, ``height``, ``style``, ``attribution``
  (list of third-party art used, with licence), ``png`` (the encoded bytes).

``size``: WIDTHxHEIGHT, an aspect ("16:9") or a format name; None lets the
format/aspect/width/height options or the layout decide (see :mod:`genloom.image.formats`).
``opts``: ``format``, ``aspect``, ``width``, ``height``, ``layout`` (poster, banner, logo,
thumbnail, icon, story, card, sticker, illustration, pixel), ``style`` (a layout or a look
word such as "photo"), ``headline``, ``subline``, ``cta``, ``negative_prompt``, ``steps``,
``guidance``, ``scheduler``, ``transparent``, ``output`` (Path, .png or .svg),
``parent_ids``, ``run_id``, ``progress``. ``result.meta["notes"]`` says what could not be
done as asked (a photo drawn as an illustration).
Bad input raises :class:`genloom.errors.InvalidInput` (or ``EmptyPrompt``)
before anything is generated or written.

Every PNG carries the AI label described in :mod:`genloom.image.label`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def generate(prompt: str, *, model: str | None = None, size: Any = None, n: int = 1,
             seed: int | None = None, **opts: Any) -> list[Any]:
    from genloom.api import Result
    from genloom.image.runner import run_image

    output: Path | None = opts.pop("output", None)
    parent_ids = opts.pop("parent_ids", None)
    run_id = opts.pop("run_id", None)
    progress = opts.pop("progress", None)
    params = {"n": n, "seed": seed, **opts}
    if size is not None:
        params["size"] = size
    result = run_image(prompt, model=model, params=params, output=output, parent_ids=parent_ids,
                       run_id=run_id, progress=progress)
    out = []
    for i, info in enumerate(result.meta["images"]):
        path = result.paths[i]
        meta = dict(info, attribution=result.meta["attribution"], png=Path(path).read_bytes())
        out.append(Result(kind="image", generation_id=result.generation_id, model_id=result.model_id,
                          asset_ids=[result.asset_ids[i]], paths=[Path(path)], meta=meta))
    return out
