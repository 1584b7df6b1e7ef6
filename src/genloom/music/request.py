"""From words to a musical spec: key, mode, tempo, length, instruments, feel.

Explicit values win ("in F# minor", "90 bpm", "45 seconds", "16 bars",
"with strings"); mood words fill in the rest ("calm" is slow and soft,
"sad"/"darker" is minor, "joyful"/"brighter" is major and quick, ...).
``params`` from the API override both.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from genloom.errors import InvalidInput
from genloom.music import gm
from genloom.music.genres import DEFAULT_GENRE, GENRES, MOOD_GENRE

PITCH_CLASSES = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
NAMES_SHARP = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]
MIN_TEMPO, MAX_TEMPO = 30, 240
MIN_SECONDS, MAX_SECONDS = 2.0, 600.0

# General MIDI programs for soprano, alto, tenor, bass.
ENSEMBLES: dict[str, list[int]] = {
    "piano": [0, 0, 0, 0],
    "strings": [40, 40, 41, 42],
    "string quartet": [40, 40, 41, 42],
    "organ": [19, 19, 19, 19],
    "choir": [52, 52, 52, 52],
    "brass": [56, 60, 57, 58],
    "woodwinds": [73, 68, 71, 70],
    "guitar": [24, 24, 24, 24],
    "harp": [46, 46, 46, 46],
    "music box": [10, 10, 10, 10],
    "synth": [80, 81, 89, 38],
    "electric piano": [4, 4, 4, 4],
}
SOLO: dict[str, int] = {
    "violin": 40, "viola": 41, "cello": 42, "double bass": 43, "contrabass": 43, "flute": 73, "oboe": 68,
    "clarinet": 71, "bassoon": 70, "trumpet": 56, "horn": 60, "french horn": 60, "trombone": 57, "tuba": 58,
    "harpsichord": 6, "celesta": 8, "vibraphone": 11, "marimba": 12, "accordion": 21, "saxophone": 65,
    "sax": 65, "recorder": 74, "voice": 52, "vocals": 52, "bells": 14, "glockenspiel": 9,
}
# Mood words: (mode or None, tempo, velocity, busyness, novelty, default ensemble)
MOODS: dict[str, tuple[str | None, int, int, float, float, str]] = {
    "calm": (None, 66, 62, 0.5, 0.25, "strings"), "peaceful": (None, 63, 60, 0.5, 0.25, "strings"),
    "serene": ("major", 62, 58, 0.4, 0.2, "strings"), "gentle": (None, 70, 58, 0.6, 0.25, "piano"),
    "relaxing": (None, 64, 58, 0.5, 0.25, "piano"), "soft": (None, 72, 52, 0.6, 0.3, "piano"),
    "quiet": (None, 70, 50, 0.6, 0.3, "piano"), "dreamy": (None, 66, 56, 0.6, 0.45, "harp"),
    "sad": ("minor", 60, 60, 0.7, 0.3, "strings"), "melancholy": ("minor", 62, 60, 0.8, 0.3, "strings"),
    "melancholic": ("minor", 62, 60, 0.8, 0.3, "strings"), "mournful": ("minor", 54, 58, 0.6, 0.25, "organ"),
    "somber": ("minor", 58, 60, 0.6, 0.25, "organ"), "sombre": ("minor", 58, 60, 0.6, 0.25, "organ"),
    "dark": ("minor", 66, 68, 0.8, 0.35, "organ"), "darker": ("minor", 66, 68, 0.8, 0.35, "organ"),
    "gloomy": ("minor", 58, 60, 0.6, 0.3, "organ"), "tragic": ("minor", 60, 74, 0.8, 0.3, "strings"),
    "mysterious": ("minor", 76, 58, 1.0, 0.5, "woodwinds"), "tense": ("minor", 100, 76, 1.2, 0.45, "strings"),
    "dramatic": ("minor", 92, 84, 1.2, 0.4, "brass"), "angry": ("minor", 126, 96, 1.3, 0.45, "brass"),
    "happy": ("major", 112, 80, 1.0, 0.3, "piano"), "joyful": ("major", 116, 84, 1.1, 0.3, "strings"),
    "cheerful": ("major", 120, 80, 1.1, 0.3, "woodwinds"), "bright": ("major", 108, 78, 1.0, 0.3, "piano"),
    "brighter": ("major", 108, 78, 1.0, 0.3, "piano"), "uplifting": ("major", 104, 80, 1.0, 0.3, "strings"),
    "festive": ("major", 120, 88, 1.2, 0.3, "brass"), "triumphant": ("major", 96, 96, 1.0, 0.25, "brass"),
    "majestic": ("major", 80, 90, 0.8, 0.2, "organ"), "solemn": (None, 60, 66, 0.5, 0.2, "organ"),
    "hopeful": ("major", 92, 72, 0.9, 0.3, "strings"), "romantic": (None, 76, 66, 0.9, 0.35, "strings"),
    "playful": ("major", 126, 76, 1.3, 0.45, "woodwinds"), "lively": (None, 126, 84, 1.3, 0.35, "strings"),
    "energetic": (None, 138, 92, 1.4, 0.35, "brass"), "upbeat": ("major", 128, 86, 1.3, 0.35, "piano"),
    "exciting": (None, 136, 92, 1.4, 0.4, "brass"), "epic": (None, 96, 100, 1.0, 0.3, "brass"),
    "lullaby": ("major", 66, 52, 0.6, 0.25, "music box"), "chill": (None, 80, 64, 0.8, 0.3, "piano"), "chilled": (None, 80, 64, 0.8, 0.3, "piano"),
    "cozy": ("major", 78, 62, 0.8, 0.3, "piano"), "mellow": (None, 76, 60, 0.7, 0.3, "piano"),
    "spooky": ("minor", 72, 62, 0.8, 0.5, "strings"), "scary": ("minor", 70, 70, 0.8, 0.5, "strings"),
    "eerie": ("minor", 66, 58, 0.6, 0.5, "strings"), "suspenseful": ("minor", 92, 72, 1.0, 0.45, "strings"),
    "intense": ("minor", 140, 96, 1.3, 0.4, "brass"), "aggressive": ("minor", 150, 100, 1.3, 0.4, "brass"),
    "nostalgic": (None, 78, 62, 0.8, 0.3, "piano"), "emotional": ("minor", 70, 70, 0.8, 0.3, "strings"),
    "inspiring": ("major", 100, 80, 1.0, 0.3, "strings"), "inspirational": ("major", 100, 80, 1.0, 0.3, "strings"),
    "motivational": ("major", 120, 88, 1.1, 0.3, "brass"), "corporate": ("major", 110, 76, 1.0, 0.3, "piano"),
    "groovy": (None, 108, 84, 1.2, 0.35, "piano"), "funky": (None, 108, 86, 1.2, 0.35, "piano"),
    "hype": ("minor", 128, 100, 1.3, 0.35, "brass"),
    "slow": (None, 56, None, None, None, None),  # type: ignore[dict-item]
    "fast": (None, 140, None, None, None, None),  # type: ignore[dict-item]
    "quick": (None, 132, None, None, None, None),  # type: ignore[dict-item]
}
TEMPO_WORDS = {"largo": 50, "lento": 52, "adagio": 66, "andante": 80, "moderato": 100, "allegretto": 108,
               "allegro": 126, "vivace": 150, "presto": 176}


@dataclass
class Spec:
    tonic: int = 0  # pitch class
    mode: str = "major"
    tempo: int = 90  # quarter notes per minute
    seconds: float = 30.0
    programs: list[int] = field(default_factory=lambda: [0, 0, 0, 0])  # chorale voices, top down
    instruments: str = "piano"
    velocity: int = 74
    busyness: float = 1.0
    novelty: float = 0.3
    moods: list[str] = field(default_factory=list)
    genre: str = DEFAULT_GENRE
    drums: bool = True
    # Song parts given by the request: lead, comp, pad, bass -> GM program; "named" when any was named.
    roles: dict[str, int] = field(default_factory=dict)
    mood_velocity: int | None = None

    @property
    def key_name(self) -> str:
        return f"{NAMES_SHARP[self.tonic]} {self.mode}"

    def velocity_for(self, genre_velocity: int) -> int:
        """The genre's loudness, moved halfway toward the mood's ("soft", "energetic")."""
        return genre_velocity if self.mood_velocity is None else round((genre_velocity + self.mood_velocity) / 2)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "key": self.key_name}


def parse_key(text: str) -> tuple[int, str | None] | None:
    """``"D minor"``, ``"F#"``, ``"E flat major"``, ``"Bbm"`` -> (pitch class, mode or None)."""
    m = re.search(r"\b([a-g])\s*(#|♯|b(?![a-z])|♭|-?sharp|-?flat)?\s*(major|minor|maj\b|min\b|m\b)?",
                  text.strip().lower())
    if not m or m.start() != 0:
        return None
    pc = PITCH_CLASSES[m.group(1)]
    acc = (m.group(2) or "").replace("-", "")
    if acc in ("#", "♯", "sharp"):
        pc += 1
    elif acc in ("b", "♭", "flat"):
        pc -= 1
    mode = m.group(3)
    mode = None if not mode else ("minor" if mode.startswith("m") and mode != "major" and mode != "maj" else "major")
    return pc % 12, mode


_KEY_IN_TEXT = re.compile(
    r"\b(?:in|key of|key)\s+([a-g](?:\s*(?:#|♯|♭|b(?![a-z])|-?sharp|-?flat))?(?:\s*(?:major|minor))?)", re.I)
_KEY_BARE = re.compile(r"\b([a-g](?:\s*(?:#|♯|♭|b(?![a-z])|-?sharp|-?flat))?\s+(?:major|minor))\b", re.I)


# ``language`` may come with every step of a plan: instrumental music has no words, so it changes nothing.
PARAM_KEYS = ("genre", "tempo", "key", "mode", "instruments", "drums", "mood", "seconds", "duration", "style",
              "busyness", "novelty", "language")
_DRUMS_ON = re.compile(r"\b(?:drums?|percussion|drum ?kit|beats?|groove)\b")
_DRUMS_OFF = re.compile(r"\b(?:no|without|w/o|minus|zero)\s+(?:\w+\s+)?(?:drums?|percussion|drum ?kit|beats?)\b"
                        r"|\b(?:drumless|unaccompanied|a cappella)\b")


def find_genre(text: str) -> str | None:
    """The genre a text names ("a lo-fi beat" -> lofi, "EDM drop" -> edm); the earliest mention wins."""
    best: tuple[int, int, str] | None = None
    lowered = text.lower()
    for name, g in GENRES.items():
        for word in (name, *g.words):
            m = re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", lowered)
            if m and (best is None or (m.start(), -len(word)) < best[:2]):
                best = (m.start(), -len(word), name)
    return best[2] if best else None


def find_drums(text: str) -> bool | None:
    """True for "with drums", False for "no drums" / "without percussion", None when not said."""
    if _DRUMS_OFF.search(text):
        return False
    return True if _DRUMS_ON.search(text) else None


def parse(prompt: str, params: dict[str, Any] | None = None) -> Spec:
    """The spec for ``prompt``; ``params`` (the typed request's keys: genre, tempo, key, mode, instruments,
    drums, mood, seconds; also duration, style, busyness, novelty) override the words."""
    params = {k: v for k, v in dict(params or {}).items() if v is not None}
    text = (prompt or "").lower()
    spec = Spec()
    mood_mode: str | None = None
    mood_tempo: int | None = None
    ensemble: str | None = None
    words_text = f"{text} {str(params.get('mood') or '').lower()} {str(params.get('style') or '').lower()}"
    # Mood words: explicit values below override them.
    for word in re.findall(r"[a-z]+", words_text):
        mood = MOODS.get(word)
        if mood is None or word in spec.moods:
            continue
        spec.moods.append(word)
        mode, tempo, velocity, busy, novelty, ens = mood
        if mode:
            mood_mode = mode
        mood_tempo = tempo
        if velocity is not None:
            spec.velocity = spec.mood_velocity = velocity
            spec.busyness, spec.novelty = busy, novelty
        if ens and ensemble is None:
            ensemble = ens
    if params.get("mood") and not spec.moods:
        spec.moods.append(str(params["mood"]).lower())
    explicit_tempo: int | None = None
    for word, bpm in TEMPO_WORDS.items():
        if re.search(rf"\b{word}\b", text):
            explicit_tempo = bpm
    m = re.search(r"(\d{2,3})\s*(?:bpm|beats per minute)", text) or re.search(r"\btempo (?:of )?(\d{2,3})\b", text)
    if m:
        explicit_tempo = int(m.group(1))
    explicit_mode: str | None = None
    m = _KEY_IN_TEXT.search(prompt or "") or _KEY_BARE.search(prompt or "")
    if m:
        key = parse_key(m.group(1))
        if key:
            spec.tonic, explicit_mode = key
    if explicit_mode is None and m is None:
        if re.search(r"\bminor\b", text):
            explicit_mode = "minor"
        elif re.search(r"\bmajor\b", text):
            explicit_mode = "major"
    spec.genre = _resolve_genre(text, params, spec.moods)
    g = GENRES[spec.genre]
    spec.tempo = explicit_tempo or mood_tempo or g.tempo
    spec.mode = explicit_mode or mood_mode or g.mode or "major"
    seconds = _parse_length(text, spec.tempo)
    if seconds is not None:
        spec.seconds = seconds
    named = gm.find_instruments(text)
    if named:
        _set_instruments(spec, named)
    elif spec.genre == "chorale" and ensemble:
        spec.programs, spec.instruments = list(ENSEMBLES[ensemble]), ensemble
    else:
        spec.instruments = _default_instruments(spec)
    drums = find_drums(text)
    spec.drums = g.drums if drums is None else drums
    _apply_params(spec, params)
    return spec


def _resolve_genre(text: str, params: dict[str, Any], moods: list[str]) -> str:
    for name in ("genre", "style"):
        value = params.get(name)
        if not value:
            continue
        found = find_genre(str(value))
        if found is None and name == "genre":
            raise InvalidInput(f"Unknown music genre {value!r}", hint=f"genres: {', '.join(GENRES)}", param="genre")
        if found:
            return found
    found = find_genre(text)
    if found:
        return found
    for mood in moods:
        if mood in MOOD_GENRE:
            return MOOD_GENRE[mood]
    if re.search(r"\b(?:organ|choir|four voices|voices)\b", text):
        return "chorale"
    return DEFAULT_GENRE


def _default_instruments(spec: Spec) -> str:
    if spec.genre == "chorale":
        return "piano"
    g = GENRES[spec.genre]
    programs = [g.lead, g.comp, g.bass] + ([g.pad] if g.pad is not None else [])
    return " + ".join(dict.fromkeys(gm.PROGRAMS[p] for p in programs))


def _set_instruments(spec: Spec, named: list[tuple[str, int]]) -> None:
    """Named instruments: the chorale's voices top down, or a song's parts (a bass instrument takes the
    bass line, the others the melody, then the chords, then the pad; one instrument plays melody and chords)."""
    names = [n for n, _ in named]
    spec.instruments = " + ".join(names)
    if spec.genre == "chorale":
        joined = " ".join(names)
        if joined in ENSEMBLES:
            spec.programs = list(ENSEMBLES[joined])
            return
        programs = [p for _, p in named][:4]
        spec.programs = programs + [programs[-1]] * (4 - len(programs))
        return
    roles: dict[str, int] = {"named": 1}
    # Melodic instruments (strings, brass, reeds, pipes, leads, voices) take the tune before chordal ones.
    upper = sorted((p for _, p in named if p not in gm.BASS_PROGRAMS), key=lambda p: p not in gm.MELODIC_PROGRAMS)
    low = [p for _, p in named if p in gm.BASS_PROGRAMS]
    if low:
        roles["bass"] = low[0]
    if not upper and len(low) > 1:
        upper = low[1:]
    for role, program in zip(("lead", "comp", "pad"), upper, strict=False):
        roles[role] = program
    if len(upper) == 1:
        roles["comp"] = upper[0]
    spec.roles = roles


# "90s hip hop", "the '80s": a decade, not a length.
_DECADE = re.compile(r"(?:'|\b)([5-9]0)s\s+(?!long\b|of\b|in\b|at\b|and\b|with\b|for\b|piece\b|track\b|song\b|clip\b)[a-z]")


def _parse_length(text: str, tempo: int) -> float | None:
    text = _DECADE.sub(" ", text)
    m = re.search(r"(\d+):(\d{2})\b", text)
    if m:
        return int(m.group(1)) * 60 + int(m.group(2))
    m = re.search(r"(\d+(?:\.\d+)?)\s*(?:-\s*)?(seconds?|secs?|s\b|minutes?|mins?|bars?|measures?)", text)
    if not m:
        return None
    value, unit = float(m.group(1)), m.group(2)
    if unit.startswith("m") and not unit.startswith("meas"):
        return value * 60
    if unit.startswith(("bar", "meas")):
        return value * 4 * 60 / tempo
    return value


def _apply_params(spec: Spec, params: dict[str, Any]) -> None:
    if params.get("key"):
        key = parse_key(str(params["key"]))
        if key is None:
            raise InvalidInput(f"Cannot read key {params['key']!r}", hint="e.g. 'D minor', 'F#', 'Eb major'", param="key")
        spec.tonic = key[0]
        if key[1]:
            spec.mode = key[1]
    if params.get("mode"):
        mode = str(params["mode"]).lower()
        if mode not in ("major", "minor"):
            raise InvalidInput(f"mode must be major or minor, got {mode!r}", param="mode")
        spec.mode = mode
    if params.get("tempo") is not None:
        spec.tempo = _number(params["tempo"], "tempo", int)
    for name in ("duration", "seconds"):
        if params.get(name) is not None:
            spec.seconds = _number(params[name], name, float)
    if params.get("instruments"):
        value = params["instruments"]
        items = [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
        named = [f for item in items for f in gm.find_instruments(item)]
        unknown = [item for item in items if not gm.find_instruments(item) and item.lower() not in gm.NOT_INSTRUMENTS]
        if unknown:
            raise InvalidInput(f"Unknown instruments {', '.join(unknown)!r}",
                               hint="any of the 128 General MIDI names or a common one: piano, acoustic guitar, "
                                    "electric guitar, strings, violin, cello, flute, trumpet, sax, synth, pad, "
                                    "organ, choir, electric bass, drums", param="instruments")
        if named:
            _set_instruments(spec, named)
        if any(item.lower() in gm.NOT_INSTRUMENTS for item in items):
            spec.drums = True
    if params.get("drums") is not None:
        value = params["drums"]
        if isinstance(value, str):
            if value.lower() not in ("true", "false", "yes", "no", "1", "0", "on", "off"):
                raise InvalidInput(f"drums must be true or false, got {value!r}", param="drums")
            value = value.lower() in ("true", "yes", "1", "on")
        spec.drums = bool(value)
    for name in ("busyness", "novelty"):
        if params.get(name) is not None:
            setattr(spec, name, _number(params[name], name, float))
    if not MIN_TEMPO <= spec.tempo <= MAX_TEMPO:
        raise InvalidInput(f"Tempo {spec.tempo} bpm is out of range", hint=f"use {MIN_TEMPO}-{MAX_TEMPO} bpm", param="tempo")
    if not MIN_SECONDS <= spec.seconds <= MAX_SECONDS:
        raise InvalidInput(f"Length {spec.seconds:g} s is out of range",
                           hint=f"use {MIN_SECONDS:g} to {MAX_SECONDS:g} seconds", param="duration")
    if not 0.0 <= spec.novelty <= 1.0:
        raise InvalidInput("novelty must be between 0 and 1", param="novelty")
    if not 0.0 <= spec.busyness <= 3.0:
        raise InvalidInput("busyness must be between 0 and 3", param="busyness")


def _number(value: Any, name: str, kind: type) -> Any:
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{name} must be a number, got {value!r}", param=name) from None
