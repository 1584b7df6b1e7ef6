"""One procedural recipe per sound: ``GENERATORS[name](rng, n, sr, settings) -> n float32 samples``.

Each recipe models how the real sound is made (see docs/audio.md): rain is a
hiss bed plus thousands of tiny damped resonances (drops), a stream is
Minnaert bubbles whose pitch rises as they close, fire is a low roar with
heavy-tailed crackles, and so on. All of them are built from the periodic
blocks in :mod:`genloom.sound.dsp`, so every output loops seamlessly.
Levels are rough here; the renderer sets the final loudness.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from genloom.sound.dsp import (
    add_at,
    band,
    decay,
    fast_len,
    periodic_count,
    poisson_times,
    power_law,
    shaped_noise,
    slow_noise,
    tone,
    unit_rms,
)
from genloom.sound.events import chirp, noise_burst, overlay, resonance, scatter


@dataclass(frozen=True)
class Settings:
    intensity: float = 1.0        # 0.4 (gentle, light, distant) .. 2.0 (heavy, howling, roaring)
    rate: float | None = None     # events per minute where the sound has a pulse (heartbeat bpm, clock ticks)
    pitch: float | None = None    # Hz, for tonal effects (beep, chime)


Generator = Callable[[np.random.Generator, int, int, Settings], np.ndarray]


def _noise(exponent: float) -> Generator:
    def make(rng: np.random.Generator, n: int, sr: int, s: Settings) -> np.ndarray:
        return shaped_noise(rng, n, sr, power_law(exponent))

    return make


def rain(rng: np.random.Generator, n: int, sr: int, s: Settings) -> np.ndarray:
    bed = shaped_noise(rng, n, sr, band(400, 9000, slope=-0.25))
    bank = [resonance(sr, f, tau, chirp=0.3) for f, tau in
            zip(rng.uniform(1800, 7000, 24), rng.uniform(0.0012, 0.0035, 24), strict=True)]
    bank += [noise_burst(rng, sr, 0.002, lo=1500) for _ in range(8)]
    pos = poisson_times(rng, n, sr, 260 * s.intensity)
    drops = scatter(n, pos, bank, rng.integers(0, len(bank), pos.size), rng.uniform(0.1, 1.0, pos.size) ** 2)
    swell = 0.8 + 0.4 * slow_noise(rng, n, sr, 0.05)
    return (0.55 * bed + 0.9 * unit_rms(drops)) * swell


def ocean(rng: np.random.Generator, n: int, sr: int, s: Settings) -> np.ndarray:
    waves = periodic_count(n, sr, 9.0)
    env = np.full(n, 0.12, np.float32)
    rise, fall = int(2.6 * sr), int(5.5 * sr)
    shape = np.concatenate([np.sin(np.linspace(0, np.pi / 2, rise)) ** 2, np.exp(-np.linspace(0, 3.2, fall))])
    for i in range(waves):
        start = int((i + rng.uniform(-0.15, 0.15)) * n / waves)
        add_at(env, (shape * rng.uniform(0.7, 1.0)).astype(np.float32), start)
    roar = shaped_noise(rng, n, sr, band(40, 900, slope=-0.5))
    foam = shaped_noise(rng, n, sr, band(900, 9000))
    crash = np.roll(env, int(0.4 * sr)) ** 2  # the foam hisses as the wave breaks, just after the swell
    return roar * env * s.intensity ** 0.5 + 0.6 * foam * crash


def wind(rng: np.random.Generator, n: int, sr: int, s: Settings) -> np.ndarray:
    gust = slow_noise(rng, n, sr, 0.15) ** 1.5
    body = shaped_noise(rng, n, sr, band(30, 600, slope=-0.5)) * (0.3 + 0.7 * gust)
    whistle = np.zeros(n, np.float32)
    for f0 in rng.uniform(380, 750, 2):
        whistle += shaped_noise(rng, n, sr, band(f0 * 0.94, f0 * 1.06, order=6)) * slow_noise(rng, n, sr, 0.2) ** 2
    return body + 0.25 * s.intensity * whistle * gust


def thunder(rng: np.random.Generator, n: int, sr: int, s: Settings) -> np.ndarray:
    out = 0.08 * shaped_noise(rng, n, sr, band(20, 120)) * (0.5 + slow_noise(rng, n, sr, 0.1))
    strikes = periodic_count(n, sr, 12.0 / s.intensity)
    for i in range(strikes):
        start = int((i + rng.uniform(0.0, 0.4)) * n / strikes)
        crack = noise_burst(rng, sr, 0.06, lo=150, hi=5000, attack_s=0.004) * rng.uniform(0.5, 1.0)
        length = fast_len(int(rng.uniform(4.0, 7.0) * sr))  # a one-off burst: an FFT-friendly length
        rumble = shaped_noise(rng, length, sr, band(25, 220, slope=-0.5))
        rolls = 0.4 + slow_noise(rng, length, sr, 1.5) ** 2
        rumble = rumble * rolls * decay(sr, length / sr, length / sr / 3, attack_s=0.15)[:length]
        add_at(out, 0.5 * crack, start)
        add_at(out, 0.6 * rumble, start + int(0.05 * sr))
    return out


def fire(rng: np.random.Generator, n: int, sr: int, s: Settings) -> np.ndarray:
    flicker = 0.6 + 0.4 * slow_noise(rng, n, sr, 0.6)
    roar = shaped_noise(rng, n, sr, band(30, 350, slope=-0.5)) * flicker
    hiss = shaped_noise(rng, n, sr, band(2500, 10000)) * flicker
    bank = [noise_burst(rng, sr, tau, lo=800) for tau in rng.uniform(0.0004, 0.002, 16)]
    # Crackles come in small clusters (a pocket of sap bursting) with heavy-tailed loudness.
    seeds = poisson_times(rng, n, sr, 7 * s.intensity)
    per = rng.integers(1, 5, seeds.size)
    pos = np.repeat(seeds, per) + rng.integers(0, int(0.03 * sr), per.sum())
    gains = np.minimum(rng.pareto(2.5, pos.size) + 0.2, 6.0)
    pops = scatter(n, pos, bank, rng.integers(0, len(bank), pos.size), gains)
    return 0.12 * roar + 0.03 * hiss + pops


def stream(rng: np.random.Generator, n: int, sr: int, s: Settings) -> np.ndarray:
    hiss = shaped_noise(rng, n, sr, band(400, 6000, slope=-0.3))
    # Minnaert bubbles: a small air pocket rings at a pitch that rises as it closes.
    freqs = np.exp(rng.uniform(np.log(500), np.log(3000), 40))
    bank = [resonance(sr, f, tau, chirp=0.6) for f, tau in zip(freqs, rng.uniform(0.004, 0.012, 40), strict=True)]
    pos = poisson_times(rng, n, sr, 140 * s.intensity)
    bubbles = scatter(n, pos, bank, rng.integers(0, len(bank), pos.size), rng.uniform(0.2, 1.0, pos.size))
    return 0.6 * hiss * (0.85 + 0.3 * slow_noise(rng, n, sr, 0.3)) + 0.8 * unit_rms(bubbles)


def birdsong(rng: np.random.Generator, n: int, sr: int, s: Settings) -> np.ndarray:
    out = 0.02 * shaped_noise(rng, n, sr, band(150, 3000, slope=-0.5))
    for _ in range(3):  # three birds, each with its own voice and song
        f0 = rng.uniform(2400, 5200)
        kind = rng.integers(0, 3)
        gap = rng.uniform(1.5, 4.0) / s.intensity
        for start in poisson_times(rng, n, sr, 1.0 / gap):
            at = int(start)
            for _ in range(rng.integers(3, 9)):
                dur = rng.uniform(0.05, 0.16)
                f = f0 * rng.uniform(0.85, 1.15)
                if kind == 0:  # rising whistles
                    syl = chirp(sr, dur, f * 0.8, f * 1.3)
                elif kind == 1:  # falling chirps
                    syl = chirp(sr, dur, f * 1.3, f * 0.75)
                else:  # a trill
                    syl = chirp(sr, dur * 1.5, f, f * 1.05, trill_hz=rng.uniform(25, 45), trill_depth=0.08)
                add_at(out, syl * rng.uniform(0.3, 1.0), at)
                at += syl.size + int(rng.uniform(0.03, 0.09) * sr)
    return out


def clock(rng: np.random.Generator, n: int, sr: int, s: Settings) -> np.ndarray:
    ticks = periodic_count(n, sr, 60.0 / (s.rate or 60.0))
    tick = overlay(resonance(sr, 3100, 0.0025), 0.6 * resonance(sr, 4600, 0.0015), 0.3 * noise_burst(rng, sr, 0.0006))
    tock = overlay(resonance(sr, 2500, 0.003), 0.6 * resonance(sr, 3700, 0.002), 0.3 * noise_burst(rng, sr, 0.0006))
    body = 0.25 * resonance(sr, 900, 0.012)  # the case resonates under every tick
    out = np.zeros(n, np.float32)
    for i in range(ticks):
        at = int(round(i * n / ticks))
        add_at(out, tick if i % 2 == 0 else tock, at)
        add_at(out, body, at)
    return out


def heartbeat(rng: np.random.Generator, n: int, sr: int, s: Settings) -> np.ndarray:
    beats = periodic_count(n, sr, 60.0 / (s.rate or 62.0 * min(2.0, max(0.85, s.intensity))))
    period = n / beats / sr
    gap = int(min(0.3, 0.33 * period) * sr)  # "lub" to "dub": shorter when the heart races
    lub = overlay(resonance(sr, 48, 0.045, attack_s=0.012), 0.5 * resonance(sr, 75, 0.03, attack_s=0.01))
    dub = 0.7 * overlay(resonance(sr, 65, 0.035, attack_s=0.008), 0.4 * resonance(sr, 95, 0.02, attack_s=0.006))
    out = np.zeros(n, np.float32)
    for i in range(beats):
        at = int(round((i + rng.uniform(-0.01, 0.01)) * n / beats))
        add_at(out, lub, at)
        add_at(out, dub, at + gap)
    return out


def beep(rng: np.random.Generator, n: int, sr: int, s: Settings) -> np.ndarray:
    freq = s.pitch or float(rng.choice([880.0, 1000.0, 1200.0]))
    length = min(0.25, n / sr * 0.8)
    b = tone(sr, freq, length)
    edge = int(0.005 * sr)
    ramp = np.linspace(0, 1, edge, dtype=np.float32)
    b[:edge] *= ramp
    b[-edge:] *= ramp[::-1]
    out = np.zeros(n, np.float32)
    count = 1 if n / sr < 1.5 else periodic_count(n, sr, 1.0)  # a longer clip is an alert, one beep a second
    for i in range(count):
        add_at(out, b, int(round(i * n / count)))
    return out


_PENTATONIC = np.array([0, 2, 4, 7, 9, 12, 14, 16])


def _strike(sr: int, f0: float, ring_s: float) -> np.ndarray:
    """A struck bar or small bell: slightly inharmonic partials, the high ones dying first."""
    out = np.zeros(int(ring_s * sr), np.float32)
    for ratio, amp in ((1.0, 1.0), (2.0, 0.45), (2.76, 0.3), (4.07, 0.15), (5.4, 0.08)):
        tau = ring_s / 4 / ratio ** 0.7
        out += amp * tone(sr, f0 * ratio, ring_s) * decay(sr, ring_s, tau, attack_s=0.002)
    return out


def chime(rng: np.random.Generator, n: int, sr: int, s: Settings) -> np.ndarray:
    base = s.pitch or 880.0
    out = np.zeros(n, np.float32)
    ring = min(2.5, max(0.4, n / sr))
    # A notification "ding-dong" first; a longer clip goes on like wind chimes.
    add_at(out, _strike(sr, base * 1.5, ring), 0)
    if n / sr >= 1.0:
        add_at(out, 0.8 * _strike(sr, base, ring), int(0.25 * sr))
    at = 3.0
    while at < n / sr - 1.0:
        f = base * 2 ** (rng.choice(_PENTATONIC) / 12)
        add_at(out, rng.uniform(0.4, 0.9) * _strike(sr, f, ring), int(at * sr))
        at += rng.uniform(1.5, 4.0) / s.intensity
    return out


def _one_whoosh(rng: np.random.Generator, sr: int, seconds: float) -> np.ndarray:
    """Noise through a band that sweeps up then down while the level swells: air rushing past."""
    m = int(seconds * sr)
    frame, hop = 1024, 256  # hop = frame / 4: frames j and j + 4 sit end to end
    count = -(-m // hop)
    noise = rng.standard_normal(count * hop + frame).astype(np.float32)
    win = np.hanning(frame).astype(np.float32)
    starts = np.arange(count) * hop
    frames = noise[starts[:, None] + np.arange(frame)[None, :]] * win
    u = np.minimum(1.0, starts / m / 0.8)
    centers = 300 * 10 ** (1.1 * np.sin(np.pi * u) ** 1.5)  # 300 Hz -> ~3.8 kHz -> back down
    octaves = np.log2(np.maximum(np.fft.rfftfreq(frame, 1.0 / sr), 1.0)[None, :] / centers[:, None])
    shaped = np.fft.irfft(np.fft.rfft(frames, axis=1) * np.exp(-0.5 * (octaves / 0.9) ** 2), frame, axis=1) * win
    out = np.zeros(count * hop + frame, np.float32)
    norm = np.zeros_like(out)
    for k in range(frame // hop):  # overlap-add: every fourth frame forms one contiguous run
        run = shaped[k::frame // hop].ravel()
        out[k * hop:k * hop + run.size] += run
        norm[k * hop:k * hop + run.size] += np.tile(win ** 2, shaped[k::frame // hop].shape[0])
    out = out[:m] / np.maximum(norm[:m], 1e-3)
    t = np.linspace(0, 1, m, dtype=np.float32)
    swell = np.sin(np.pi * np.minimum(1.0, t / 0.9)) ** 2 * np.exp(-2.0 * np.maximum(0.0, t - 0.6))
    return out * swell


def whoosh(rng: np.random.Generator, n: int, sr: int, s: Settings) -> np.ndarray:
    seconds = n / sr
    if seconds <= 4.0:
        return _one_whoosh(rng, sr, seconds)
    out = np.zeros(n, np.float32)
    count = periodic_count(n, sr, 3.0)
    for i in range(count):
        add_at(out, _one_whoosh(rng, sr, rng.uniform(0.9, 1.6)), int(round(i * n / count)))
    return out


def applause(rng: np.random.Generator, n: int, sr: int, s: Settings) -> np.ndarray:
    people = int(30 * s.intensity)
    bank = [noise_burst(rng, sr, tau, lo=f * 0.6, hi=f * 1.8, attack_s=0.001)
            for f, tau in zip(rng.uniform(900, 2600, people), rng.uniform(0.004, 0.01, people), strict=True)]
    positions, which, gains = [], [], []
    for person in range(people):
        # Each person claps at a steady rate of their own, loosely: a whole number of claps per loop.
        claps = periodic_count(n, sr, 1.0 / rng.uniform(3.5, 5.5))
        at = (np.arange(claps) + rng.uniform(0, 1)) * (n / claps)
        at += rng.normal(0, 0.08, claps) * (n / claps)
        positions.append(at.astype(np.int64) % n)
        which.append(np.full(claps, person))
        gains.append(np.full(claps, rng.uniform(0.4, 1.0)) * rng.uniform(0.7, 1.0, claps))
    return scatter(n, np.concatenate(positions), bank, np.concatenate(which), np.concatenate(gains))


GENERATORS: dict[str, Generator] = {
    "rain": rain,
    "ocean": ocean,
    "wind": wind,
    "thunder": thunder,
    "fire": fire,
    "stream": stream,
    "birdsong": birdsong,
    "white-noise": _noise(0.0),
    "pink-noise": _noise(1.0),
    "brown-noise": _noise(2.0),
    "clock": clock,
    "heartbeat": heartbeat,
    "beep": beep,
    "chime": chime,
    "whoosh": whoosh,
    "applause": applause,
}
