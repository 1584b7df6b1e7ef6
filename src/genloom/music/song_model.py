"""Sampling from the trained song tables: chord progressions, bar rhythms and melody degrees.

The tables are counts (see :mod:`genloom.music.song_train`); here they become
probabilities with add-k smoothing and back-off (trigram -> bigram -> unigram for
melody), and genres shape them with a temperature and a few weights (a rhythm
density, fewer repeated chords in loop-based genres) rather than with lists of
hand-picked chords or tunes.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from genloom.errors import CorruptWeights, WeightsMissing
from genloom.music.harmony import N_CHORDS, SCALES, chord_pcs, interval_above_root
from genloom.music.song_train import (
    BOUNDARY,
    DEG_LOW,
    MODES,
    N_DEG,
    N_PATTERNS,
    PATTERN_START,
    SONG_MODEL_VERSION,
    default_song_model_path,
)

_POPCOUNT = np.array([bin(p).count("1") for p in range(N_PATTERNS)])


def degree_to_semitones(deg: int, mode: str) -> int:
    octave, step = divmod(deg, 7)
    return octave * 12 + SCALES[mode][step]


def _normalize(rows: np.ndarray) -> np.ndarray:
    total = rows.sum(axis=-1, keepdims=True)
    return np.divide(rows, total, out=np.zeros_like(rows), where=total > 0)


class SongModel:
    def __init__(self, path: Path | None = None):
        path = Path(path or default_song_model_path())
        if not path.exists():
            raise WeightsMissing(f"Song model {path} is missing", hint="run scripts/train_songs.py")
        try:
            with np.load(path) as data:
                arrays = {k: data[k] for k in data.files}
        except (OSError, ValueError) as exc:
            raise CorruptWeights(f"Song model {path} is unreadable: {exc}", hint="run scripts/train_songs.py") from None
        if int(arrays.get("version", [0])[0]) != SONG_MODEL_VERSION:
            raise CorruptWeights(f"Song model {path} has an unsupported version", hint="run scripts/train_songs.py")
        self.path = path
        self.n_tunes = int(arrays["n_tunes"][0])
        self.n_chorales = int(arrays["n_chorales"][0])
        tri = arrays["mel_tri"].astype(np.float64)
        self.mel_tri = tri
        self.mel_bi = tri.sum(axis=1)  # (mode, previous degree, next degree)
        self.mel_uni = tri.sum(axis=(1, 2))
        self.mel_fit = _normalize(arrays["mel_fit"].astype(np.float64) + 1.0)
        self.rhy_bi = arrays["rhy_bi"].astype(np.float64)
        self.rhy_uni = self.rhy_bi.sum(axis=0)
        self.rhy_end = arrays["rhy_end"].astype(np.float64)
        self.chords = {"bar": arrays["chord_bar"].astype(np.float64),
                       "change": arrays["chord_change"].astype(np.float64)}
        if self.mel_uni.sum() == 0 or self.rhy_uni.sum() == 0 or self.chords["bar"].sum() == 0:
            raise CorruptWeights(f"Song model {path} is empty", hint="run scripts/train_songs.py")

    # -- harmony --------------------------------------------------------------------------------
    def transitions(self, mode: str, source: str, *, repeat: float = 1.0, fifths: float = 0.0,
                    temperature: float = 1.0) -> np.ndarray:
        """(37, 37) chord transition probabilities; index 36 is the start/end of a piece.

        ``repeat`` scales staying on the same chord; ``fifths`` favours roots falling a
        fifth (the motion jazz harmony is built on); ``temperature`` flattens (>1) or
        sharpens (<1) the learned distribution.
        """
        m = MODES.index(mode)
        counts = self.chords[source][m] + 0.05
        counts[:, :N_CHORDS] *= (self.chords[source][m][:, :N_CHORDS].sum(axis=0) > 0)  # only chords seen
        probs = _normalize(counts) ** (1.0 / temperature)
        idx = np.arange(N_CHORDS)
        probs[idx, idx] *= repeat
        if fifths:
            roots = idx // 3
            falling = ((roots[:, None] - roots[None, :]) % 12) == 7
            probs[:N_CHORDS, :N_CHORDS] *= np.where(falling, 1.0 + fifths, 1.0)
        return _normalize(probs)

    def progression(self, trans: np.ndarray, n: int, rng: np.random.Generator, *, first: int | None = None,
                    last: int | None = None, loop: bool = False) -> list[int]:
        """``n`` chords: optionally starting on ``first`` and ending on ``last``; ``loop`` makes the last
        chord lead back to the first. Each step looks one chord ahead so the ending is reachable."""
        chords: list[int] = []
        prev = BOUNDARY
        for i in range(n):
            if i == 0 and first is not None:
                chords.append(first)
                prev = first
                continue
            if i == n - 1 and last is not None:
                chords.append(last)
                break
            p = trans[prev, :N_CHORDS].copy()
            target = last if (i == n - 2 and last is not None) else (chords[0] if loop and i == n - 1 and chords else None)
            if target is not None:
                p *= trans[:N_CHORDS, target] + 1e-6
                if loop and i == n - 1:
                    p[target] *= 0.1  # a loop that returns on its own first chord repeats it
            if p.sum() <= 0:
                p = trans[BOUNDARY, :N_CHORDS].copy()
            nxt = int(rng.choice(N_CHORDS, p=p / p.sum()))
            chords.append(nxt)
            prev = nxt
        return chords

    def cadence_chord(self, mode: str, source: str, tonic: int) -> int:
        """The chord the corpus most often moves to the tonic from (the dominant, as learned)."""
        into = self.chords[source][MODES.index(mode)][:N_CHORDS, tonic].copy()
        into[tonic] = 0.0
        into[2::3] = 0.0  # a diminished chord before the final tonic sounds unfinished without its bass
        return int(np.argmax(into))

    # -- rhythm ---------------------------------------------------------------------------------
    def bar_rhythm(self, prev: int | None, rng: np.random.Generator, density: float, spread: float = 1.5,
                   final: bool = False) -> int:
        """An 8-slot onset pattern following ``prev`` (None: a phrase start), reweighted toward ``density``
        notes a bar; ``final`` draws from the patterns tunes end on."""
        if final:
            p = self.rhy_end.copy()
        else:
            p = self.rhy_bi[PATTERN_START if prev is None else prev].copy()
            if p.sum() == 0:
                p = self.rhy_uni.copy()
        p *= np.exp(-((_POPCOUNT - density) ** 2) / (2 * spread**2))
        p[0] *= 0.2  # silent bars are rare in a melody line
        if not final:
            p *= np.where(np.arange(N_PATTERNS) & 1, 1.0, 0.35)  # most bars strike their downbeat
        if p.sum() <= 0:
            p = self.rhy_uni.copy()
        return int(rng.choice(N_PATTERNS, p=p / p.sum()))

    # -- melody ---------------------------------------------------------------------------------
    def next_degree(self, mode: str, d2: int, d1: int, chord: int, strong: bool, rng: np.random.Generator,
                    low: int, high: int, temperature: float = 1.0, target: int | None = None) -> int:
        """A melody degree (tonic 0) after ``d2, d1`` (None-safe: pass ``DEG_START``) over ``chord``."""
        m = MODES.index(mode)
        p = self.mel_tri[m, d2, d1].copy()
        if p.sum() < 3:
            p = self.mel_bi[m, d1].copy() + 0.2 * p
        if p.sum() == 0:
            p = self.mel_uni[m].copy()
        p = (p + 0.01 * self.mel_uni[m] / self.mel_uni[m].sum()) ** (1.0 / temperature)
        degs = np.arange(N_DEG) + DEG_LOW
        pcs = np.array([degree_to_semitones(int(d), mode) % 12 for d in degs])
        fit = self.mel_fit[m, 0 if strong else 1][[interval_above_root(int(pc), chord) for pc in pcs]]
        p *= fit ** (1.5 if strong else 0.7)
        p *= (degs >= low) & (degs <= high)
        if target is not None:
            p *= np.exp(-np.abs(np.arange(N_DEG) - target) * 0.6)  # target is an index, like the result
        if p.sum() <= 0:
            return int(np.clip(0, low, high)) - DEG_LOW
        return int(rng.choice(N_DEG, p=p / p.sum()))


def melody_pitch(deg: int, mode: str, chord: int, base: int) -> int:
    """The MIDI pitch of degree ``deg`` over ``chord``: a scale note a semitone from a chord tone it
    clashes with takes the chord's note (the raised seventh over a minor key's major V, say)."""
    semis = degree_to_semitones(deg, mode)
    pcs = chord_pcs(chord)
    pc = semis % 12
    if pc not in pcs:
        for shift in (1, -1):
            other = (pc + shift) % 12
            if other in pcs and other not in SCALES[mode]:
                return base + semis + shift
    return base + semis


_cache: dict[Path, SongModel] = {}
_lock = threading.Lock()


def load_song_model(path: Path | None = None) -> SongModel:
    path = Path(path or default_song_model_path())
    with _lock:
        model = _cache.get(path)
        if model is None:
            model = _cache[path] = SongModel(path)
        return model
