"""The embedded default image model: plan a scene, fetch vector art, render.

Runs in well under a second at 512² on 2 CPU cores and needs no weights
beyond the OpenMoji SVGs and the MiniLM embeddings used for retrieval.
"""

from __future__ import annotations

from genloom.image.base import GeneratedImage, ImageModel, Progress
from genloom.image.request import STYLE_SIZES, ImageRequest


class ComposerModel(ImageModel):
    neural = False

    def plan(self, request: ImageRequest, seed: int):  # noqa: ANN201 - ScenePlan, imported lazily
        from genloom.image.plan import plan_scene

        return plan_scene(request.prompt, style=request.style, seed=seed, headline=request.headline)

    def scene(self, request: ImageRequest, seed: int):  # noqa: ANN201 - Scene
        """The composed scene (background + sprites), for callers that animate it."""
        from genloom.image.compose import compose

        plan = self.plan(request, seed)
        size = (request.width, request.height)
        if not request.size_given:
            size = STYLE_SIZES.get(plan.style, size)
        return plan, compose(plan, size, transparent=request.transparent)

    def generate(self, request: ImageRequest, progress: Progress | None = None) -> list[GeneratedImage]:
        out = []
        seeds = request.seeds()
        for i, seed in enumerate(seeds):
            if progress:
                progress(i / len(seeds), f"composing image {i + 1}/{len(seeds)}")
            plan, scene = self.scene(request, seed)
            image = scene.flatten()
            out.append(GeneratedImage(
                image=image, seed=seed, attribution=plan.credits,
                meta={"style": plan.style, "subject": plan.subject.name, "accents": [a.name for a in plan.accents],
                      "palette": plan.palette.name, "headline": plan.headline},
            ))
        if progress:
            progress(1.0, "done")
        return out
