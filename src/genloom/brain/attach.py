"""Give a plan's steps the user's files when the planner did not link them itself.

Each step reads the inputs its kind can use: words (text, audio and video,
transcribed) for text and transcript steps, text files for a narration, a clip
and images for a video, a picture for an image. A file no step can use is a
note on the plan, never silently dropped.
"""

from __future__ import annotations

from genloom.brain.graph import Plan
from genloom.brain.spec import InputFile

USES: dict[str, tuple[str, ...]] = {
    "text": ("text", "code", "audio", "video"),
    "code": ("text", "code"),
    "transcript": ("audio", "video"),
    "speech": ("text",),
    "video": ("video", "image"),
    "image": ("image",),
}


def attach_inputs(plan: Plan, inputs: list[InputFile]) -> Plan:
    data = plan.model_dump()
    data["inputs"] = [f.model_dump() for f in inputs]
    used: set[str] = set()
    transcribed = {f.id for f in inputs if f.kind in ("audio", "video")}
    for step in data["steps"]:
        kinds = USES.get(step["kind"], ())
        # A video made from the user's clip narrates it; the narration reads no file.
        if step["kind"] == "speech" and any(s["kind"] == "video" for s in data["steps"]) and \
                any(f.kind == "video" for f in inputs):
            continue
        refs = [f.id for f in inputs if f.kind in kinds]
        if step["kind"] == "text" and any(s["kind"] == "transcript" for s in data["steps"]):
            refs = [r for r in refs if r not in transcribed]
        if refs:
            step["inputs"] = [*(i for i in step["inputs"] if i != "request"), *refs]
            used.update(refs)
    for f in inputs:
        if f.id not in used:
            data["notes"].append(f"input {f.named_as or f.path} ({f.kind}) is not used by any step")
    return Plan.model_validate(data)
