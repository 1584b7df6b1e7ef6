"""Sampling four-part music from the trained chorale model."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from genloom.errors import CorruptWeights, WeightsMissing
from genloom.music.train import END, MODEL_VERSION, MODES, NO_ORNAMENT, START, default_model_path

REST = 127


@dataclass
class Piece:
    """Key-relative beats: ``beats[i]`` = (soprano, alto, tenor, bass) semitones from the tonic at C4."""

    mode: str
    beats: list[tuple[int, int, int, int]] = field(default_factory=list)
    attacks: list[int] = field(default_factory=list)
    phrase_ends: list[int] = field(default_factory=list)
    # (beat, voice) -> semitone offset of an eighth-note passing note in the second half of the beat
    passing: dict[tuple[int, int], int] = field(default_factory=dict)


class _Dist:
    __slots__ = ("nexts", "probs")

    def __init__(self, nexts: np.ndarray, counts: np.ndarray):
        self.nexts = nexts
        self.probs = counts / counts.sum()


class ComposerModel:
    def __init__(self, path: Path | None = None):
        path = Path(path or default_model_path())
        if not path.exists():
            raise WeightsMissing(f"Composer model {path} is missing", hint="run scripts/train_music.py")
        try:
            with np.load(path) as data:
                arrays = {k: data[k] for k in data.files}
        except (OSError, ValueError, KeyError) as exc:
            raise CorruptWeights(f"Composer model {path} is unreadable: {exc}", hint="run scripts/train_music.py") from None
        if int(arrays.get("version", [0])[0]) != MODEL_VERSION:
            raise CorruptWeights(f"Composer model {path} has an unsupported version", hint="run scripts/train_music.py")
        self.path = path
        self.n_chorales = int(arrays["n_chorales"][0])
        self.tokens = arrays["tokens"]
        self.bi: dict[tuple[int, int], _Dist] = self._group(arrays["bigrams"], 2)
        self.tri: dict[tuple[int, int, int], _Dist] = self._group(arrays["trigrams"], 3)
        self.phrase_lengths = {m: self._lengths(arrays["phrase_lengths"], m) for m in range(len(MODES))}
        self.ornaments: dict[tuple[int, int, int], _Dist] = self._group(arrays["ornaments"], 3)
        # Tokens that end a phrase on the tonic chord (bass on the tonic, soprano on a chord tone).
        bass, sop = self.tokens[:, 3] % 12, self.tokens[:, 0] % 12
        self.tonic_final = (bass == 0) & np.isin(sop, [0, 3, 4, 7]) & (self.tokens[:, 0] != REST)
        self.tonic_final[[START, END]] = False
        # Per mode, the tonic chords Bach actually ends phrases on (often the held second beat).
        self.cadence = {m: np.zeros(len(self.tokens), bool) for m in range(len(MODES))}
        for (m, prev), d in self.bi.items():
            if prev > END and self.tonic_final[prev] and (d.nexts == END).any():
                self.cadence[m][prev] = True
        self._lock = threading.Lock()

    @staticmethod
    def _group(rows: np.ndarray, key_width: int) -> dict:
        out = {}
        if rows.size == 0:
            return out
        keys = rows[:, :key_width]
        change = np.nonzero(np.any(keys[1:] != keys[:-1], axis=1))[0] + 1
        for chunk in np.split(rows, change):
            out[tuple(int(v) for v in chunk[0, :key_width])] = _Dist(chunk[:, key_width], chunk[:, key_width + 1].astype(np.float64))
        return out

    @staticmethod
    def _lengths(rows: np.ndarray, mode: int) -> _Dist:
        sel = rows[(rows[:, 0] == mode) & (rows[:, 1] >= 4) & (rows[:, 1] <= 16)]
        return _Dist(sel[:, 1], sel[:, 2].astype(np.float64))

    # -- sampling -------------------------------------------------------------------------------
    def _dist(self, mode: int, p2: int, p1: int, novelty: float) -> tuple[np.ndarray, np.ndarray]:
        bi = self.bi.get((mode, p1)) or self.bi.get((mode, END))
        tri = self.tri.get((mode, p2, p1))
        if tri is None or bi is None:
            d = tri or bi
            return d.nexts, d.probs
        nexts = np.union1d(tri.nexts, bi.nexts)
        probs = np.zeros(nexts.size)
        probs[np.searchsorted(nexts, tri.nexts)] += (1 - novelty) * tri.probs
        probs[np.searchsorted(nexts, bi.nexts)] += novelty * bi.probs
        return nexts, probs

    def sample(self, mode: str, n_beats: int, rng: np.random.Generator, novelty: float = 0.3,
               busyness: float = 1.0, tries: int = 8) -> Piece:
        """About ``n_beats`` beats in phrases ending at cadences, the last one on the tonic.

        Phrase lengths are the model's own, so a draw rarely lands exactly on the
        requested length: of ``tries`` draws the closest is kept.
        """
        best: Piece | None = None
        for _ in range(max(1, tries)):
            piece = self._sample_once(mode, n_beats, rng, novelty)
            if best is None or abs(len(piece.beats) - n_beats) < abs(len(best.beats) - n_beats):
                best = piece
            if abs(len(best.beats) - n_beats) <= 1:
                break
        assert best is not None
        self._ornament(best, MODES.index(mode), rng, busyness)
        return best

    def _sample_once(self, mode: str, n_beats: int, rng: np.random.Generator, novelty: float) -> Piece:
        m = MODES.index(mode)
        cadence = self.cadence[m]
        piece = Piece(mode=mode)
        seq: list[int] = []
        p2, p1 = START, START
        target = self._phrase_target(m, rng)
        in_phrase = 0
        while True:
            nexts, probs = self._dist(m, p2, p1, novelty)
            probs = probs.copy()
            end_at = np.nonzero(nexts == END)[0]
            remaining = n_beats - len(seq)
            final = remaining <= max(4, target // 2)
            if end_at.size:
                i = end_at[0]
                if in_phrase < min(3, target - 1) or (final and not cadence[p1]):
                    probs[i] = 0.0
                elif in_phrase >= target or (final and remaining <= 0):
                    probs[i] *= 50.0
            if final and remaining <= 2:
                # Near or past the requested length: steer toward chords that close on the tonic.
                probs[self.tonic_final[nexts]] *= 10.0
                probs[cadence[nexts]] *= 10.0
            if probs.sum() <= 0 or len(seq) > n_beats + 16:
                break
            tok = int(rng.choice(nexts, p=probs / probs.sum()))
            if tok == END:
                piece.phrase_ends.append(len(seq) - 1)
                if final:
                    break
                p2, p1 = p1, END
                in_phrase = 0
                target = self._phrase_target(m, rng)
                continue
            seq.append(tok)
            p2, p1 = p1, tok
            in_phrase += 1
        if not seq or not cadence[seq[-1]]:
            seq.append(self._final_chord(m))
            piece.phrase_ends.append(len(seq) - 1)
        for tok in seq:
            row = self.tokens[tok]
            piece.beats.append(tuple(int(v) for v in row[:4]))  # type: ignore[arg-type]
            piece.attacks.append(int(row[4]))
        piece.attacks[0] = 0b1111
        return piece

    def _phrase_target(self, mode: int, rng: np.random.Generator) -> int:
        d = self.phrase_lengths[mode]
        return int(rng.choice(d.nexts, p=d.probs)) if d.nexts.size else 8

    def _final_chord(self, mode: int) -> int:
        """The most common phrase-final tonic chord of this mode."""
        best, count = None, -1.0
        for (m, prev), d in self.bi.items():
            if m != mode or not self.cadence[mode][prev]:
                continue
            hit = d.nexts == END
            if hit.any() and d.probs[hit][0] * 1.0 > 0:
                c = float(d.probs[hit][0])
                if c > count:
                    best, count = prev, c
        if best is None:
            raise CorruptWeights("Composer model has no tonic cadence", hint="run scripts/train_music.py")
        return best

    def _ornament(self, piece: Piece, mode: int, rng: np.random.Generator, busyness: float) -> None:
        beats, attacks = piece.beats, piece.attacks
        ends = set(piece.phrase_ends)
        for b in range(len(beats) - 1):
            if b in ends:
                continue
            for v in range(4):
                bit = 1 << v
                if not (attacks[b] & bit and attacks[b + 1] & bit) or REST in (beats[b][v], beats[b + 1][v]):
                    continue
                interval = max(-12, min(12, beats[b + 1][v] - beats[b][v]))
                d = self.ornaments.get((mode, v, interval))
                if d is None:
                    continue
                has = d.nexts != NO_ORNAMENT
                p_any = float(d.probs[has].sum())
                if p_any <= 0 or rng.random() >= min(1.0, p_any * busyness):
                    continue
                offs, probs = d.nexts[has], d.probs[has]
                piece.passing[(b, v)] = int(rng.choice(offs, p=probs / probs.sum()))


_cache: dict[Path, ComposerModel] = {}
_cache_lock = threading.Lock()


def load_model(path: Path | None = None) -> ComposerModel:
    path = Path(path or default_model_path())
    with _cache_lock:
        model = _cache.get(path)
        if model is None:
            model = _cache[path] = ComposerModel(path)
        return model
