""""Why this tool": which generator a request goes to, and why.

The field's common confusion is asking a text model for something it cannot
make ("ChatGPT, make me a logo" gets you a description of a logo). When a
request is phrased to a text model ("write", "generate", an LLM by name) but
wants a picture, a voice, music or a video, the explanation says so and names
the generator that will really make it. Everything here is read from the spec.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

GENERATORS = {
    "text": "the language model (writes prose)",
    "code": "the language model in code mode (the code block is kept apart from prose)",
    "transcript": "the speech recogniser (writes down what a recording says)",
    "image": "the image generator",
    "speech": "the speech synthesizer (text-to-speech)",
    "music": "the music composer",
    "sound": "the sound synthesizer (effects, ambiences, noise)",
    "video": "the video generator",
}
MEDIA = ("image", "speech", "music", "sound", "video")


@dataclass
class Choice:
    kind: str
    generator: str
    model: str | None
    reason: str
    caution: str = ""


@dataclass
class Explanation:
    request: str
    deliverables: list[str]
    stage: str
    choices: list[Choice]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"request": self.request, "deliverables": self.deliverables, "stage": self.stage,
                "choices": [c.__dict__ for c in self.choices], "notes": self.notes}

    def lines(self) -> list[str]:
        out = [f"Deliverables: {', '.join(self.deliverables)} (decided by {self.stage})"]
        for c in self.choices:
            model = f" — model {c.model}" if c.model else ""
            out.append(f"{c.kind}: {c.generator}{model}")
            out.append(f"  why: {c.reason}")
            if c.caution:
                out.append(f"  note: {c.caution}")
        out.extend(f"note: {n}" for n in self.notes)
        return out


def explain(request: str, *, use_llm: bool = False) -> Explanation:
    from genloom.brain.planner import choose_model
    from genloom.brain.understand import read

    spec = read(request, use_llm=use_llm)
    kinds = spec.kinds()
    choices = []
    for kind in kinds:
        reasons = [d.reason for d in spec.deliverables if d.kind == kind and d.deliverable and d.reason]
        why = "; ".join(dict.fromkeys(reasons)) or f"the request wants {kind}"
        model, model_reason = choose_model(kind)
        caution = ""
        if kind in MEDIA and spec.addressed_to_text_model:
            caution = (f"a text model cannot make {kind}: asked for it, it would only describe one. "
                       f"genloom sends this part to {GENERATORS[kind]} instead.")
        choices.append(Choice(kind, GENERATORS[kind], model, f"{why}; {model_reason}", caution))
    notes = [*spec.notes, *spec.reasons]
    # "describe a logo": the logo is the subject, not the output. Say how to get the logo itself.
    for kind, word in spec.mentioned_not_asked.items():
        notes.append(f"{word!r} is what the request is about, not what it asks to receive; for the {kind} "
                     f"itself ask e.g. \"make a {word} ...\"")
    return Explanation(request, kinds, spec.decided_by, choices, notes)
