"""Periodic signal building blocks for the sound generators (plain numpy).

Every helper here treats a signal of ``n`` samples as one period of an
endless loop: noise is shaped in the frequency domain (an FFT filter is
circular), events are added modulo ``n`` and slow modulations are made of
periodic noise. Whatever is built from them therefore loops without a seam:
the sample after the last one is the first one.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Shape = Callable[[np.ndarray], np.ndarray]  # frequencies in Hz -> amplitude gain


def shaped_noise(rng: np.random.Generator, n: int, sr: int, shape: Shape) -> np.ndarray:
    """White noise filtered by ``shape(freqs)`` in the frequency domain; unit RMS, periodic in ``n``.

    The noise is drawn directly as its spectrum (independent Gaussian real and
    imaginary parts per bin, which is what the FFT of white noise is), saving
    one FFT of the whole loop.
    """
    bins = n // 2 + 1
    spectrum = np.empty(bins, np.complex64)
    spectrum.real = rng.standard_normal(bins, dtype=np.float32)
    spectrum.imag = rng.standard_normal(bins, dtype=np.float32)
    spectrum *= shape(np.fft.rfftfreq(n, 1.0 / sr).astype(np.float32))
    return unit_rms(np.fft.irfft(spectrum, n).astype(np.float32))


def band(lo: float, hi: float, slope: float = 0.0, order: int = 4) -> Shape:
    """A band-pass gain (Butterworth-like skirts of ``order``) times ``f**slope``."""

    def gain(f: np.ndarray) -> np.ndarray:
        f = np.maximum(f, np.float32(1.0)).astype(np.float32)
        g = np.ones_like(f)
        if lo > 0:
            g /= np.sqrt(1.0 + (np.float32(lo) / f) ** (2 * order))
        if hi > 0:
            g /= np.sqrt(1.0 + (f / np.float32(hi)) ** (2 * order))
        return g * f ** np.float32(slope) if slope else g

    return gain


def power_law(exponent: float, floor_hz: float = 20.0, ceil_hz: float = 0.0) -> Shape:
    """Amplitude ``f**(-exponent/2)``: power falls 3·exponent dB per octave (1 = pink, 2 = brown)."""

    def gain(f: np.ndarray) -> np.ndarray:
        g = np.maximum(f, floor_hz) ** (-exponent / 2.0)
        g[0] = 0.0  # no DC offset
        if ceil_hz:
            g /= np.sqrt(1.0 + (f / ceil_hz) ** 8)
        return g

    return gain


def slow_noise(rng: np.random.Generator, n: int, sr: int, rate_hz: float) -> np.ndarray:
    """A smooth random curve in [0, 1] whose changes happen at about ``rate_hz`` (periodic)."""
    n_ctrl = max(4, int(round(n / sr * rate_hz * 4)))
    ctrl = rng.standard_normal(n_ctrl)
    spectrum = np.fft.rfft(ctrl)
    keep = max(2, int(n / sr * rate_hz) + 1)
    spectrum[keep:] = 0.0
    ctrl = np.fft.irfft(spectrum, n_ctrl)
    # Periodic linear interpolation of the control curve up to n samples (the first point repeats at the end).
    curve = np.interp(np.arange(n, dtype=np.float32) * np.float32(n_ctrl / n), np.arange(n_ctrl + 1),
                      np.append(ctrl, ctrl[0])).astype(np.float32)
    lo, hi = float(curve.min()), float(curve.max())
    return ((curve - lo) / (hi - lo or 1.0)).astype(np.float32)


def fast_len(n: int) -> int:
    """The smallest length >= ``n`` whose only prime factors are 2, 3 and 5 (fast for the FFT)."""
    best = 1 << max(0, (n - 1).bit_length())
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            m = p35
            while m < n:
                m *= 2
            best = min(best, m)
            p35 *= 3
        p5 *= 5
    return best


def add_at(out: np.ndarray, event: np.ndarray, start: int) -> None:
    """Add ``event`` into ``out`` at ``start``, wrapping past the end to the beginning."""
    n = out.size
    start %= n
    m = min(event.size, n)
    first = min(m, n - start)
    out[start:start + first] += event[:first]
    if m > first:
        out[:m - first] += event[first:m]


def circular_convolve(impulses: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Every impulse replaced by ``kernel`` (scaled by its height), wrapping around the end."""
    n = impulses.size
    k = np.zeros(n, np.float32)
    k[:min(n, kernel.size)] = kernel[:n]
    return np.fft.irfft(np.fft.rfft(impulses) * np.fft.rfft(k), n).astype(np.float32)


def poisson_times(rng: np.random.Generator, n: int, sr: int, rate_hz: float) -> np.ndarray:
    """Sample positions of a Poisson process with ``rate_hz`` events per second over ``n`` samples."""
    count = rng.poisson(rate_hz * n / sr)
    return np.sort(rng.integers(0, n, size=count))


def periodic_count(n: int, sr: int, period_s: float) -> int:
    """How many whole periods of about ``period_s`` fit in ``n`` samples (at least 1), so a rhythm loops."""
    return max(1, int(round(n / sr / period_s)))


def decay(sr: int, seconds: float, tau_s: float, attack_s: float = 0.0) -> np.ndarray:
    """An exponential decay envelope with an optional linear attack."""
    t = np.arange(int(round(sr * seconds)), dtype=np.float32) / sr
    env = np.exp(-t / tau_s).astype(np.float32)
    if attack_s > 0:
        env *= np.minimum(1.0, t / attack_s)
    return env


def tone(sr: int, freqs: np.ndarray | float, seconds: float | None = None) -> np.ndarray:
    """A sine following ``freqs`` (a constant or one frequency per sample), by phase accumulation."""
    if np.isscalar(freqs):
        t = np.arange(int(sr * (seconds or 0)), dtype=np.float64) / sr
        return np.sin(2 * np.pi * float(freqs) * t).astype(np.float32)
    phase = 2 * np.pi * np.cumsum(np.asarray(freqs, dtype=np.float64)) / sr
    return np.sin(phase).astype(np.float32)


def unit_rms(x: np.ndarray) -> np.ndarray:
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if x.size else 0.0
    return (x / rms).astype(np.float32) if rms > 0 else x.astype(np.float32)


def normalize_peak(x: np.ndarray, peak: float = 0.89) -> np.ndarray:
    """Scale so the loudest sample is ``peak`` (about -1 dBFS)."""
    top = float(np.max(np.abs(x))) if x.size else 0.0
    return (x * (peak / top)).astype(np.float32) if top > 0 else x.astype(np.float32)


def fade_edges(x: np.ndarray, sr: int, seconds: float) -> np.ndarray:
    """Raised-cosine fade in and out (for a sound that should start and end, not loop)."""
    x = x.copy()
    m = min(int(sr * seconds), x.size // 2)
    if m > 0:
        ramp = (0.5 - 0.5 * np.cos(np.linspace(0, np.pi, m))).astype(np.float32)
        x[:m] *= ramp
        x[-m:] *= ramp[::-1]
    return x
