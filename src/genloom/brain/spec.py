"""The typed request spec: what a request asks for, with every stated setting.

Understanding (``genloom.brain.understand.read``) turns the user's words and
files into one :class:`RequestSpec`; that is the only place that looks at the
raw request text. The planner, prompt writer, executor, server and studio read
the spec, never the request again.

Example: "a 30-second vertical video with narration about our bakery, and
four logo options" reads as::

    RequestSpec(
        topic="our bakery",
        deliverables=[
            Deliverable(kind="video", label="video", seconds=30.0,
                        size=Size(aspect="9:16", width=1080, height=1920)),
            Deliverable(kind="speech", label="narration", made_for=0, deliverable=False),
            Deliverable(kind="image", label="logo", count=4, style="logo"),
        ],
    )

Each :class:`Deliverable` turns into one plan step; :meth:`Deliverable.params`
is the step's ``params`` dict, whose keys are documented in docs/brain.md
("Step params"). Keys appear only when the request (or a rule derived from a
named format) set them, so a generator can tell "asked" from "default".

Fields are only ever added, never renamed or removed: scripts read
``genloom plan --json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

# The kinds of output genloom can deliver, in the order a person assembles them.
OutputKind = Literal["text", "code", "image", "speech", "music", "sound", "video", "transcript"]
OUTPUT_ORDER: tuple[str, ...] = ("text", "code", "transcript", "image", "speech", "music", "sound", "video")

# What a user's input file holds, decided from its bytes, never from its name.
InputKind = Literal["text", "audio", "video", "image", "code"]

# How a stated word count binds: "a 50-word text" (about), "under 80 words" (max), "at least 300" (min).
WordsBound = Literal["about", "max", "min"]

# Who decided a value: the request's words (rules or parse), the embedding
# vote, the LLM, or a default the request did not state.
DecidedBy = Literal["rules", "parse", "embedding", "llm", "default", "recipe"]


class Size(BaseModel):
    """A picture's size: exact pixels, an aspect ratio, or a named format (resolved to pixels)."""

    width: int | None = Field(None, ge=16, le=8192)
    height: int | None = Field(None, ge=16, le=8192)
    aspect: str | None = Field(None, pattern=r"^\d+(?:\.\d+)?:\d+(?:\.\d+)?$")
    # A named format id ("instagram-story", "youtube-thumbnail", ...), see docs/media.md.
    format: str | None = None


class VoiceTraits(BaseModel):
    """How a voice should sound; resolved to an installed voice (with the reason) by the planner."""

    gender: Literal["male", "female"] | None = None
    age: Literal["child", "young", "adult", "old"] | None = None
    pitch: Literal["low", "high"] | None = None
    tone: str | None = None  # calm, warm, energetic, serious, ...
    accent: str | None = None  # us, uk, ...
    # An explicit voice id or OpenAI voice name ("onyx", "nova") the user named.
    name: str | None = None

    def is_empty(self) -> bool:
        return not any(self.model_dump().values())


class MusicSettings(BaseModel):
    genre: str | None = None  # pop, rock, lofi, edm, ambient, cinematic, jazz, folk, chorale
    tempo: int | None = Field(None, ge=20, le=300)
    key: str | None = Field(None, pattern=r"^[A-G][#b]?$")
    mode: Literal["major", "minor"] | None = None
    instruments: list[str] = Field(default_factory=list)
    drums: bool | None = None  # None: the genre's default
    mood: str | None = None
    # Sung words were asked ("sing it", "with vocals"): genloom's music is instrumental, so a plan note
    # says so; never a generator parameter.
    vocals: bool | None = None


class InputFile(BaseModel):
    """One of the user's own files the request uses."""

    id: str = Field(pattern=r"^in\d+$")  # "in1", "in2": what steps list in ``inputs``
    path: str  # absolute path on this machine (the server stores uploads first)
    kind: InputKind  # from the content
    mime: str = "application/octet-stream"
    # How the request referred to it ("standup.wav", "-i", "upload", "asset:ab12").
    named_as: str = ""
    seconds: float | None = None  # audio/video duration, when known
    width: int | None = None
    height: int | None = None
    asset_id: str | None = None


