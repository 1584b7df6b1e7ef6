"""Training the composer: counting a key-relative trigram model over chorale beats.

A token is one beat of four-part harmony: the soprano, alto, tenor and bass
pitches relative to the tonic, plus which voices strike on that beat. Melody
and harmony are therefore modelled jointly, voice leading included. Per mode
(major/minor) the model stores trigram and bigram counts (sampling
interpolates them: the bigram share is the "novelty"), phrase lengths between
fermatas, and per voice the eighth-note passing notes Bach writes for each
melodic interval. Counting is deterministic: the same corpus gives the same file.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

MODEL_VERSION = 1
START, END = 0, 1
MODES = ("major", "minor")
NO_ORNAMENT = 99


def default_model_path() -> Path:
    return Path(__file__).with_name("bach_composer.npz")


def build(chorales: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    """Count the model from corpus grids (see :func:`genloom.music.corpus.extract`)."""
    vocab: dict[tuple[int, ...], int] = {}
    bigrams: Counter[tuple[int, int, int]] = Counter()
    trigrams: Counter[tuple[int, int, int, int]] = Counter()
    phrase_lengths: Counter[tuple[int, int]] = Counter()
    ornaments: Counter[tuple[int, int, int, int]] = Counter()
    for grid in chorales:
        mode = MODES.index(grid["mode"]) if grid["mode"] in MODES else 0
        ends = set(grid["phrase_ends"])
        seq: list[int] = [START, START]
        run = 0
        for b, (row, mask) in enumerate(zip(grid["beats"], grid["attacks"], strict=True)):
            tok = vocab.setdefault((*row, mask), len(vocab) + 2)
            seq.append(tok)
            run += 1
            if b in ends or b == len(grid["beats"]) - 1:
                seq.append(END)
                phrase_lengths[(mode, run)] += 1
                run = 0
        for i in range(2, len(seq)):
            bigrams[(mode, seq[i - 1], seq[i])] += 1
            trigrams[(mode, seq[i - 2], seq[i - 1], seq[i])] += 1
        passing = {(b, v): off for b, v, off in grid["ornaments"]}
        beats, attacks = grid["beats"], grid["attacks"]
        for b in range(len(beats) - 1):
            for v in range(4):
                bit = 1 << v
                if not (attacks[b] & bit and attacks[b + 1] & bit) or 127 in (beats[b][v], beats[b + 1][v]):
                    continue
                interval = max(-12, min(12, beats[b + 1][v] - beats[b][v]))
                ornaments[(mode, v, interval, passing.get((b, v), NO_ORNAMENT))] += 1
    tokens = np.zeros((len(vocab) + 2, 5), np.int16)
    for tok, i in vocab.items():
        tokens[i] = tok

    def table(counter: Counter[Any], width: int) -> np.ndarray:
        rows = sorted((*k, c) for k, c in counter.items())
        return np.asarray(rows, np.int32).reshape(-1, width + 1)

    return {
        "version": np.asarray([MODEL_VERSION], np.int32),
        "n_chorales": np.asarray([len(chorales)], np.int32),
        "tokens": tokens,
        "bigrams": table(bigrams, 3),
        "trigrams": table(trigrams, 4),
        "phrase_lengths": table(phrase_lengths, 2),
        "ornaments": table(ornaments, 4),
    }


def save(model: dict[str, np.ndarray], path: Path) -> Path:
    import io

    from genloom.store.files import atomic_write_bytes

    buf = io.BytesIO()
    np.savez_compressed(buf, **model)
    atomic_write_bytes(Path(path), buf.getvalue())
    return Path(path)
