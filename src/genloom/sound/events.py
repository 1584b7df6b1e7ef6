"""Short sound events (drops, bubbles, clicks, claps, chirps) and scattering many of them at once.

A generator makes a small bank of event shapes, then scatters thousands of
copies into the loop with :func:`scatter`, which sums them with one
``bincount`` per batch instead of a Python loop per event.
"""

from __future__ import annotations

import numpy as np

from genloom.sound.dsp import decay

_CHUNK = 1 << 22  # samples summed per bincount: bounds the temporary index arrays (~64 MB)


def scatter(n: int, positions: np.ndarray, bank: list[np.ndarray], which: np.ndarray, gains: np.ndarray) -> np.ndarray:
    """Sum ``gains[i] * bank[which[i]]`` placed at ``positions[i]`` into a loop of ``n`` samples (wrapping).

    Events are grouped by shape, so each costs its own length (not the longest
    shape's), and summed with ``bincount`` a few million samples at a time.
    """
    out = np.zeros(n, np.float64)
    idx_parts: list[np.ndarray] = []
    val_parts: list[np.ndarray] = []
    pending = 0

    def flush() -> None:
        nonlocal pending
        if idx_parts:
            out[:] += np.bincount(np.concatenate(idx_parts), weights=np.concatenate(val_parts), minlength=n)
            idx_parts.clear()
            val_parts.clear()
        pending = 0

    for k, kernel in enumerate(bank):
        sel = which == k
        if not sel.any() or kernel.size == 0:
            continue
        pos, gain = positions[sel], gains[sel]
        step = max(1, _CHUNK // kernel.size)
        for start in range(0, pos.size, step):
            p, g = pos[start:start + step], gain[start:start + step]
            idx_parts.append(((p[:, None] + np.arange(kernel.size)[None, :]) % n).ravel())
            val_parts.append((g[:, None] * kernel[None, :]).ravel())
            pending += p.size * kernel.size
            if pending >= _CHUNK:
                flush()
    flush()
    return out.astype(np.float32)


def resonance(sr: int, freq: float, tau_s: float, *, chirp: float = 0.0, attack_s: float = 0.0005) -> np.ndarray:
    """A damped sine (a drop, a bubble, a wooden tick); ``chirp`` > 0 bends the pitch up as it decays."""
    env = decay(sr, tau_s * 5, tau_s, attack_s)
    t = np.arange(env.size, dtype=np.float64) / sr
    freqs = freq * (1.0 + chirp * t / (tau_s * 5))
    phase = 2 * np.pi * np.cumsum(freqs) / sr
    return (np.sin(phase) * env).astype(np.float32)


def noise_burst(rng: np.random.Generator, sr: int, tau_s: float, *, lo: float = 0.0, hi: float = 0.0,
                attack_s: float = 0.0005) -> np.ndarray:
    """A decaying burst of band-limited noise (a crackle, a clap, a crack of thunder)."""
    env = decay(sr, tau_s * 6, tau_s, attack_s)
    x = rng.standard_normal(env.size).astype(np.float32)
    if lo or hi:
        spec = np.fft.rfft(x)
        f = np.fft.rfftfreq(x.size, 1.0 / sr)
        if lo:
            spec /= np.sqrt(1.0 + (lo / np.maximum(f, 1.0)) ** 8)
        if hi:
            spec /= np.sqrt(1.0 + (f / hi) ** 8)
        x = np.fft.irfft(spec, x.size).astype(np.float32)
        x /= float(np.max(np.abs(x))) or 1.0
    return x * env


def chirp(sr: int, seconds: float, f_start: float, f_end: float, *, trill_hz: float = 0.0,
          trill_depth: float = 0.0, harmonic: float = 0.12) -> np.ndarray:
    """A bird syllable: a gliding whistle, optionally trilled, with a soft second harmonic."""
    m = max(8, int(sr * seconds))
    t = np.arange(m, dtype=np.float64) / sr
    glide = f_start * (f_end / f_start) ** (t / seconds)
    if trill_hz:
        glide *= 1.0 + trill_depth * np.sin(2 * np.pi * trill_hz * t)
    phase = 2 * np.pi * np.cumsum(glide) / sr
    env = np.sin(np.pi * t / seconds) ** 2
    return ((np.sin(phase) + harmonic * np.sin(2 * phase)) * env).astype(np.float32)


def overlay(*parts: np.ndarray) -> np.ndarray:
    """Sum events of different lengths, all starting at sample 0."""
    out = np.zeros(max(p.size for p in parts), np.float32)
    for p in parts:
        out[:p.size] += p
    return out
