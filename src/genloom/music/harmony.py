"""Chords as the song model sees them: 36 triads (12 roots x major/minor/diminished), key-relative.

A chord state is ``root * 3 + quality`` with the root in semitones above the
tonic. Training names the chord of a beat or a bar by template matching
(:func:`best_chord`); composing turns a state back into pitches
(:func:`chord_pcs`, :func:`voicing`) with the extensions a genre adds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

MAJOR, MINOR, DIM = 0, 1, 2
QUALITIES = ("maj", "min", "dim")
N_CHORDS = 36
TRIADS = {MAJOR: (0, 4, 7), MINOR: (0, 3, 7), DIM: (0, 3, 6)}
SCALES = {"major": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 10)}


def state(root: int, quality: int) -> int:
    return (root % 12) * 3 + quality


def root_of(s: int) -> int:
    return s // 3


def quality_of(s: int) -> int:
    return s % 3


def chord_pcs(s: int, seventh: str | None = None) -> tuple[int, ...]:
    """Key-relative pitch classes of chord ``s``; ``seventh`` adds "maj7", "7" (dominant) or "auto"."""
    root, q = root_of(s), quality_of(s)
    pcs = [(root + i) % 12 for i in TRIADS[q]]
    if seventh:
        if seventh == "auto":
            # Diatonic sevenths: maj7 on I and IV, dominant on V (and on chromatic major chords), m7, m7b5.
            seventh = "maj7" if q == MAJOR and root in (0, 5, 3, 8) else ("7" if q == MAJOR else "m7")
        pcs.append((root + (11 if seventh == "maj7" else 10)) % 12)
    return tuple(pcs)


def template_scores(weights: np.ndarray) -> np.ndarray:
    """Score of each of the 36 chords for a 12-bin key-relative pitch-class weight vector."""
    scores = np.zeros(N_CHORDS)
    for s in range(N_CHORDS):
        root, q = root_of(s), quality_of(s)
        fit = np.full(12, -0.6)
        for i in TRIADS[q]:
            fit[(root + i) % 12] = 1.0 if i == 0 else 0.9
        scores[s] = float(weights @ fit)
    return scores


def best_chord(weights: np.ndarray, log_prior: np.ndarray | None = None, bass: int | None = None) -> int:
    """The chord that explains a weighted pitch-class set best (a prior and a bass note break ties)."""
    scores = template_scores(weights)
    if log_prior is not None:
        scores = scores + 0.35 * log_prior
    if bass is not None:
        for s in range(N_CHORDS):
            if root_of(s) == bass % 12:
                scores[s] += 0.5
    return int(np.argmax(scores))


def pc_weights(pcs: Iterable[tuple[int, float]]) -> np.ndarray:
    w = np.zeros(12)
    for pc, weight in pcs:
        w[pc % 12] += weight
    return w


def interval_above_root(pc: int, s: int) -> int:
    return (pc - root_of(s)) % 12


def voicing(pcs: Sequence[int], center: int, low: int, high: int) -> list[int]:
    """Close-position pitches of ``pcs`` (tonic-relative, already transposed) nearest to ``center``."""
    best: list[int] | None = None
    best_cost = 1e9
    for bottom in range(low, high - 6):
        if bottom % 12 not in [p % 12 for p in pcs]:
            continue
        notes = [bottom]
        for pc in pcs:
            if pc % 12 == bottom % 12:
                continue
            up = bottom + ((pc - bottom) % 12)
            notes.append(up)
        notes.sort()
        if notes[-1] > high:
            continue
        cost = abs(sum(notes) / len(notes) - center)
        if cost < best_cost:
            best, best_cost = notes, cost
    return best if best is not None else sorted(center - 6 + ((p - center) % 12) for p in pcs)


# Krumhansl-Kessler key profiles (probe-tone ratings of each pitch class in a major and a minor key).
KEY_PROFILES = {
    "major": np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88]),
    "minor": np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17]),
}


def key_margin(chords: Sequence[int], mode: str) -> float:
    """How much better the chords' pitch classes fit the intended key (tonic 0, ``mode``) than any other
    of the 24 keys (correlation with the key profiles); > 0 when a listener would hear that key."""
    hist = np.zeros(12)
    for s in chords:
        for k, pc in enumerate(chord_pcs(s)):
            hist[pc] += 2.0 if k == 0 else 1.0
    best_other = -2.0
    mine = 0.0
    for m, profile in KEY_PROFILES.items():
        for tonic in range(12):
            r = float(np.corrcoef(hist, np.roll(profile, tonic))[0, 1])
            if tonic == 0 and m == mode:
                mine = r
            else:
                best_other = max(best_other, r)
    return mine - best_other
