"""Measurable properties of a sound file, used by ``bench/sound.py`` and the tests.

Each sound id has one :data:`CHECKS` entry: a property computed from the
samples alone and the range a real sound of that kind has (a clock's ticks
come at a steady period, brown noise falls 6 dB per octave, thunder is mostly
below 300 Hz and comes in bursts...). Plus :func:`loop_seam`, which compares
the jump across the loop point with the jumps inside the file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


def psd(x: np.ndarray, sr: int, frame: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    """Welch power spectrum: (frequencies, mean power per bin) over Hann-windowed half-overlapping frames."""
    hop = frame // 2
    count = max(1, (x.size - frame) // hop + 1)
    idx = np.arange(frame)[None, :] + hop * np.arange(count)[:, None]
    frames = np.pad(x, (0, max(0, frame - x.size)))[idx] * np.hanning(frame)[None, :]
    power = np.mean(np.abs(np.fft.rfft(frames, axis=1)) ** 2, axis=0)
    return np.fft.rfftfreq(frame, 1.0 / sr), power


def slope_db_per_octave(x: np.ndarray, sr: int, lo: float = 50.0, hi: float = 10000.0) -> float:
    """Least-squares slope of the power spectrum in dB against octaves, over [lo, hi] Hz."""
    f, p = psd(x, sr)
    keep = (f >= lo) & (f <= hi) & (p > 0)
    # Average into third-octave bands first, so the many high bins do not dominate the fit.
    edges = lo * 2 ** (np.arange(0, np.log2(hi / lo) + 1e-9, 1 / 3))
    centers, levels = [], []
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        sel = keep & (f >= a) & (f < b)
        if sel.any():
            centers.append(np.log2(np.sqrt(a * b)))
            levels.append(10 * np.log10(np.mean(p[sel])))
    return float(np.polyfit(centers, levels, 1)[0])


def share_below(x: np.ndarray, sr: int, hz: float) -> float:
    """Fraction of the signal's power below ``hz``."""
    f, p = psd(x, sr)
    return float(p[f < hz].sum() / max(p.sum(), 1e-30))


def centroid(x: np.ndarray, sr: int) -> float:
    f, p = psd(x, sr)
    return float((f * p).sum() / max(p.sum(), 1e-30))


def flatness(x: np.ndarray, sr: int, lo: float = 500.0, hi: float = 8000.0) -> float:
    """Spectral flatness in [lo, hi] (geometric over arithmetic mean power): 1 is white, near 0 tonal."""
    f, p = psd(x, sr)
    p = p[(f >= lo) & (f <= hi)] + 1e-30
    return float(np.exp(np.mean(np.log(p))) / np.mean(p))


def envelope(x: np.ndarray, sr: int, hop_s: float = 0.01) -> np.ndarray:
    """RMS level per ``hop_s`` frame."""
    hop = max(1, int(sr * hop_s))
    m = x.size // hop
    return np.sqrt(np.mean(np.square(x[:m * hop].reshape(m, hop)), axis=1) + 1e-20)


def envelope_period(x: np.ndarray, sr: int, lo_s: float, hi_s: float, hop_s: float = 0.01) -> tuple[float, float]:
    """(period in seconds, strength 0..1): the strongest autocorrelation peak of the envelope in [lo_s, hi_s]."""
    env = envelope(x, sr, hop_s)
    env = env - env.mean()
    spec = np.fft.rfft(env, 2 * env.size)
    ac = np.fft.irfft(np.abs(spec) ** 2)[:env.size]
    ac /= ac[0] or 1.0
    a, b = int(lo_s / hop_s), min(int(hi_s / hop_s), env.size - 1)
    lag = a + int(np.argmax(ac[a:b + 1]))
    return lag * hop_s, float(ac[lag])


def variation(x: np.ndarray, sr: int, hop_s: float = 0.5) -> float:
    """Coefficient of variation of the level in ``hop_s`` frames: 0 for a steady sound."""
    env = envelope(x, sr, hop_s)
    return float(env.std() / max(env.mean(), 1e-12))