class Deliverable(BaseModel):
    """One thing to make, with every setting the request stated for it."""

    kind: OutputKind
    # The words that asked for it ("a 25-second voiceover in a low male voice").
    phrase: str = ""
    # What it is, in a word or two: "headline", "hero image", "narration".
    label: str = ""
    reason: str = ""
    decided_by: DecidedBy = "rules"
    # False for an intermediate product (a script written only to be spoken).
    deliverable: bool = True

    # -- settings (None / empty: not asked) --
    seconds: float | None = Field(None, gt=0, le=3600)
    language: str | None = None  # ISO 639-1
    style: str | None = None
    count: int | None = Field(None, ge=1, le=16)
    # A text's stated length in words ("a 50-word description", "under 80 words") and how it binds:
    # "about" (within about 20 %), "max" (a hard upper limit) or "min" (a hard lower limit).
    words: int | None = Field(None, ge=1, le=20000)
    words_bound: WordsBound | None = None
    size: Size | None = None
    voice: VoiceTraits | None = None
    speed: float | None = Field(None, gt=0.25, le=4.0)
    music: MusicSettings | None = None
    sound: str | None = None  # a sound name for kind "sound" (rain, ocean, clock, ...)
    loop: bool | None = None  # a sound (or music) meant to loop seamlessly
    # Exact words: spoken verbatim (speech), or printed (image headline), or the text itself.
    verbatim: str | None = None
    headline: str | None = None
    subline: str | None = None
    cta: str | None = None
    captions: bool | None = None
    # A music bed: a video mixes it under its sound; a speech is delivered as one track, the voice
    # over the bed (the carried music part is in ``carries``, made as an intermediate).
    with_music: bool | None = None
    shots: list[str] = Field(default_factory=list)

    # -- where it comes from --
    # Indices of earlier deliverables it is made from ("narrate it" -> the story).
    made_from: list[int] = Field(default_factory=list)
    # Ids of the user's input files it uses ("in1").
    uses_inputs: list[str] = Field(default_factory=list)
    # The operation on those inputs: "transcribe", "summarize", "translate", "narrate",
    # "voiceover", "add-music", "slideshow", "headline-on-image", ...
    operation: str | None = None
    # The file names the request used for it, as written ("standup.wav"); ``uses_inputs`` holds
    # their ids once the files are resolved (``read(..., inputs=...)``).
    uses_files: list[str] = Field(default_factory=list)
    # An image whose format implies a headline ("a poster", "a thumbnail") with no words given:
    # the brain writes one.
    headline_wanted: bool = False
    # Lyrics, shots or other words for a carried part ("a video with narration": the narration's index;
    # "a voiceover with piano music": the music bed's index).
    carries: list[int] = Field(default_factory=list)
    # Why it cannot be made as asked, as one line naming the fix ("add a voiceover to demo.mp4": nothing
    # says what the voice should say). The plan's step carries it and the run fails it before generating.
    blocked: str | None = None

    def params(self) -> dict[str, Any]:
        """The step's ``params``: only the keys the request set (docs/brain.md, "Step params")."""
        p: dict[str, Any] = {}
        for key in ("seconds", "language", "style", "speed", "sound", "loop", "headline", "subline", "cta",
                    "captions"):
            value = getattr(self, key)
            if value is not None:
                p[key] = value
        if self.count is not None:
            p["n"] = self.count
        if self.words is not None and self.kind == "text":
            p["words"] = self.words
            p["words_bound"] = self.words_bound or "about"
        if self.size is not None:
            p.update({k: v for k, v in self.size.model_dump().items() if v is not None})
        if self.voice is not None and not self.voice.is_empty():
            p["voice_traits"] = {k: v for k, v in self.voice.model_dump().items() if v is not None}
        if self.music is not None:
            m = self.music.model_dump(exclude={"vocals"})
            p.update({k: v for k, v in m.items() if v not in (None, [])})
        if self.with_music is not None:
            p["music"] = self.with_music
        if self.shots:
            p["shots"] = list(self.shots)
        if self.verbatim is not None and self.kind == "speech":
            p["verbatim"] = True
        return p


class RequestSpec(BaseModel):
    """Everything genloom understood from one request."""

    text: str
    deliverables: list[Deliverable] = Field(min_length=1)
    topic: str | None = None
    # The subject's own name ("GlowTrail"), shared by every part of a kit.
    name: str | None = None
    tone: str | None = None
    language: str | None = None
    inputs: list[InputFile] = Field(default_factory=list)
    recipe: str | None = None
    decided_by: DecidedBy = "rules"
    # Who found the topic: the request's words ("rules"), the LLM, or nobody ("default": the whole request).
    topic_by: DecidedBy = "rules"
    # What genloom cannot do as asked, and what would (shown by CLI, API and studio).
    notes: list[str] = Field(default_factory=list)
    # File names the request mentions, as written, in order ("standup.wav"); the inputs layer
    # resolves them against the working directory into ``inputs``.
    mentioned_files: list[str] = Field(default_factory=list)
    # How sure the reading is: 0.95 when the rules decided (higher when the LLM agreed), lower
    # for the embedding vote, the LLM alone or the default.
    confidence: float = Field(0.5, ge=0, le=1)
    # Media named as the subject, not asked for ("describe a logo": {"image": "logo"}).
    mentioned_not_asked: dict[str, str] = Field(default_factory=dict)
    # The request is phrased to a text model ("write", "ChatGPT", "generate text").
    addressed_to_text_model: bool = False
    # How understanding went, for explanations ("'with narration' goes into the video").
    reasons: list[str] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)

    def kinds(self) -> list[str]:
        """The output kinds the user receives, in assembly order."""
        wanted = {d.kind for d in self.deliverables if d.deliverable}
        return [k for k in OUTPUT_ORDER if k in wanted]

    def input(self, input_id: str) -> InputFile:
        for f in self.inputs:
            if f.id == input_id:
                return f
        raise KeyError(input_id)

    def input_paths(self) -> list[Path]:
        return [Path(f.path) for f in self.inputs]
