"""``render(request) -> Rendered``: run the sound recipes, layer them, set the loudness, make it loop.

Long sounds are made as a whole number of identical seamless blocks of at
most :data:`BLOCK_S` seconds, so memory and time grow with the block, not the
hour asked for, and the file still loops at its end.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from genloom.sound.catalog import SOUNDS
from genloom.sound.dsp import fade_edges, normalize_peak, unit_rms
from genloom.sound.generators import GENERATORS
from genloom.sound.request import SoundRequest

SAMPLE_RATE = 44100
BLOCK_S = 120.0
TARGET_RMS = 0.12        # about -18 dBFS: a comfortable ambience level
PEAK = 0.89              # about -1 dBFS
EFFECT_PEAK = 0.7        # about -3 dBFS: a UI sound should not be the loudest thing on the device
LAYER_GAIN = 0.6         # a second sound ("rain with thunder") sits under the first
EDGE_FADE_S = 0.5        # a non-looping ambience fades in and out instead of starting abruptly


@dataclass
class Rendered:
    samples: np.ndarray
    sample_rate: int
    request: SoundRequest
    seed: int
    seconds_synth: float
    blocks: int = 1

    @property
    def duration_s(self) -> float:
        return self.samples.size / self.sample_rate

    def meta(self, prompt: str | None = None) -> dict[str, Any]:
        s = self.request.settings
        return {"sound": "+".join(self.request.sounds), "seconds": round(self.duration_s, 3),
                "loop": self.request.loop, "seed": self.seed, "sample_rate": self.sample_rate,
                "intensity": s.intensity, "rate": s.rate, "pitch": s.pitch, "blocks": self.blocks,
                "source_text": prompt[:500] if prompt else None}


def render(request: SoundRequest, seed: int, sample_rate: int = SAMPLE_RATE) -> Rendered:
    start = time.perf_counter()
    total = max(1, int(round(request.seconds * sample_rate)))
    blocks = max(1, int(np.ceil(request.seconds / BLOCK_S)))
    n = max(1, total // blocks)
    mix = np.zeros(n, np.float32)
    for i, sid in enumerate(request.sounds):
        rng = np.random.default_rng([seed, i])
        layer = GENERATORS[sid](rng, n, sample_rate, request.settings)
        mix += (1.0 if i == 0 else LAYER_GAIN) * _level(layer)
    ambience = any(SOUNDS[s].ambience for s in request.sounds)
    mix = _loudness(mix) if ambience else normalize_peak(mix, EFFECT_PEAK)
    # n * blocks is within `blocks` samples (< 1 ms) of the length asked, and the tiled file still loops.
    samples = np.tile(mix, blocks) if blocks > 1 else mix
    if ambience and not request.loop and request.seconds > 4 * EDGE_FADE_S:
        samples = fade_edges(samples, sample_rate, EDGE_FADE_S)
    return Rendered(samples.astype(np.float32), sample_rate, request, seed, time.perf_counter() - start, blocks)


def _level(layer: np.ndarray) -> np.ndarray:
    """Each layer at the same loudness before mixing, so a scene's balance does not depend on the recipe's scale."""
    return unit_rms(layer) * TARGET_RMS


def _loudness(x: np.ndarray) -> np.ndarray:
    """Ambience level, but never above -1 dBFS peak (an impulsive sound is set by its peak)."""
    x = unit_rms(x) * TARGET_RMS
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    return (x * (PEAK / peak)).astype(np.float32) if peak > PEAK else x