def burstiness(x: np.ndarray, sr: int, hop_s: float = 0.05) -> float:
    """Loud moments over the typical level: 95th percentile over median of the 50 ms level, in dB."""
    env = envelope(x, sr, hop_s)
    return float(20 * np.log10(np.percentile(env, 95) / max(np.median(env), 1e-12)))


def highpass(x: np.ndarray, sr: int, hz: float) -> np.ndarray:
    """``x`` without its content below ``hz`` (an FFT brick-wall filter; fine for measuring)."""
    spec = np.fft.rfft(x)
    spec[np.fft.rfftfreq(x.size, 1.0 / sr) < hz] = 0
    return np.fft.irfft(spec, x.size)


def kurtosis(x: np.ndarray) -> float:
    """Peakiness of the sample distribution: 3 for Gaussian noise, far above it for clicks and crackles."""
    x = x - x.mean()
    v = float(np.mean(x ** 2))
    return float(np.mean(x ** 4) / (v * v)) if v > 0 else 0.0


def onsets_per_second(x: np.ndarray, sr: int, hop_s: float = 0.005, ratio: float = 4.0) -> float:
    """Frames whose level jumps above ``ratio`` times the previous 50 ms median: clicks, claps, drops."""
    env = envelope(x, sr, hop_s)
    window = 10
    if env.size <= window:
        return 0.0
    shifted = np.lib.stride_tricks.sliding_window_view(env, window)[:-1]
    base = np.median(shifted, axis=1)
    rising = env[window:] > ratio * np.maximum(base, 1e-9)
    starts = rising & ~np.concatenate([[False], rising[:-1]])
    return float(starts.sum() / (x.size / sr))


def tonal_share(x: np.ndarray, sr: int, freq: float, width: float = 0.03) -> float:
    """Fraction of power within ±``width`` (relative) of ``freq``."""
    f, p = psd(x, sr)
    near = (f >= freq * (1 - width)) & (f <= freq * (1 + width))
    return float(p[near].sum() / max(p.sum(), 1e-30))


def dominant_frequency(x: np.ndarray, sr: int) -> float:
    f, p = psd(x, sr)
    return float(f[int(np.argmax(p))])


