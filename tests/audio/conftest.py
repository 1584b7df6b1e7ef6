"""Fixtures for the audio tests: an empty hibari voice cache and the small GM soundfont."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

SMALL_SOUNDFONT = Path("/usr/share/sounds/sf2/TimGM6mb.sf2")

SENTENCES = (
    "The quick brown fox jumps over the lazy dog. "
    "Please call me back tomorrow morning. "
    "We will meet at the library after lunch."
)


@pytest.fixture(autouse=True)
def audio_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # No voice downloaded earlier on this machine may make a test pass by accident.
    monkeypatch.setenv("HIBARI_HOME", str(tmp_path / "hibari-cache"))
    if SMALL_SOUNDFONT.exists():
        monkeypatch.setenv("GENLOOM_SOUNDFONT", str(SMALL_SOUNDFONT))


def tone(freq: float, seconds: float, rate: int, amp: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def dominant_freq(x: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size)))
    return float(np.fft.rfftfreq(x.size, 1 / rate)[spectrum.argmax()])
