"""What a sound request may ask for, checked once before any work starts.

Explicit params win over words: ``params["sound"]`` (one id, "rain+thunder" or a
list) over sound names found in the prompt; ``seconds`` comes from params (the
brain reads durations from the request, the CLI from ``--seconds``). Words in
the prompt only choose the sound and colour it: "gentle"/"heavy" set the
intensity, "90 bpm" a pulse rate, "440 Hz" a pitch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from genloom.errors import InvalidInput
from genloom.sound.catalog import SLEEP_DEFAULT, SOUNDS
from genloom.sound.generators import Settings

MAX_SECONDS = 3600.0
DEFAULT_INFLUENCE = 0.3
MIN_SECONDS = 0.1
AMBIENCE_SECONDS = 30.0
# A one-shot effect's natural length when no duration was asked.
EFFECT_SECONDS = {"beep": 0.4, "chime": 2.5, "whoosh": 1.2}

_WORDS = {sid: re.compile(r"\b(?:" + "|".join(info.words) + r")\b", re.I) for sid, info in SOUNDS.items()}
# Scenes that are several sounds at once.
_SCENES: list[tuple[re.Pattern[str], tuple[str, ...]]] = [
    (re.compile(r"\b(?:thunder)?storms?\b", re.I), ("rain", "thunder")),
    (re.compile(r"\b(?:rain ?forest|jungle)\b", re.I), ("rain", "birdsong")),
    (re.compile(r"\b(?:forest|woods|meadow|garden)\b", re.I), ("birdsong", "wind")),
]
_SLEEP = re.compile(r"\b(?:noise|static)\b.*\b(?:sleep\w*|focus\w*|study\w*|baby|tinnitus)\b|"
                    r"\b(?:sleep\w*|focus\w*)\b.*\bnoise\b", re.I)
_GENTLE = re.compile(r"\b(?:gentle|light|soft|quiet|distant|calm|faint|little|slow)\b", re.I)
_STRONG = re.compile(r"\b(?:heavy|strong|loud|howling|roaring|intense|pouring|torrential|big|raging|huge|"
                     r"thunderous|fast|racing)\b", re.I)
_BPM = re.compile(r"\b(\d{2,3})\s*(?:bpm|beats? (?:a|per) minute)\b", re.I)
_HZ = re.compile(r"\b(\d{2,5})\s*hz\b", re.I)


def sound_ids(value: Any) -> list[str]:
    """``"rain"``, ``"rain+thunder"``, ``["rain", "thunder"]`` or an alias like ``"waves"`` -> sound ids."""
    items = value if isinstance(value, list | tuple) else re.split(r"[+,]", str(value))
    out: list[str] = []
    for item in (str(i).strip().lower() for i in items):
        if not item:
            continue
        sid = item if item in SOUNDS else next((s for s, rx in _WORDS.items() if rx.fullmatch(item)), None)
        if sid is None:
            raise cannot_make(item, param="sound")
        if sid not in out:
            out.append(sid)
    return out


def find_sounds(prompt: str) -> list[str]:
    """The sounds a prompt names, in the order it names them (scene words add theirs)."""
    hits: list[tuple[int, str]] = []
    for rx, ids in _SCENES:
        if m := rx.search(prompt):
            hits += [(m.start(), sid) for sid in ids]
    for sid, rx in _WORDS.items():
        if m := rx.search(prompt):
            hits.append((m.start(), sid))
    out: list[str] = []
    for _, sid in sorted(hits, key=lambda h: h[0]):
        if sid not in out:
            out.append(sid)
    # "white noise for sleep" names its colour; a bare "noise for sleeping" gets the usual one.
    if not out and _SLEEP.search(prompt):
        out.append(SLEEP_DEFAULT)
    return out


def cannot_make(what: str, *, param: str = "prompt") -> InvalidInput:
    return InvalidInput(f"genloom cannot make the sound {what.strip()[:80]!r}",
                        hint=f"it can make: {', '.join(SOUNDS)}", param=param)


@dataclass
class SoundRequest:
    sounds: list[str]
    seconds: float
    loop: bool
    settings: Settings
    seed: int | None = None

    @classmethod
    def from_params(cls, prompt: str, params: dict[str, Any]) -> SoundRequest:
        """``params`` keys: sound, seconds, loop, seed, intensity, rate, pitch, prompt_influence."""
        prompt = (prompt or "").strip()
        sounds = sound_ids(params["sound"]) if params.get("sound") else find_sounds(prompt)
        if not sounds:
            raise cannot_make(prompt or "(empty request)")
        seconds = _seconds(params.get("seconds"), sounds)
        loop = params.get("loop")
        loop = all(SOUNDS[s].ambience for s in sounds) if loop is None else _bool(loop, "loop")
        influence = params.get("prompt_influence")
        influence = DEFAULT_INFLUENCE if influence is None else _number(influence, "prompt_influence", 0.0, 1.0)
        settings = Settings(intensity=_intensity(prompt, params.get("intensity"), influence),
                            rate=_number(params.get("rate"), "rate", 10, 300) if params.get("rate") is not None
                            else _match_number(_BPM, prompt, 10, 300),
                            pitch=_number(params.get("pitch"), "pitch", 20, 12000) if params.get("pitch") is not None
                            else _match_number(_HZ, prompt, 20, 12000))
        seed = params.get("seed")
        if seed is not None:
            seed = int(_number(seed, "seed", 0, 2**63))
        return cls(sounds, seconds, loop, settings, seed)


def _seconds(value: Any, sounds: list[str]) -> float:
    if value is None:
        if all(s in EFFECT_SECONDS for s in sounds):
            return max(EFFECT_SECONDS[s] for s in sounds)
        return AMBIENCE_SECONDS
    return _number(value, "seconds", MIN_SECONDS, MAX_SECONDS,
                   hint=f"{MIN_SECONDS} to {MAX_SECONDS:.0f} seconds; the file loops seamlessly, so play it on repeat "
                        "for longer")


def _number(value: Any, name: str, lo: float, hi: float, hint: str | None = None) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{name} must be a number, got {value!r}", param=name) from None
    if not lo <= number <= hi:
        raise InvalidInput(f"{name} {number:g} is out of range", hint=hint or f"use {lo:g} to {hi:g}", param=name)
    return number


def _match_number(rx: re.Pattern[str], prompt: str, lo: float, hi: float) -> float | None:
    m = rx.search(prompt)
    return float(m.group(1)) if m and lo <= float(m.group(1)) <= hi else None


def _intensity(prompt: str, value: Any, influence: float) -> float:
    """An explicit intensity, else the prompt's words ("gentle" 0.6, "heavy" 1.6), pushed further the more
    ``prompt_influence`` (ElevenLabs' knob, 0.3 by default) asks the words to count."""
    if value is not None:
        return _number(value, "intensity", 0.2, 3.0)
    gentle, strong = bool(_GENTLE.search(prompt)), bool(_STRONG.search(prompt))
    worded = 1.0 if gentle == strong else (0.6 if gentle else 1.6)
    return float(min(3.0, max(0.2, 1.0 + (worded - 1.0) * (0.5 + influence / 0.6))))


def _bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise InvalidInput(f"{name} must be true or false, got {value!r}", param=name)