def loud_frame_peaks(x: np.ndarray, sr: int, frame: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """For frames at least as loud as the 80th percentile: (peak frequency, peak over median power in dB)."""
    m = x.size // frame
    frames = x[:m * frame].reshape(m, frame) * np.hanning(frame)
    level = np.sqrt(np.mean(frames ** 2, axis=1))
    loud = frames[level >= np.percentile(level, 80)]
    p = np.abs(np.fft.rfft(loud, axis=1)) ** 2 + 1e-30
    f = np.fft.rfftfreq(frame, 1.0 / sr)
    peaks = f[np.argmax(p, axis=1)]
    prominence = 10 * np.log10(p.max(axis=1) / np.median(p, axis=1))
    return peaks, prominence


def loop_seam(x: np.ndarray) -> float:
    """The jump from the last sample to the first, over the 99.9th percentile of jumps inside the file.

    A seamless loop scores like any other step (≤ ~1); a hard cut scores far above it.
    """
    jumps = np.abs(np.diff(x))
    typical = float(np.percentile(jumps, 99.9)) if jumps.size else 0.0
    return float(abs(x[0] - x[-1]) / max(typical, 1e-9))


@dataclass(frozen=True)
class Check:
    what: str                                   # the property, in words
    value: Callable[[np.ndarray, int], float]   # computed from the samples
    lo: float
    hi: float

    def run(self, x: np.ndarray, sr: int) -> tuple[float, bool]:
        v = self.value(x, sr)
        return v, self.lo <= v <= self.hi


def _period(lo: float, hi: float, hop: float = 0.01, strength: float = 0.3) -> Callable[[np.ndarray, int], float]:
    """The envelope's period, or 0 when no period is clear (autocorrelation peak below ``strength``)."""

    def value(x: np.ndarray, sr: int) -> float:
        period, how_clear = envelope_period(x, sr, lo, hi, hop)
        return period if how_clear >= strength else 0.0

    return value


def _birds(x: np.ndarray, sr: int) -> float:
    peaks, prominence = loud_frame_peaks(x, sr)
    return float(np.mean((peaks >= 1500) & (peaks <= 9000) & (prominence >= 50)))


CHECKS: dict[str, Check] = {
    "rain": Check("spectral flatness 0.5-8 kHz (broadband hiss)", flatness, 0.35, 1.0),
    "ocean": Check("envelope period in s (a wave every 5-14 s)", _period(4.0, 14.0, 0.05), 5.0, 14.0),
    "wind": Check("share of power below 1 kHz (low rushing)", lambda x, sr: share_below(x, sr, 1000), 0.8, 1.0),
    "thunder": Check("share of power below 300 Hz (rumble)", lambda x, sr: share_below(x, sr, 300), 0.6, 1.0),
    "fire": Check("kurtosis above 1 kHz (sharp crackles over the roar)", lambda x, sr: kurtosis(highpass(x, sr, 1000)),
                  10.0, 1e9),
    "stream": Check("spectral centroid in Hz (bright water)", centroid, 700.0, 4000.0),
    "birdsong": Check("share of loud frames with a whistle (peak 50 dB over the median) at 1.5-9 kHz", _birds,
                      0.7, 1.0),
    "white-noise": Check("spectral slope dB/octave (0)", slope_db_per_octave, -0.5, 0.5),
    "pink-noise": Check("spectral slope dB/octave (-3)", slope_db_per_octave, -3.5, -2.5),
    "brown-noise": Check("spectral slope dB/octave (-6)", slope_db_per_octave, -6.5, -5.5),
    "clock": Check("envelope period in s (one tick a second)", _period(0.5, 1.5, 0.005), 0.98, 1.02),
    "heartbeat": Check("envelope period in s (a beat every 0.75-1.1 s at rest)", _period(0.6, 1.5, 0.005),
                       0.75, 1.1),
    "beep": Check("share of power in one tone ±3 %", lambda x, sr: tonal_share(x, sr, dominant_frequency(x, sr)),
                  0.9, 1.0),
    "chime": Check("level drop 0.3 s -> 1.5 s after the strike, dB (a ringing decay)",
                   lambda x, sr: _decay_db(x, sr), 6.0, 60.0),
    "whoosh": Check("spectral centroid sweep, octaves (rises then falls)", lambda x, sr: _sweep_octaves(x, sr),
                    1.0, 8.0),
    "applause": Check("kurtosis (a crowd of sharp claps, not steady noise)", lambda x, sr: kurtosis(x), 4.5, 40.0),
}


def _decay_db(x: np.ndarray, sr: int) -> float:
    env = envelope(x, sr, 0.05)
    return float(20 * np.log10(env[6] / max(env[30], 1e-12))) if env.size > 30 else 0.0


def _sweep_octaves(x: np.ndarray, sr: int, frame: int = 2048) -> float:
    """Range of the spectral centroid over the loud frames, in octaves."""
    m = x.size // frame
    frames = x[:m * frame].reshape(m, frame) * np.hanning(frame)
    level = np.sqrt(np.mean(frames ** 2, axis=1))
    loud = frames[level >= 0.1 * level.max()]
    p = np.abs(np.fft.rfft(loud, axis=1)) ** 2
    f = np.fft.rfftfreq(frame, 1.0 / sr)
    c = (p * f).sum(axis=1) / np.maximum(p.sum(axis=1), 1e-30)
    return float(np.log2(c.max() / max(c.min(), 1.0))) if c.size else 0.0
