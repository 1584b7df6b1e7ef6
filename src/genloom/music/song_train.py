"""Training the song model: melody, rhythm and harmony statistics counted from real music.

Inputs are the two cached corpora: folk tunes (:mod:`genloom.music.tunes`) and
Bach chorales (:mod:`genloom.music.corpus`). Every table is a count, per mode
(major/minor), so training is deterministic and ``scripts/train_songs.py
--check`` can prove the committed ``song_model.npz`` is reproduced.

* ``mel_tri``: melody trigrams over scale degrees (tonic = 0, -8..15), from the tunes.
* ``rhy_bi`` / ``rhy_end``: onset patterns of a 4/4 bar on an eighth-note grid
  (8 bits), bar to bar, and the patterns tunes end on, from the tunes.
* ``chord_bar``: bar-to-bar chord transitions of the tunes' harmony (the Nottingham
  tunes' chord symbols where given, else the triad that best explains each bar's
  melody, with the chorales' chord frequencies as the prior).
* ``chord_change``: chord-to-chord transitions of the chorales (each beat's chord
  named from its four voices; repeats merged).
* ``mel_fit``: how the chorale soprano sits on the chord: interval above the root,
  on the beat and for the passing eighths between beats.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from genloom.music.harmony import (
    DIM,
    MAJOR,
    MINOR,
    N_CHORDS,
    SCALES,
    best_chord,
    interval_above_root,
    pc_weights,
    state,
)

SONG_MODEL_VERSION = 1
MODES = ("major", "minor")
DEG_LOW, DEG_HIGH = -8, 15
N_DEG = DEG_HIGH - DEG_LOW + 1
DEG_START = N_DEG  # the context before a tune's first note
N_PATTERNS = 256  # onsets on the 8 eighth-note slots of a bar
PATTERN_START = N_PATTERNS
BOUNDARY = N_CHORDS  # start/end of a chord sequence
CHORD_KINDS = {"major": MAJOR, "dominant-seventh": MAJOR, "major-seventh": MAJOR, "dominant-ninth": MAJOR,
               "major-sixth": MAJOR, "suspended-fourth": MAJOR, "minor": MINOR, "minor-seventh": MINOR,
               "minor-sixth": MINOR, "diminished": DIM, "diminished-seventh": DIM, "half-diminished": DIM}


def default_song_model_path() -> Path:
    return Path(__file__).with_name("song_model.npz")


def to_degree(semitones: int, mode: str) -> int:
    """Scale degree (tonic 0, next octave's tonic 7) of a tonic-relative pitch; chromatic notes round down."""
    octave, pc = divmod(semitones, 12)
    scale = SCALES[mode]
    step = max(i for i, s in enumerate(scale) if s <= pc)
    return octave * 7 + step


def degree_index(deg: int) -> int:
    return min(DEG_HIGH, max(DEG_LOW, deg)) - DEG_LOW


def bar_pattern(positions: list[float]) -> int:
    mask = 0
    for pos in positions:
        slot = int(round(pos * 2))
        if 0 <= slot < 8:
            mask |= 1 << slot
    return mask


def tune_key(tune: dict[str, Any]) -> tuple[int, str]:
    """(tonic, mode) of a tune: its written key, unless it ends on the written major key's sixth or second
    degree. Folk tunes end on their tonic, and some are written with the signature of the relative major
    (an A minor or E dorian song under "K:G"): there the final note names the minor-mode tonic. (Endings on
    the third or fifth are kept as written: major songs end there too.)"""
    tonic, mode = int(tune["tonic"]), tune["mode"]
    if mode != "major":
        return tonic, mode
    final = int(tune["notes"][-1][3]) % 12
    step = (final - tonic) % 12
    if step in (9, 2):  # aeolian, dorian
        return final, "minor"
    return tonic, mode


def _chorale_chords(grid: dict[str, Any]) -> list[int]:
    chords = []
    for row in grid["beats"]:
        voices = [v for v in row if v != 127]
        if not voices:
            chords.append(-1)
            continue
        chords.append(best_chord(pc_weights((v, 1.0) for v in voices), bass=row[3] if row[3] != 127 else None))
    return chords


def _tune_units(tune: dict[str, Any]) -> dict[int, list[list[float]]]:
    units: dict[int, list[list[float]]] = {}
    for note in tune["notes"]:
        units.setdefault(int(note[0]), []).append(note)
    return units


def _bar_chord(notes: list[list[float]], tonic: int, log_prior: np.ndarray) -> int:
    def weight(pos: float, length: float) -> float:
        return min(length, 2.0) * (1.5 if pos % 2 == 0 else 1.0 if pos % 1 == 0 else 0.6)

    return best_chord(pc_weights((int(n[3]) - tonic, weight(n[1], n[2])) for n in notes), log_prior)


def build(tunes: list[dict[str, Any]], chorales: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    mel_tri = np.zeros((2, N_DEG + 1, N_DEG + 1, N_DEG), np.int32)
    mel_fit = np.zeros((2, 2, 12), np.int32)
    rhy_bi = np.zeros((N_PATTERNS + 1, N_PATTERNS), np.int32)
    rhy_end = np.zeros(N_PATTERNS, np.int32)
    chord_bar = np.zeros((2, N_CHORDS + 1, N_CHORDS + 1), np.int32)
    chord_change = np.zeros((2, N_CHORDS + 1, N_CHORDS + 1), np.int32)
    chord_uni = np.zeros((2, N_CHORDS), np.int32)

    for grid in chorales:
        m = MODES.index(grid["mode"]) if grid["mode"] in MODES else 0
        chords = _chorale_chords(grid)
        passing = {(b, v): off for b, v, off in grid["ornaments"]}
        for b, (row, ch) in enumerate(zip(grid["beats"], chords, strict=True)):
            if ch < 0:
                continue
            chord_uni[m, ch] += 1
            if row[0] != 127:
                mel_fit[m, 0, interval_above_root(row[0], ch)] += 1
                if (b, 0) in passing:
                    mel_fit[m, 1, interval_above_root(row[0] + passing[(b, 0)], ch)] += 1
        seq = [c for i, c in enumerate(chords) if c >= 0 and (i == 0 or c != chords[i - 1])]
        for a, b in zip([BOUNDARY, *seq], [*seq, BOUNDARY], strict=True):
            chord_change[m, a, b] += 1

    # Per mode: in a minor tune, an ambiguous bar (A and E only, in A minor) is the minor tonic.
    log_prior = np.log((chord_uni + 1.0) / (chord_uni.sum(axis=1, keepdims=True) + N_CHORDS))
    for tune in tunes:
        tonic, mode = tune_key(tune)
        m = MODES.index(mode)
        notes = tune["notes"]
        # The octave of the final note's tonic is degree 0 (tunes end on or near the tonic).
        last = int(notes[-1][3]) - tonic
        ref = 12 * round(last / 12)
        degs = [degree_index(to_degree(int(n[3]) - tonic - ref, mode)) for n in notes]
        ctx = [DEG_START, DEG_START, *degs]
        for i in range(len(degs)):
            mel_tri[m, ctx[i], ctx[i + 1], degs[i]] += 1
        units = _tune_units(tune)
        given = {(int(c[0]), float(c[1])): c for c in tune.get("chords", [])}
        prev_pat, prev_chord = PATTERN_START, BOUNDARY
        for u in range(min(units), max(units) + 1):
            bar = units.get(u, [])
            pattern = bar_pattern([n[1] for n in bar])
            rhy_bi[prev_pat, pattern] += 1
            prev_pat = pattern
            if not bar:
                continue
            symbol = given.get((u, 0.0))
            if symbol is not None and symbol[3] in CHORD_KINDS:
                chord = state(int(symbol[2]) - tonic, CHORD_KINDS[symbol[3]])
            else:
                chord = _bar_chord(bar, tonic, log_prior[m])
            chord_bar[m, prev_chord, chord] += 1
            prev_chord = chord
        chord_bar[m, prev_chord, BOUNDARY] += 1
        rhy_end[prev_pat] += 1

    return {
        "version": np.asarray([SONG_MODEL_VERSION], np.int32),
        "n_tunes": np.asarray([len(tunes)], np.int32),
        "n_chorales": np.asarray([len(chorales)], np.int32),
        "mel_tri": mel_tri, "mel_fit": mel_fit, "rhy_bi": rhy_bi, "rhy_end": rhy_end,
        "chord_bar": chord_bar, "chord_change": chord_change, "chord_uni": chord_uni,
    }


def save(model: dict[str, np.ndarray], path: Path) -> Path:
    import io

    from genloom.store.files import atomic_write_bytes

    buf = io.BytesIO()
    np.savez_compressed(buf, **model)
    atomic_write_bytes(Path(path), buf.getvalue())
    return Path(path)
