"""Voices chosen by how they should sound: ``resolve(traits) -> (voice_id, reason)``.

Every speech card declares its voices' traits in ``options["traits"]``
(gender, age, pitch, tone, accent, languages and the measured median F0 in
Hz). :func:`resolve` scores the installed voices against the asked traits and
says why it chose one; when no installed voice has an asked trait, the reason
says so and names a voice that would (a hibari voice file to copy, or a Piper
voice to add with ``genloom models add VOICE.onnx``).

OpenAI's voice names are trait bundles here (:data:`OPENAI_VOICES`): "onyx"
asks for a low male voice, "nova" for an energetic female one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from genloom.errors import InvalidInput
from genloom.models.card import Kind

TRAITS = ("gender", "age", "pitch", "tone", "accent")

# OpenAI's built-in voices as traits (after OpenAI's own descriptions of them).
OPENAI_VOICES: dict[str, dict[str, str]] = {
    "alloy": {"tone": "neutral"},
    "ash": {"gender": "male", "tone": "warm"},
    "ballad": {"gender": "male", "tone": "warm"},
    "coral": {"gender": "female", "tone": "warm"},
    "echo": {"gender": "male", "tone": "calm"},
    "fable": {"gender": "male", "accent": "uk", "tone": "expressive"},
    "onyx": {"gender": "male", "pitch": "low", "tone": "serious"},
    "nova": {"gender": "female", "age": "young", "tone": "energetic"},
    "sage": {"gender": "female", "tone": "calm"},
    "shimmer": {"gender": "female", "pitch": "high", "tone": "warm"},
    "verse": {"gender": "male", "tone": "expressive"},
}

# Piper voices people can download (rhasspy/piper-voices, file stem -> traits): used to name what to
# add when nothing installed fits, and to know the traits of one added by path.
PIPER_VOICES: dict[str, dict[str, Any]] = {
    "en_US-lessac-medium": {"gender": "female", "accent": "us", "tone": ["calm"], "languages": ["en"]},
    "en_US-amy-medium": {"gender": "female", "accent": "us", "tone": ["warm"], "languages": ["en"]},
    "en_US-ryan-high": {"gender": "male", "accent": "us", "tone": ["energetic"], "languages": ["en"]},
    "en_US-joe-medium": {"gender": "male", "accent": "us", "tone": ["calm"], "languages": ["en"]},
    "en_US-john-medium": {"gender": "male", "accent": "us", "age": "old", "tone": ["serious"], "languages": ["en"]},
    "en_US-kristin-medium": {"gender": "female", "accent": "us", "tone": ["energetic"], "languages": ["en"]},
    "en_GB-alan-medium": {"gender": "male", "accent": "uk", "tone": ["calm"], "languages": ["en"]},
    "en_GB-jenny_dioco-medium": {"gender": "female", "accent": "uk", "tone": ["warm"], "languages": ["en"]},
    "en_GB-northern_english_male-medium": {"gender": "male", "accent": "uk", "languages": ["en"]},
    "en_GB-alba-medium": {"gender": "female", "accent": "scottish", "languages": ["en"]},
    "de_DE-thorsten-medium": {"gender": "male", "accent": "de", "languages": ["de"]},
    "de_DE-kerstin-low": {"gender": "female", "accent": "de", "languages": ["de"]},
    "fr_FR-siwis-medium": {"gender": "female", "accent": "fr", "languages": ["fr"]},
    "fr_FR-tom-medium": {"gender": "male", "accent": "fr", "languages": ["fr"]},
    "es_ES-davefx-medium": {"gender": "male", "accent": "es", "languages": ["es"]},
    "es_MX-claude-high": {"gender": "female", "accent": "mx", "languages": ["es"]},
    "it_IT-paola-medium": {"gender": "female", "accent": "it", "languages": ["it"]},
    "it_IT-riccardo-x_low": {"gender": "male", "accent": "it", "languages": ["it"]},
    "pt_BR-faber-medium": {"gender": "male", "accent": "br", "languages": ["pt"]},
    "nl_NL-mls-medium": {"gender": "female", "accent": "nl", "languages": ["nl"]},
}
PIPER_URL = "https://huggingface.co/rhasspy/piper-voices"

_ACCENTS = {"us": "us", "american": "us", "usa": "us", "uk": "uk", "british": "uk", "english": "uk", "gb": "uk",
            "scottish": "scottish", "australian": "au", "au": "au", "irish": "ie", "indian": "in"}
_LANGUAGE_NAMES = {"en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
                   "pt": "Portuguese", "nl": "Dutch", "ja": "Japanese", "zh": "Chinese"}
# Weights: a wrong gender is the most audible miss, then accent, pitch, age, tone.
_WEIGHTS = {"gender": 4.0, "accent": 2.0, "pitch": 1.5, "age": 1.0, "tone": 0.5}
# Median F0 (Hz) splitting "low" from "high": within the gender asked for, else across all voices.
_PITCH_SPLIT: dict[str | None, float] = {"male": 120.0, "female": 200.0, None: 160.0}


@dataclass(frozen=True)
class Voice:
    id: str                    # what speak(voice=...) and params["voice"] accept
    model: str                 # the speech card that owns it
    gender: str | None = None
    age: str | None = None
    pitch: str | None = None
    tones: tuple[str, ...] = ()
    accent: str | None = None
    languages: tuple[str, ...] = ("en",)
    f0_hz: float | None = None
    installed: bool = True
    how_to_install: str = ""

    def describe(self) -> str:
        bits = [b for b in (self.age if self.age not in (None, "adult") else None,
                            f"{self.pitch}-pitched" if self.pitch else None, self.gender) if b]
        lang = "/".join(_LANGUAGE_NAMES.get(code, code) for code in self.languages)
        accent = f"{self.accent.upper()} " if self.accent and len(self.accent) == 2 else (
            f"{self.accent} " if self.accent else "")
        tone = f", {'/'.join(self.tones)}" if self.tones else ""
        f0 = f", F0 ≈ {self.f0_hz:.0f} Hz" if self.f0_hz else ""
        return f"{' '.join(bits) or 'voice'}, {accent}{lang}{tone}{f0}"

    def to_dict(self) -> dict[str, Any]:
        return {"voice": self.id, "model": self.model, "gender": self.gender, "age": self.age, "pitch": self.pitch,
                "tone": list(self.tones), "accent": self.accent, "languages": list(self.languages),
                "f0_hz": self.f0_hz, "installed": self.installed}


@dataclass
class Choice:
    voice: Voice
    score: float
    met: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)


def _voice(name: str, model: str, traits: dict[str, Any], installed: bool, how: str = "") -> Voice:
    tones = traits.get("tone") or ()
    return Voice(id=name, model=model, gender=traits.get("gender"), age=traits.get("age", "adult"),
                 pitch=traits.get("pitch"), tones=tuple([tones] if isinstance(tones, str) else tones),
                 accent=traits.get("accent"), languages=tuple(traits.get("languages") or ("en",)),
                 f0_hz=traits.get("f0_hz"), installed=installed, how_to_install=how)


def all_voices() -> list[Voice]:
    """Every voice the speech cards declare, installed or not."""
    from genloom.audio.speech import list_voices
    from genloom.models.registry import get_registry

    ready = {(r["model"], r["voice"]): r["installed"] for r in list_voices()}
    out = []
    for card in get_registry().cards(Kind.speech):
        declared = card.options.get("traits") or {}
        for name in card.options.get("voices", []):
            how = card.options.get("install_hints", {}).get(name, "")
            out.append(_voice(name, card.id, declared.get(name, {}), ready.get((card.id, name), False), how))
    return out


def installed_voices() -> list[Voice]:
    return [v for v in all_voices() if v.installed]


def _normalize(traits: dict[str, Any]) -> dict[str, Any]:
    """Lower-cased, known keys only, OpenAI names expanded, accents and tones canonical."""
    out: dict[str, Any] = {}
    name = str(traits.get("name") or "").strip().lower()
    if name in OPENAI_VOICES:
        out.update(OPENAI_VOICES[name])
    for key in TRAITS:
        value = traits.get(key)
        if value in (None, "", []):
            continue
        value = str(value).strip().lower()
        if key == "accent":
            value = _ACCENTS.get(value, value)
        if key == "gender":
            value = {"man": "male", "woman": "female", "boy": "male", "girl": "female"}.get(value, value)
        out[key] = value
    return out


def _score(voice: Voice, asked: dict[str, Any]) -> Choice:
    choice = Choice(voice, 0.0)
    for key, want in asked.items():
        have = voice.tones if key == "tone" else getattr(voice, key)
        if key == "pitch" and voice.pitch is None and voice.f0_hz:
            # "Low" is relative to the gender asked for ("a low female voice"), else to all voices.
            have = "low" if voice.f0_hz < _PITCH_SPLIT.get(asked.get("gender"), 160.0) else "high"
        ok = want in have if key == "tone" else have == want
        if key == "age" and want in ("adult", "young") and have in ("adult", "young"):
            ok = True  # "young" and "adult" are close enough to not count as a miss
        (choice.met if ok else choice.missed).append(f"{key}={want}")
        choice.score += _WEIGHTS[key] * (1.0 if ok else -1.0)
    if "pitch" in asked and voice.f0_hz:
        # Among voices that match equally, the lower (or higher) one wins by its measured F0.
        choice.score += (-1 if asked["pitch"] == "low" else 1) * voice.f0_hz / 1000.0
    return choice


def _known_alternatives(asked: dict[str, Any], language: str | None) -> list[tuple[str, str]]:
    """Voices not installed that would meet every asked trait: (name, how to get it)."""
    found = []
    for v in all_voices():
        if v.installed or (language and language not in v.languages):
            continue
        if not _score(v, asked).missed:
            found.append((f"{v.model} voice '{v.id}' ({v.describe()})", v.how_to_install or f"install {v.model}"))
    for stem, traits in PIPER_VOICES.items():
        v = _voice(stem, "piper", traits, False)
        if (language and language not in v.languages) or _score(v, asked).missed:
            continue
        found.append((f"Piper voice {stem} ({v.describe()})",
                      f"download {stem}.onnx and {stem}.onnx.json from {PIPER_URL}, then "
                      f"'genloom models add {stem}.onnx'"))
    return found


def _what_would_fit(asked: dict[str, Any], language: str | None) -> str:
    options = _known_alternatives(asked, language)
    if not options:
        return "no known offline voice has all of these traits"
    name, how = options[0]
    return f"{name} would: {how}"


def resolve(traits: dict[str, Any] | None, language: str | None = None, model: str | None = None
            ) -> tuple[str, str]:
    """The best installed voice for ``traits`` (gender, age, pitch, tone, accent, name) and why.

    ``traits["name"]`` may be an installed voice id (used as is) or an OpenAI
    voice name (expanded to traits). Returns ``(voice_id, reason)``; when an
    asked trait is missing from every installed voice, the closest voice is
    returned and the reason says what is missing and what would fit. Raises
    :class:`InvalidInput` when no installed voice speaks ``language``.
    ``model`` limits the choice to that speech model's voices.
    """
    traits = dict(traits or {})
    voices = [v for v in installed_voices() if model is None or v.model == model]
    if not voices:
        raise InvalidInput("No voice is installed", hint="run 'make setup' (hibari-tts, piper-tts + joe)",
                           param="voice")
    language = (language or "").lower()[:2] or None
    name = str(traits.get("name") or "").strip()
    named = next((v for v in voices if name and v.id.lower() == name.lower()), None)
    if named is not None and (not language or language in named.languages):
        return named.id, f"{named.id} was asked for by name ({named.describe()})"
    if named is not None:
        raise InvalidInput(f"Voice {named.id!r} does not speak {_LANGUAGE_NAMES.get(language, language)}",
                           hint=_what_would_fit({}, language), param="voice")
    if language:
        speakers = [v for v in voices if language in v.languages]
        if not speakers:
            asked = _normalize(traits)
            lang = _LANGUAGE_NAMES.get(language, language)
            raise InvalidInput(f"No installed voice speaks {lang}",
                               hint=_what_would_fit(asked, language), param="voice")
        voices = speakers
    asked = _normalize(traits)
    if not asked:
        default = _default_voice(voices)
        return default.id, f"{default.id} is the default voice ({default.describe()}); no traits were asked"
    default = _default_voice(voices)
    ranked = sorted((_score(v, asked) for v in voices), key=lambda c: (-c.score, c.voice != default, c.voice.id))
    best = ranked[0]
    if not best.missed:
        return best.voice.id, f"{best.voice.id} ({best.voice.describe()}) has {', '.join(best.met)}"
    met = f"has {', '.join(best.met)} but " if best.met else "has "
    return best.voice.id, (f"no installed voice has {', '.join(best.missed)}; closest: {best.voice.id} "
                           f"({best.voice.describe()}), which {met}not {', '.join(best.missed)}. "
                           f"{_what_would_fit(asked, language)}")


def _default_voice(voices: list[Voice]) -> Voice:
    from genloom.models.registry import get_registry

    default = get_registry().default_card(Kind.speech)
    wanted = default.options.get("default_voice")
    return next((v for v in voices if v.model == default.id and v.id == wanted), voices[0])


def piper_traits(stem: str, language_code: str | None) -> dict[str, Any]:
    """Traits of a Piper voice added by path: the known table, else what its config says (language, accent)."""
    known = PIPER_VOICES.get(stem)
    if known:
        return dict(known)
    traits: dict[str, Any] = {}
    if language_code:
        lang, _, region = language_code.replace("-", "_").partition("_")
        traits["languages"] = [lang.lower()]
        if region:
            traits["accent"] = {"GB": "uk"}.get(region.upper(), region.lower())
    return traits
