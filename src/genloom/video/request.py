"""What a video request may ask for, checked once before any work starts.

Loose params (from the CLI, the API or a plan step, see /work/coord/CONTRACT.md
``video``) become one typed :class:`VideoRequest`; code further down reads its
fields, never the dict. Errors name the value at fault and the fix.

Example::

    >>> r = VideoRequest.from_params("a bakery promo", {"format": "instagram-reel", "name": "Crumb & Co"})
    >>> (r.width, r.height, r.captions, r.title)
    (1080, 1920, True, 'Crumb & Co')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genloom.errors import InvalidInput

MAX_SECONDS = 300.0
MODES = ("auto", "animate", "slideshow")
CONTAINERS = {".mp4": "mp4", ".gif": "gif"}
DEFAULT_SIZE = (1280, 720)

# Named platforms and formats: (width, height, vertical social?). Vertical social
# formats get captions by default: most of their viewers watch with the sound off.
NAMED_FORMATS: dict[str, tuple[int, int, bool]] = {
    "instagram-reel": (1080, 1920, True), "reel": (1080, 1920, True), "reels": (1080, 1920, True),
    "instagram-story": (1080, 1920, True), "story": (1080, 1920, True),
    "tiktok": (1080, 1920, True), "youtube-short": (1080, 1920, True), "shorts": (1080, 1920, True),
    "youtube": (1920, 1080, False), "landscape": (1920, 1080, False), "slide": (1920, 1080, False),
    "square": (1080, 1080, False), "instagram-post": (1080, 1080, False),
}
# An aspect alone gets the platform-standard size for that shape.
ASPECT_SIZES: dict[str, tuple[int, int]] = {
    "9:16": (1080, 1920), "16:9": (1920, 1080), "1:1": (1080, 1080), "4:5": (1080, 1350), "4:3": (1440, 1080),
}
# Params a video passes on to the image model drawing its stills.
IMAGE_KEYS = ("style", "negative_prompt", "steps", "guidance", "scheduler")
# Music settings of the contract, passed on to the music composer (``mode`` major/minor too).
MUSIC_KEYS = ("genre", "tempo", "key", "instruments", "drums", "mood")


def _even(n: int) -> int:
    return n + n % 2


def _number(params: dict[str, Any], key: str, lo: float, hi: float) -> float | None:
    value = params.pop(key, None)
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{key} must be a number, got {value!r}", param=key) from None
    if not lo <= number <= hi:
        raise InvalidInput(f"{key}={value!r} is out of range", hint=f"use {lo:g} to {hi:g}", param=key)
    return number


def _bool(params: dict[str, Any], key: str) -> bool | None:
    value = params.pop(key, None)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "yes", "on", "1", "false", "no", "off", "0"):
        return value.lower() in ("true", "yes", "on", "1")
    raise InvalidInput(f"{key} must be true or false, got {value!r}", param=key)


def _file(value: Any, param: str, what: str) -> Path:
    path = Path(str(value)).expanduser()
    if not path.is_file():
        raise InvalidInput(f"No such {what}: {path}", hint="give the path of an existing file", param=param)
    return path


def _aspect_ratio(text: str) -> float:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*[:x/]\s*(\d+(?:\.\d+)?)\s*", str(text))
    if not m or float(m.group(2)) == 0 or float(m.group(1)) == 0:
        raise InvalidInput(f"Aspect {text!r} is not W:H", hint="e.g. 9:16, 16:9 or 1:1", param="aspect")
    return float(m.group(1)) / float(m.group(2))


def _size(params: dict[str, Any]) -> tuple[int, int, bool, str | None, bool]:
    """(width, height, vertical?, named format, asked?) from size, width/height, aspect or format."""
    from genloom.image.request import parse_size

    named = params.pop("format", None)
    aspect = params.pop("aspect", None)
    size = params.pop("size", None)
    width, height = params.pop("width", None), params.pop("height", None)
    social = False
    w = h = None
    if named is not None:
        key = str(named).lower().strip()
        if key not in NAMED_FORMATS:
            raise InvalidInput(f"Unknown video format {named!r}",
                               hint=f"mp4, gif, or one of {', '.join(sorted(NAMED_FORMATS))}", param="format")
        w, h, social = NAMED_FORMATS[key]
    if size is not None:
        w, h = parse_size(size)
    elif width is not None or height is not None:
        if width is not None and height is not None:
            w, h = parse_size((width, height), "width")
        else:
            ratio = _aspect_ratio(aspect) if aspect else ((w / h) if w and h else 16 / 9)
            if width is not None:
                w, h = parse_size((int(width), _even(round(int(width) / ratio))), "width")
            else:
                w, h = parse_size((_even(round(int(height) * ratio)), int(height)), "height")
    elif aspect is not None:
        key = str(aspect).replace(" ", "")
        if key in ASPECT_SIZES:
            w, h = ASPECT_SIZES[key]
        else:
            ratio = _aspect_ratio(aspect)
            w, h = (1920, _even(round(1920 / ratio))) if ratio >= 1 else (_even(round(1920 * ratio)), 1920)
    asked = w is not None
    if w is None or h is None:
        w, h = DEFAULT_SIZE
    # A vertical video is made for phones, where most people watch with the sound off: captions on.
    social = social or h > w
    if w % 2 or h % 2:
        raise InvalidInput(f"Video size {w}x{h} must have even sides (H.264 needs it)",
                           hint=f"use {_even(w)}x{_even(h)}", param="size")
    return w, h, social, (str(named).lower() if named is not None else None), asked


def _texts(params: dict[str, Any], key: str) -> list[str]:
    value = params.pop(key, None)
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(s, str) and s.strip() for s in value):
        raise InvalidInput(f"{key} must be a list of non-empty descriptions", param=key)
    return [s.strip() for s in value]


@dataclass
class VideoRequest:
    prompt: str
    container: str = "mp4"  # mp4 | gif
    # Only what was asked: None means "decide" (from the narration, or the default).
    seconds: float | None = None
    width: int = DEFAULT_SIZE[0]
    height: int = DEFAULT_SIZE[1]
    named_format: str | None = None
    size_asked: bool = False
    social_vertical: bool = False  # taller than wide: made for phones
    fps: int = 24
    mode: str = "auto"
    motion: str | None = None
    transition: float = 0.5  # crossfade seconds between shots; 0 = hard cuts
    captions: bool = False
    captions_asked: bool | None = None
    music: bool | None = None  # None: a bed when there is no narration
    shots: list[str] = field(default_factory=list)
    images: list[Path] = field(default_factory=list)
    clip: Path | None = None
    title: str | None = None  # the name on the title and end cards
    end_line: str | None = None  # cta or sub-line under the name on the end card
    narration: str | None = None  # words to speak
    narration_audio: Path | None = None
    narration_text: str | None = None  # the words in narration_audio, for captions
    music_audio: Path | None = None
    voice: str | None = None
    voice_traits: dict[str, Any] | None = None  # chosen among installed voices when no voice is named
    language: str | None = None
    speed: float | None = None
    seed: int | None = None
    image_params: dict[str, Any] = field(default_factory=dict)
    music_params: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height

    @classmethod
    def from_params(cls, prompt: str, params: dict[str, Any], output: Path | None = None) -> VideoRequest:
        from genloom.image.request import check_prompt
        from genloom.video.frames import MOTIONS

        params = dict(params)
        prompt = check_prompt(prompt)
        notes: list[str] = []
        container = _container(output, params)
        width, height, social, named, size_asked = _size(params)
        seconds = _number(params, "seconds", 0.5, MAX_SECONDS)
        if seconds is None:
            seconds = _number(params, "duration", 0.5, MAX_SECONDS)
        fps_value = _number(params, "fps", 1, 60)
        fps = int(fps_value) if fps_value else (24 if container == "mp4" else 12)
        mode = str(params.pop("mode", "auto")).lower()
        music_mode = None
        if mode in ("major", "minor"):  # the contract's music mode, flattened into the video's params
            music_mode, mode = mode, "auto"
        if mode not in MODES:
            raise InvalidInput(f"Unknown video mode {mode!r}", hint=f"one of {', '.join(MODES)}", param="mode")
        motion = params.pop("motion", None)
        if motion is not None and motion not in MOTIONS:
            raise InvalidInput(f"Unknown motion {motion!r}", hint=f"one of {', '.join(MOTIONS)}", param="motion")
        transition = _number(params, "transition", 0.0, 5.0)
        captions_asked = _bool(params, "captions")
        music = _bool(params, "music")
        shots = _texts(params, "shots") or _texts(params, "scenes")
        images = [_file(p, "images", "image") for p in (params.pop("images", None) or [])]
        clip_value = params.pop("clip", None)
        clip = _file(clip_value, "clip", "video clip") if clip_value not in (None, "") else None
        if clip is not None and images:
            raise InvalidInput("A video is made from a clip or from images, not both",
                               hint="drop either clip or images", param="clip")
        narration = params.pop("narration", None)
        narration_text = params.pop("narration_text", None)
        narration_audio = params.pop("narration_audio", None)
        music_audio = params.pop("music_audio", None)
        name, headline = params.pop("name", None), params.pop("headline", None)
        subline, cta = params.pop("subline", None), params.pop("cta", None)
        voice = params.pop("voice", None)
        speed = _number(params, "speed", 0.5, 2.0)
        seed_value = _number(params, "seed", 0, 2**32 - 1)
        image_params = {k: params.pop(k) for k in IMAGE_KEYS if k in params}
        music_params = {k: params.pop(k) for k in MUSIC_KEYS if k in params}
        if music_mode:
            music_params["mode"] = music_mode
        voice_traits = params.pop("voice_traits", None)
        if voice_traits is not None and not isinstance(voice_traits, dict):
            raise InvalidInput(f"voice_traits must be an object, got {voice_traits!r}", param="voice_traits")
        language = params.pop("language", None)
        if params.pop("n", 1) not in (1, None):
            notes.append("one video is made per request: n is for images")
        if params:
            raise InvalidInput(
                f"Unknown video parameter(s): {', '.join(sorted(params))}",
                hint="video takes seconds, width, height, aspect, format, captions, music, shots, images, clip, "
                     "name, headline, narration, narration_audio, music_audio, fps, mode, motion, transition, seed",
                param=sorted(params)[0])
        return cls(
            prompt=prompt, container=container, seconds=seconds, width=width, height=height, named_format=named,
            size_asked=size_asked, social_vertical=social, fps=fps, mode=mode, motion=motion,
            transition=0.5 if transition is None else transition,
            captions=captions_asked if captions_asked is not None else social, captions_asked=captions_asked,
            music=music, shots=shots, images=images, clip=clip,
            title=(str(name or headline).strip() or None) if (name or headline) else None,
            end_line=str(cta or subline).strip() if (cta or subline) else None,
            narration=prompt if narration is True else (str(narration) if narration else None),
            narration_audio=_file(narration_audio, "narration_audio", "audio file") if narration_audio else None,
            narration_text=str(narration_text) if narration_text else None,
            music_audio=_file(music_audio, "music_audio", "audio file") if music_audio else None,
            voice=str(voice) if voice else None, voice_traits=voice_traits,
            language=str(language) if language else None, speed=speed,
            seed=int(seed_value) if seed_value is not None else None,
            image_params=image_params, music_params=music_params, notes=notes,
        )


def _container(output: Path | None, params: dict[str, Any]) -> str:
    """mp4 or gif, from the output's suffix or a ``format`` param of mp4/gif (named formats stay in params)."""
    fmt = params.get("format")
    if isinstance(fmt, str) and fmt.lower().lstrip(".") in CONTAINERS.values():
        params.pop("format")
        fmt = fmt.lower().lstrip(".")
    else:
        fmt = None
    if output is not None:
        suffix = Path(output).suffix.lower()
        if suffix not in CONTAINERS:
            raise InvalidInput(f"Can only write .mp4 or .gif video, not {Path(output).name!r}",
                               hint="name the file *.mp4 or *.gif", param="output")
        return CONTAINERS[suffix]
    return fmt or "mp4"
