"""Signal helpers in plain numpy: resampling and click-free joining.

Kept free of scipy on purpose: the audio extra stays light, and these two
operations are all the generators need.
"""

from __future__ import annotations

from collections.abc import Iterable
from math import gcd

import numpy as np

_TAPS = 16  # sinc zero-crossings kept on each side: ~-60 dB stop band with the Kaiser window


def resample(x: np.ndarray, sr_in: int, sr_out: int) -> np.ndarray:
    """Band-limited resampling by a rational factor (windowed-sinc polyphase filter).

    The filter cuts at the lower Nyquist frequency, so downsampling (24 kHz
    speech to the 16 kHz a recogniser wants) does not alias.
    """
    x = np.asarray(x, dtype=np.float32)
    if sr_in == sr_out or x.size == 0:
        return x.copy()
    g = gcd(sr_in, sr_out)
    up, down = sr_out // g, sr_in // g
    n_out = int(np.ceil(x.size * up / down))
    cutoff = min(1.0, up / down)  # relative to the input Nyquist
    # Output sample j sits at input position j*down/up; its phase repeats every `up` outputs.
    phases = (np.arange(up) * down) % up / up
    k = np.arange(-_TAPS + 1, _TAPS + 1)
    t = k[None, :] - phases[:, None]
    win = np.kaiser(2 * _TAPS, 8.0)[None, :]
    table = (cutoff * np.sinc(cutoff * t) * win).astype(np.float32)  # (up, 2*TAPS)
    padded = np.concatenate([np.zeros(_TAPS, np.float32), x, np.zeros(_TAPS + 1, np.float32)])
    out = np.empty(n_out, np.float32)
    block = 1 << 15
    for start in range(0, n_out, block):
        j = np.arange(start, min(n_out, start + block))
        base = (j * down) // up
        idx = base[:, None] + k[None, :] + _TAPS
        out[start:start + j.size] = np.einsum("ij,ij->i", padded[idx], table[j % up])
    return out


def fade(x: np.ndarray, sample_rate: int, ms: float = 5.0) -> np.ndarray:
    """Raised-cosine fade in and out, so a clip starts and ends at zero (no click)."""
    x = np.array(x, dtype=np.float32, copy=True)
    n = min(int(sample_rate * ms / 1000), x.size // 2)
    if n > 0:
        ramp = (0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, n, dtype=np.float32))).astype(np.float32)
        x[:n] *= ramp
        x[-n:] *= ramp[::-1]
    return x


def silence(sample_rate: int, seconds: float) -> np.ndarray:
    return np.zeros(max(0, int(round(sample_rate * seconds))), np.float32)


def join(clips: Iterable[np.ndarray], sample_rate: int, gap_s: float = 0.12, fade_ms: float = 5.0) -> np.ndarray:
    """Concatenate clips with short fades and a pause between them.

    Sentences synthesized separately rarely start or end exactly at zero; a hard
    cut there is an audible click, a few milliseconds of fade removes it.
    """
    parts: list[np.ndarray] = []
    gap = silence(sample_rate, gap_s)
    for clip in clips:
        if clip.size == 0:
            continue
        if parts and gap.size:
            parts.append(gap)
        parts.append(fade(clip, sample_rate, fade_ms))
    return np.concatenate(parts) if parts else np.zeros(0, np.float32)


def max_jump(x: np.ndarray) -> float:
    """Largest sample-to-sample step: a click shows up as a jump far above the signal's norm."""
    return float(np.max(np.abs(np.diff(x)))) if x.size > 1 else 0.0
