"""The song model's melody corpus: folk tunes that ship with music21, as key-relative note lists.

Sources (music21's corpus, all public domain): the Nottingham Music Database
sample (with its chord symbols), O'Neill's *Music of Ireland* (1850), Ryan's
*Mammoth Collection* (1883) and the German songs of the Essen folksong
collection. Only tunes in a duple metre (2/4, 4/4, 2/2, C) are kept, since
genloom's songs are in 4/4; 2/4 bars are paired into 4/4 units.

Multi-tune ABC files are split per tune and each tune is parsed by music21
(~0.1-0.2 s a tune), so the whole corpus takes minutes: the result is cached
as JSON (``~/.cache/genloom/folk-tunes-v1.json``) and nothing here runs when
music is composed; ``scripts/train_songs.py`` reads it to count the tables.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

CACHE_VERSION = 1
# (corpus folder, files to use or None for all). Essen: the German song books;
# the Chinese han* books are pentatonic and the altdeu* books are in 4/2 breves.
COLLECTIONS: tuple[tuple[str, tuple[str, ...] | None], ...] = (
    ("nottingham-dataset", None),
    ("oneills1850", None),
    ("ryansMammoth", None),
    ("essenFolksong", ("boehme10.abc", "boehme20.abc", "erk10.abc", "erk20.abc", "erk30.abc", "fink0.abc",
                       "kinder0.abc", "dva0.abc", "ballad30.abc", "ballad40.abc", "ballad60.abc", "lot.abc")),
)
DUPLE = {"2/4": 2.0, "4/4": 4.0, "2/2": 4.0, "C": 4.0, "C|": 4.0}
MODE_OF = {"major": "major", "ionian": "major", "mixolydian": "major", "lydian": "major",
           "minor": "minor", "aeolian": "minor", "dorian": "minor", "phrygian": "minor"}


def cache_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "genloom" / f"folk-tunes-v{CACHE_VERSION}.json"


def corpus_dir() -> Path:
    from music21 import common

    return Path(common.getCorpusFilePath())


def split_tunes(text: str) -> Iterator[str]:
    """The tunes of a multi-tune ABC file (each from its ``X:`` line), with the file header prepended."""
    parts = re.split(r"(?m)^(?=X:)", text)
    header = parts[0] if parts and not parts[0].lstrip().startswith("X:") else ""
    for part in parts:
        if part.lstrip().startswith("X:"):
            yield header + part


def header_field(tune: str, name: str) -> str | None:
    m = re.search(rf"(?m)^{name}:\s*([^\n%]*)", tune)
    return m.group(1).strip() if m else None


def candidate_tunes(limit: int | None = None) -> Iterator[tuple[str, str]]:
    """(source name, ABC text) of every duple-metre tune with a key, in a fixed order."""
    root = corpus_dir()
    n = 0
    for folder, files in COLLECTIONS:
        paths = sorted((root / folder).glob("*.abc")) if files is None else [root / folder / f for f in files]
        for path in paths:
            text = path.read_text(encoding="latin-1")
            for i, tune in enumerate(split_tunes(text)):
                metre = (header_field(tune, "M") or "").replace(" ", "")
                if metre not in DUPLE or not header_field(tune, "K"):
                    continue
                yield f"{folder}/{path.name}#{i}", tune
                n += 1
                if limit is not None and n >= limit:
                    return


def extract(score: Any, metre: str) -> dict[str, Any] | None:
    """One parsed tune as {mode, tonic, notes: [[unit, position, length, midi]], chords: [[unit, pos, root, kind]]}.

    ``unit`` counts 4/4 units (a 4/4 or 2/2 bar, or two 2/4 bars), positions and
    lengths are in quarter notes; a pickup bar is aligned to the end of its unit.
    """
    from music21 import chord, harmony, key, note

    keys = list(score.recurse().getElementsByClass(key.KeySignature))
    if not keys:
        return None
    k = keys[0]
    k = k if isinstance(k, key.Key) else k.asKey("major")
    mode = MODE_OF.get(k.mode or "major")
    if mode is None:
        return None
    parts = list(score.parts) or [score]
    measures = list(parts[0].getElementsByClass("Measure"))
    if not measures:
        return None
    bar = DUPLE[metre]
    notes: list[list[float]] = []
    chords: list[list[Any]] = []
    beat = 0.0  # running position in quarters from the first full bar line
    first = True
    for m in measures:
        length = float(m.duration.quarterLength)
        if length <= 0:
            continue
        shift = bar - length if first and length < bar else 0.0
        first = False
        for el in m.recurse():
            if isinstance(el, harmony.ChordSymbol) and el.root() is not None:
                at = beat + shift + float(el.getOffsetInHierarchy(m))
                chords.append([int(at // 4), round(at % 4, 3), el.root().pitchClass, el.chordKind or "major"])
            elif isinstance(el, (note.Note, chord.Chord)):
                if el.duration.isGrace or el.duration.quarterLength <= 0:
                    continue
                at = beat + shift + float(el.getOffsetInHierarchy(m))
                pitch = max(p.midi for p in el.pitches)
                notes.append([int(at // 4), round(at % 4, 3), round(float(el.duration.quarterLength), 3), pitch])
        beat += length + shift
    if len(notes) < 8:
        return None
    return {"mode": mode, "tonic": k.tonic.pitchClass, "notes": notes, "chords": chords}


def parse_tune(text: str) -> dict[str, Any] | None:
    from music21 import converter
    from music21.exceptions21 import Music21Exception

    metre = (header_field(text, "M") or "").replace(" ", "")
    try:
        score = converter.parseData(text, format="abc")
    except (Music21Exception, ValueError, IndexError, KeyError, TypeError, AttributeError, ZeroDivisionError):
        return None  # a malformed tune (a few in O'Neill's and Ryan's books): skipped, counted by the caller
    if hasattr(score, "scores"):  # an Opus: the header held more than one tune
        scores = list(score.scores)
        if not scores:
            return None
        score = scores[0]
    return extract(score, metre)


def load_tunes(limit: int | None = None, *, use_cache: bool = True,
               progress: Callable[[int, str], None] | None = None) -> list[dict[str, Any]]:
    """All usable tunes (the cache is read and written only for the full corpus)."""
    path = cache_path()
    if use_cache and limit is None and path.exists():
        data = json.loads(path.read_text())
        if data.get("version") == CACHE_VERSION:
            return data["tunes"]
    tunes = []
    for i, (name, text) in enumerate(candidate_tunes(limit)):
        tune = parse_tune(text)
        if tune is not None:
            tune["name"] = name
            tunes.append(tune)
        if progress:
            progress(i + 1, name)
    if use_cache and limit is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"version": CACHE_VERSION, "tunes": tunes}))
        tmp.replace(path)
    return tunes
