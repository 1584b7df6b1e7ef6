"""The training corpus: Bach's four-part chorales (shipped with music21) as beat grids.

Each chorale becomes, per quarter-note beat, the four voices' pitches relative
to the tonic (C = 0 at middle C), which voices strike a new note on the beat,
where phrases end (the fermatas), and the eighth-note passing notes inside a
beat. Parsing all 371 chorales takes ~20 s, so the result is cached as JSON.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

CACHE_VERSION = 1
REST = 127  # a voice that is silent on that beat
VOICES = ("soprano", "alto", "tenor", "bass")


def cache_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "genloom" / f"bach-chorales-v{CACHE_VERSION}.json"


def _voice_notes(part: Any) -> list[tuple[float, float, int, bool]]:
    """(onset, end, midi, fermata) of each note of a part; a chord counts as its top note."""
    out = []
    for n in part.flatten().notes:
        pitch = max(p.midi for p in n.pitches)
        fermata = any(type(e).__name__ == "Fermata" for e in n.expressions)
        onset = float(n.offset)
        out.append((onset, onset + float(n.quarterLength), pitch, fermata))
    return out


def extract(score: Any) -> dict[str, Any] | None:
    """One chorale as a beat grid, or None when it is not a plain four-voice setting."""
    parts = list(score.parts)
    if len(parts) != 4:
        return None
    key = score.analyze("key")
    tonic = key.tonic.pitchClass
    shift = -tonic if tonic <= 6 else 12 - tonic  # the nearest transposition to C
    voices = [_voice_notes(p) for p in parts]
    if any(not v for v in voices):
        return None
    length = int(max(v[-1][1] for v in voices))
    beats: list[list[int]] = []
    attacks: list[int] = []
    ornaments: list[list[int]] = []  # [beat, voice, passing-note offset from the beat's note]
    ends: set[int] = set()
    for b in range(length):
        row, mask = [], 0
        for vi, notes in enumerate(voices):
            sounding = next((n for n in notes if n[0] <= b < n[1]), None)
            if sounding is None:
                row.append(REST)
                continue
            row.append(sounding[2] + shift - 60)
            if sounding[0] == b:
                mask |= 1 << vi
            mid = next((n for n in notes if n[0] == b + 0.5), None)
            if sounding[0] == b and mid is not None:
                ornaments.append([b, vi, mid[2] - sounding[2]])
            if vi == 0 and sounding[3]:
                ends.add(int(sounding[1] - 1e-6))
        beats.append(row)
        attacks.append(mask)
    return {"mode": key.mode, "tonic": tonic, "beats": beats, "attacks": attacks,
            "ornaments": ornaments, "phrase_ends": sorted(e for e in ends if e < length)}


def load_corpus(limit: int | None = None, *, use_cache: bool = True,
                progress: Callable[[int, int], None] | None = None) -> list[dict[str, Any]]:
    """All chorales as grids (the cache is used and written only for the full corpus)."""
    path = cache_path()
    if use_cache and limit is None and path.exists():
        data = json.loads(path.read_text())
        if data.get("version") == CACHE_VERSION:
            return data["chorales"]
    from music21 import corpus

    names = list(corpus.chorales.Iterator(returnType="filename"))
    if limit is not None:
        names = names[:limit]
    chorales = []
    for i, name in enumerate(names):
        grid = extract(corpus.parse(name))
        if grid is not None:
            grid["name"] = name
            chorales.append(grid)
        if progress:
            progress(i + 1, len(names))
    if use_cache and limit is None:
        from genloom.store.files import atomic_write_bytes

        atomic_write_bytes(path, json.dumps({"version": CACHE_VERSION, "chorales": chorales}).encode())
    return chorales
