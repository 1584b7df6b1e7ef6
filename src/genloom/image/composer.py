"""The embedded default image model: plan a scene, fetch vector art, render.

Runs in well under a second at 1024² on 2 CPU cores and needs no weights
beyond the OpenMoji SVGs and the MiniLM embeddings used for retrieval.
``n`` images are variations: each gets its own layout variant, palette and
accent art (see :func:`genloom.image.plan.plan_scene`), not just another seed.
"""

from __future__ import annotations

from genloom.image.base import GeneratedImage, ImageModel, Progress
from genloom.image.request import ImageRequest


class ComposerModel(ImageModel):
    neural = False

    def plan(self, request: ImageRequest, seed: int, variation: int = 0,  # noqa: ANN201 - ScenePlan
             base_seed: int | None = None):
        from genloom.image.plan import plan_scene

        return plan_scene(request.prompt, style=request.style, layout=request.layout, seed=seed,
                          headline=request.headline, subline=request.subline, cta=request.cta,
                          variation=variation, base_seed=base_seed)

    def sized(self, request: ImageRequest, layout: str) -> ImageRequest:
        """The request at its asked size, a size its prompt names, or the layout's natural size."""
        from dataclasses import replace

        from genloom.image.formats import mentioned_size

        if request.size_given:
            return request
        found = mentioned_size(request.prompt)
        if found is not None:
            from genloom.image.request import parse_size

            w, h = parse_size(found)
            return replace(request, width=w, height=h, size_given=True)
        return request.with_layout_size(layout)

    def scene(self, request: ImageRequest, seed: int, variation: int = 0,  # noqa: ANN201 - (ScenePlan, Scene)
              base_seed: int | None = None):
        """The composed scene (background + sprites), for callers that animate it."""
        from genloom.image.compose import compose

        plan = self.plan(request, seed, variation, base_seed)
        sized = self.sized(request, plan.style)
        return plan, compose(plan, (sized.width, sized.height), transparent=request.transparent)

    def generate(self, request: ImageRequest, progress: Progress | None = None) -> list[GeneratedImage]:
        out = []
        seeds = request.seeds()
        for i, seed in enumerate(seeds):
            if progress:
                progress(i / len(seeds), f"composing image {i + 1}/{len(seeds)}")
            plan, scene = self.scene(request, seed, variation=i, base_seed=seeds[0])
            image = scene.flatten()
            out.append(GeneratedImage(
                image=image, seed=seed, attribution=plan.credits,
                meta={"style": plan.style, "layout": plan.style, "subject": plan.subject.name,
                      "accents": [a.name for a in plan.accents], "palette": plan.palette.name,
                      "headline": plan.headline, "subline": plan.tagline, "cta": plan.cta,
                      "variant": plan.variant, "notes": plan.notes},
                scene=scene,
            ))
        if progress:
            progress(1.0, "done")
        return out
