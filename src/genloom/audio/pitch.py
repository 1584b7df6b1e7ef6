"""Fundamental frequency (F0) of speech: ``median_f0(samples, rate)``.

A YIN-style estimator (cumulative-mean-normalized difference function) over
40 ms frames, keeping only frames that are clearly voiced. Used to measure
the voices genloom ships (their cards carry the result) and, in the tests,
to check that "a low male voice" really came out low.
"""

from __future__ import annotations

import numpy as np

from genloom.audio.dsp import resample

_RATE = 16000
_THRESHOLD = 0.15  # YIN's aperiodicity threshold: below it a frame counts as voiced


def frame_f0(samples: np.ndarray, rate: int, fmin: float = 60.0, fmax: float = 400.0,
             frame_s: float = 0.04, hop_s: float = 0.01) -> np.ndarray:
    """F0 in Hz of each voiced frame (unvoiced and silent frames are left out)."""
    x = resample(np.asarray(samples, dtype=np.float32), rate, _RATE) if rate != _RATE else np.asarray(samples,
                                                                                                      np.float32)
    frame, hop = int(frame_s * _RATE), int(hop_s * _RATE)
    lo, hi = int(_RATE / fmax), int(_RATE / fmin)
    if x.size < frame + hi:
        return np.zeros(0)
    level = np.sqrt(np.mean(x ** 2)) if x.size else 0.0
    starts = np.arange(0, x.size - frame - hi, hop)
    out = []
    for s in starts:
        w = x[s:s + frame + hi]
        if np.sqrt(np.mean(w[:frame] ** 2)) < 0.3 * level:
            continue  # a pause or a quiet consonant
        # Difference function d(tau) = sum (x[t] - x[t+tau])^2 via energies and a correlation.
        a = w[:frame]
        corr = np.correlate(w, a, mode="valid")[:hi + 1]
        energy = np.concatenate([[0.0], np.cumsum(w ** 2)])
        e0 = energy[frame] - energy[0]
        et = energy[np.arange(hi + 1) + frame] - energy[np.arange(hi + 1)]
        d = e0 + et - 2 * corr
        d[0] = 0.0
        cmnd = d[1:] * np.arange(1, hi + 1) / np.maximum(np.cumsum(d[1:]), 1e-12)
        cand = np.where(cmnd[lo - 1:] < _THRESHOLD)[0]
        if cand.size == 0:
            continue
        i = cand[0] + lo - 1  # cmnd[i] is the lag tau = i + 1
        while i + 1 < cmnd.size and cmnd[i + 1] < cmnd[i]:  # walk down to the local minimum
            i += 1
        out.append(_RATE / (i + 1))
    return np.asarray(out)


def median_f0(samples: np.ndarray, rate: int, fmin: float = 60.0, fmax: float = 400.0) -> float:
    """Median F0 in Hz over the voiced frames; 0.0 when nothing is voiced."""
    f0 = frame_f0(samples, rate, fmin, fmax)
    return float(np.median(f0)) if f0.size else 0.0
