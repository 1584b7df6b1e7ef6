"""Prompt writing: where one generator feeds another, the LLM writes the next prompt.

* image: subject, style, composition, palette (and any text to render on it);
* speech: a spoken script sized to the requested duration (~2.5 words/s);
* music: a brief with mood, key, tempo and instruments;
* video: a shot list that fits the duration.

Outputs are small JSON objects under a schema (so they always parse) and are
rendered into plain prompts here. If the LLM fails, a template prompt built
from the instruction and the parent outputs is used instead: a run never
stops because prompt writing did.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field

from genloom.brain.llm import ask, parse_json

WORDS_PER_SECOND = 2.5


# maxLength/maxItems bound what the grammar lets the LLM write: short briefs are fast briefs.
class ImageBrief(BaseModel):
    subject: str = Field(min_length=3, max_length=120)
    style: str = Field("", max_length=40)
    composition: str = Field("", max_length=40)
    palette: str = Field("", max_length=40)


class SpeechScript(BaseModel):
    script: str = Field(min_length=3, max_length=900)


class MusicBrief(BaseModel):
    mood: str = Field(min_length=2, max_length=30)
    key: str = Field("", max_length=10)
    tempo_bpm: int = Field(110, ge=40, le=220)
    instruments: str = Field("", max_length=40)


class Shot(BaseModel):
    seconds: int = Field(ge=1, le=60)
    shot: str = Field(min_length=3, max_length=80)


class ShotList(BaseModel):
    shots: list[Shot] = Field(min_length=1, max_length=4)


SCHEMAS: dict[str, type[BaseModel]] = {
    "image": ImageBrief, "speech": SpeechScript, "music": MusicBrief, "video": ShotList,
}

SYSTEMS = {
    "image": "You write prompts for an image generator. Be concrete and visual. Reply with JSON only.",
    "speech": "You write short scripts to be read aloud by a voice actor. Plain spoken sentences, no stage "
              "directions, no emojis. Reply with JSON only.",
    "music": "You write briefs for a composer: mood, key, tempo and instruments. Reply with JSON only.",
    "video": "You write shot lists for short videos: one line per shot, with its length in seconds. "
             "Reply with JSON only.",
}

TOKENS = {"image": 80, "speech": 160, "music": 56, "video": 110}


@dataclass
class Written:
    prompt: str
    by: str  # "llm" or "template"
    generation_id: str | None = None
    # Why the LLM did not write it, when it could not (shown with the step's result).
    note: str | None = None


def duration_of(text: str, default: float) -> float:
    """Deprecated: read ``step.params["seconds"]`` (understanding reads durations once). Kept until the
    executor stops calling it."""
    from genloom.brain.understand._extract import seconds

    found = seconds(text)
    return default if found is None else found


def _context(parents: dict[str, str], limit: int = 600) -> str:
    """Parent outputs as context; long ones are cut, since prompt reading costs time on 2 cores too."""
    if not parents:
        return ""
    per = max(80, limit // max(1, len(parents)))
    return "\n".join(f"{name}: {' '.join(text.split())[:per]}" for name, text in parents.items() if text) + "\n"


def ask_for(kind: str, instruction: str, parents: dict[str, str], duration: float | None) -> str:
    # A video reads several parents (headline, image prompt, narration, jingle brief): keep them brief.
    ctx = _context(parents, 320 if kind == "video" else 600)
    if kind == "image":
        return (f"{ctx}Write an image prompt for: {instruction}\nGive the subject (what is shown, concrete), "
                "style, composition and palette, a few words each.")
    if kind == "speech":
        words = int((duration or 10) * WORDS_PER_SECOND)
        return f"{ctx}Write a spoken script of about {words} words for: {instruction}"
    if kind == "music":
        return f"{ctx}Write a music brief for: {instruction}\nDuration: {duration or 15:.0f} seconds."
    return (f"{ctx}Write a shot list for a {duration or 15:.0f}-second video: {instruction}\n"
            "3 or 4 shots, one short line each; the seconds must add up to the duration.")


def render(kind: str, brief: BaseModel, duration: float | None) -> str:
    if isinstance(brief, ImageBrief):
        parts = [brief.subject, brief.style, brief.composition, brief.palette and f"palette: {brief.palette}"]
        return ", ".join(p.strip() for p in parts if p and p.strip())
    if isinstance(brief, SpeechScript):
        return " ".join(brief.script.split())
    if isinstance(brief, MusicBrief):
        bits = [brief.mood, brief.key and f"in {brief.key}", f"{brief.tempo_bpm} bpm",
                brief.instruments and f"instruments: {brief.instruments}", f"{duration or 15:.0f} seconds"]
        return ", ".join(b for b in bits if b)
    assert isinstance(brief, ShotList)
    lines, t = [], 0
    for i, shot in enumerate(brief.shots, 1):
        lines.append(f"Shot {i} ({t}-{t + shot.seconds}s): {shot.shot}")
        t += shot.seconds
    return f"{duration or t:.0f}-second video. " + " ".join(lines)


def template(kind: str, instruction: str, parents: dict[str, str], duration: float | None,
             headline: str | None = None) -> str:
    """The no-LLM prompt: the instruction plus what the parents produced."""
    if kind == "speech":
        # Speak the parent text itself (a script, a story) when there is one.
        longest = max(parents.values(), key=len, default="")
        return longest.strip() or instruction
    if kind == "image":
        text = f', with the text "{headline}"' if headline else ""
        return f"{instruction}{text}, detailed, balanced composition"
    if kind == "music":
        return instruction if duration is None else f"{instruction}, {duration:g} seconds"
    quoted = next((t.strip().strip('"') for t in parents.values() if t and len(t) < 120), "")
    title = headline or quoted
    return (instruction if duration is None else f"{duration:g}-second video: {instruction}") + \
        (f' Title: "{title}".' if title else "")


def write_prompt(kind: str, instruction: str, parents: dict[str, str] | None = None, *,
                 duration: float | None = None, model: str | None = None, parent_ids: list[str] | None = None,
                 run_id: str | None = None, use_llm: bool = True, headline: str | None = None) -> Written:
    """The prompt for a media step, written by the LLM from the instruction and parent outputs.

    ``duration`` and ``headline`` come from the step's params (``seconds``, ``headline``): the
    request is read once, by :mod:`genloom.brain.understand`, never again here.
    """
    parents = dict(parents or {})
    if kind not in SCHEMAS:
        return Written(instruction, "template")
    if kind == "speech" and parents:
        # A script already exists upstream: the voice reads it verbatim.
        return Written(template(kind, instruction, parents, duration, headline), "template")
    note = None
    if use_llm:
        from genloom.errors import GenloomError

        schema_cls = SCHEMAS[kind]
        try:
            text, gid = ask(ask_for(kind, instruction, parents, duration), system=SYSTEMS[kind], model=model,
                            max_tokens=TOKENS[kind], json_schema=_all_required(schema_cls),
                            task=f"write_{kind}_prompt", parent_ids=parent_ids, run_id=run_id)
        except GenloomError as exc:  # the template below is a working prompt too; the note says why it was used
            text, gid, note = "", None, f"the {kind} prompt is a template: the LLM could not write it ({exc})"
        brief = parse_json(text, schema_cls) if text else None
        if brief is not None:
            return Written(_with_headline(kind, render(kind, brief, duration), headline), "llm", gid)
        if text and note is None:
            note = f"the {kind} prompt is a template: the LLM's reply did not fit the schema"
    return Written(template(kind, instruction, parents, duration, headline), "template", note=note)


def _all_required(model_cls: type[BaseModel]) -> dict:
    """The schema with every field required, so the grammar makes the LLM fill each one."""
    schema = model_cls.model_json_schema()
    for node in [schema, *schema.get("$defs", {}).values()]:
        if "properties" in node:
            node["required"] = list(node["properties"])
    return schema


def _with_headline(kind: str, prompt: str, headline: str | None) -> str:
    """An image that prints a headline must carry its exact words, whatever the LLM wrote."""
    if kind != "image" or not headline or headline.lower() in prompt.lower():
        return prompt
    return f'{prompt}, with the text "{headline}"'
