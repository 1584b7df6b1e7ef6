"""The plan: a small graph of generation steps, and its stable JSON format.

``Plan.model_dump()`` is what ``genloom plan --json`` prints (documented in
docs/brain.md). Fields are only ever added, never renamed or removed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from genloom.brain.spec import OUTPUT_ORDER, InputFile, OutputKind, RequestSpec

FORMAT_VERSION = 1


class Step(BaseModel):
    """One generation: what it makes, with which model, from which inputs."""

    id: str = Field(pattern=r"^[A-Za-z][\w-]{0,40}$")
    kind: OutputKind
    # Short name of the job ("headline", "hero_image", "narration").
    task: str = Field(min_length=1, max_length=60)
    # What to make, in words; the generator's prompt is written from it.
    instruction: str = Field(min_length=1, max_length=4000)
    model: str | None = None
    # Why this generator (and model) was chosen: "why this tool".
    reason: str = ""
    # "request" or ids of earlier steps whose outputs feed this one.
    inputs: list[str] = Field(default_factory=lambda: ["request"])
    params: dict[str, Any] = Field(default_factory=dict)
    # The generator's exact input, when known. ``{request}``, ``{topic}`` and
    # ``{STEP_ID}`` placeholders are filled at run time; ``None`` means the
    # executor writes it (an LLM for image/speech/music/video steps).
    prompt: str | None = None
    prompt_by: Literal["template", "llm", "request", "user"] | None = None
    # False for intermediate steps (e.g. a script only written to be spoken).
    deliverable: bool = True
    # What the step does to the user's files it lists in ``inputs`` ("transcribe", "narrate",
    # "voiceover", "add-music", "slideshow", "headline-on-image", "summarize", ...).
    operation: str | None = None
    # Why the step cannot be made as asked (one line naming the fix): the executor fails it, and the
    # steps that need it, without generating anything.
    blocked: str | None = None


class Plan(BaseModel):
    format: int = FORMAT_VERSION
    request: str
    # The output kinds the user receives, in a fixed order.
    deliverables: list[OutputKind]
    steps: list[Step] = Field(min_length=1)
    topic: str = ""
    recipe: str | None = None
    # How routing decided: "rules", "embedding", "llm", "default" or "recipe".
    routed_by: str = "rules"
    planned_by: str = "rules"
    notes: list[str] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)
    # The user's files the steps use ("in1", ...), as understood from the request, -i and uploads.
    inputs: list[InputFile] = Field(default_factory=list)
    # What understanding read from the request (kinds, settings, topic, name): docs/brain.md.
    spec: RequestSpec | None = None

    @field_validator("deliverables")
    @classmethod
    def _dedupe(cls, value: list[str]) -> list[str]:
        return sorted(set(value), key=OUTPUT_ORDER.index)

    @model_validator(mode="after")
    def _graph(self) -> Plan:
        seen: set[str] = set()
        files = {f.id for f in self.inputs}
        for step in self.steps:
            if step.id in seen or step.id == "request" or step.id in files:
                raise ValueError(f"duplicate or reserved step id {step.id!r}")
            for ref in step.inputs:
                if ref != "request" and ref not in seen and ref not in files:
                    raise ValueError(f"step {step.id!r} uses {ref!r}, which is not an earlier step")
            seen.add(step.id)
        return self

    def step(self, step_id: str) -> Step:
        for s in self.steps:
            if s.id == step_id:
                return s
        raise KeyError(step_id)


class StepResult(BaseModel):
    step_id: str
    kind: str
    status: Literal["ok", "failed", "skipped", "cancelled"]
    generation_id: str | None = None
    model: str | None = None
    prompt: str | None = None
    text: str | None = None
    paths: list[str] = Field(default_factory=list)
    asset_ids: list[str] = Field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0


class RunResult(BaseModel):
    run_id: str
    plan: Plan
    steps: list[StepResult]
    output_dir: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(s.status == "ok" for s in self.steps)

    @property
    def failed(self) -> list[StepResult]:
        return [s for s in self.steps if s.status != "ok"]

    def result(self, step_id: str) -> StepResult:
        for s in self.steps:
            if s.step_id == step_id:
                return s
        raise KeyError(step_id)

    def files(self) -> list[Path]:
        return [Path(p) for s in self.steps for p in s.paths]
