"""Fake video components (speaker, composer, painter) and helpers that read delivered video files.

The fakes are deterministic and fast: a "voice" is one tone burst per
sentence with real pauses between, so the narration's measured timings are
known exactly; a painter gives each shot its own flat colour, so a frame
says which shot is on screen.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from genloom.video.narration import Cue, Narration
from genloom.video.pictures import Scene, Stills
from genloom.video.soundtrack import Music

RATE = 16000
SECONDS_PER_WORD = 0.3
PAUSE = 0.35
COLOURS = [(220, 40, 40), (40, 200, 60), (40, 60, 220), (230, 200, 30), (200, 40, 200)]


def tone_speech(sentences: list[str], speed: float = 1.0) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Samples with one tone burst per sentence (length by word count) and the true spans."""
    parts, spans, t = [], [], 0.0
    for i, s in enumerate(sentences):
        dur = len(s.split()) * SECONDS_PER_WORD / speed
        n = int(dur * RATE)
        x = 0.5 * np.sin(2 * np.pi * (220 + 40 * i) * np.arange(n) / RATE).astype(np.float32)
        parts.append(x)
        spans.append((t, t + n / RATE))
        t += n / RATE
        if i + 1 < len(sentences):
            gap = int(PAUSE / speed * RATE)
            parts.append(np.zeros(gap, np.float32))
            t += gap / RATE
    return np.concatenate(parts), spans


def split(text: str) -> list[str]:
    from genloom.audio.text import clean, split_sentences

    return split_sentences(clean(text))


class FakeSpeaker:
    def __init__(self) -> None:
        self.calls: list[tuple[str, float | None]] = []

    def __call__(self, text: str, voice: str | None, speed: float | None, seed: int | None) -> Narration:
        self.calls.append((text, speed))
        sentences = split(text)
        samples, spans = tone_speech(sentences, speed or 1.0)
        return Narration(samples, RATE, [Cue(a, b, s) for (a, b), s in zip(spans, sentences, strict=True)],
                         {"model": "fake-voice"})


def fake_composer(prompt: str, seconds: float, settings: dict, seed: int | None) -> Music:
    t = np.arange(int((seconds + 1) * 22050)) / 22050
    x = 0.4 * np.sin(2 * np.pi * 330 * t).astype(np.float32)
    return Music(np.stack([x, x], axis=1), 22050, {"model": "fake-music"})


class ColourPainter:
    """Shot i is a flat COLOURS[i] picture with a white square in a corner (so Ken Burns moves something)."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, descriptions: list[str], size: tuple[int, int], seed: int) -> Stills:
        from PIL import Image, ImageDraw

        self.calls.append(list(descriptions))
        images = []
        for i, _ in enumerate(descriptions):
            img = Image.new("RGB", size, COLOURS[i % len(COLOURS)])
            ImageDraw.Draw(img).rectangle((4, 4, size[0] // 6, size[1] // 6), fill=(255, 255, 255))
            images.append(img)
        return Stills(images, "fake-painter")


def fake_animator(prompt: str, size: tuple[int, int], seed: int, seconds: float, motion: str) -> Scene:
    from PIL import Image

    still = Image.new("RGB", size, (90, 120, 160))
    arr = np.asarray(still)
    return Scene(lambda t: arr, still, "fake-animator")


def write_tone_wav(path: Path, sentences: list[str]) -> tuple[Path, list[tuple[float, float]]]:
    samples, spans = tone_speech(sentences)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((samples * 32767).astype(np.int16).tobytes())
    return path, spans


def frames_of(path: Path) -> tuple[list[np.ndarray], float]:
    """Every frame of a video (int16 arrays, for differences) and its frame rate."""
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    w, h = meta["size"]
    frames = [np.frombuffer(f, dtype=np.uint8).reshape(h, w, 3).astype(np.int16) for f in reader]
    return frames, float(meta["fps"])


def audio_of(path: Path, rate: int = 8000) -> np.ndarray:
    """A video's sound as mono float32 samples at ``rate``."""
    from genloom.video.soundtrack import decode

    samples, _ = decode(path, channels=1, rate=rate)
    return samples[:, 0]
