"""The video's sound: the voice at full level, music cut and faded to length, ducked under the voice.

Everything is mixed as numpy arrays at one sample rate (stereo), so the
ducking follows the voice's own loudness rather than a fixed volume. The
same mix makes a speech with a music bed one track (:func:`voice_over_bed`:
a radio ad with background music, a podcast intro).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from genloom.errors import GenerationFailed

if TYPE_CHECKING:
    import numpy as np

RATE = 44100
BED_LEVEL = 0.8  # music alone
DUCKED_LEVEL = 0.2  # music under the voice (about -12 dB below the bed)
FADE_IN_S = 0.3
FADE_OUT_S = 1.5
# A speech over a music bed: the bed plays alone this long before the first word, and fades out
# over this long after the last one.
BED_LEAD_S = 1.0
BED_TAIL_S = FADE_OUT_S


@dataclass
class Music:
    """A music track (float32, frames x channels) and where it came from."""

    samples: np.ndarray
    sample_rate: int
    provenance: dict[str, Any] = field(default_factory=dict)


# compose(prompt, seconds, settings, seed) -> Music: the component that writes a music bed.
Composer = Callable[[str, float, dict[str, Any], "int | None"], Music]


def compose_with_genloom(prompt: str, seconds: float, settings: dict[str, Any], seed: int | None) -> Music:
    """The default :data:`Composer`: genloom's music model, without recording a generation."""
    from genloom.music.compose import compose

    words = " ".join(str(settings[k]) for k in ("mood", "genre") if settings.get(k))
    params = {k: v for k, v in settings.items() if k not in ("mood", "genre")}
    # A little longer than the video, so the fade-out is music and not the composer's final chord.
    params["duration"] = params["seconds"] = round(seconds + 1.0, 2)
    comp = compose(f"{words} background music for: {prompt}".strip(), params=params, seed=seed)
    if comp.audio is None:
        raise GenerationFailed("The music composer rendered no audio")
    return Music(comp.audio, comp.sample_rate, {"model": comp.model_id, "seed": comp.seed, "key": comp.spec.key_name,
                                                "tempo": comp.spec.tempo})


def decode(path: Path, channels: int = 2, rate: int = RATE) -> tuple[np.ndarray, int]:
    """Any audio (or a video's sound) as float32 frames x channels at ``rate``, through ffmpeg."""
    import numpy as np

    from genloom.video.encode import ffmpeg_exe

    run = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-vn", "-f", "f32le", "-ac", str(channels),
                          "-ar", str(rate), "-"], capture_output=True, timeout=300)
    if run.returncode != 0:
        raise GenerationFailed(f"ffmpeg could not read the audio of {Path(path).name}: "
                               f"{run.stderr.decode(errors='replace').strip()[-300:]}")
    return np.frombuffer(run.stdout, dtype=np.float32).reshape(-1, channels).copy(), rate


def as_stereo(samples: np.ndarray, rate: int) -> np.ndarray:
    """Frames x 2 at :data:`RATE` from mono or stereo samples at any rate."""
    import numpy as np

    from genloom.audio.dsp import resample

    x = np.asarray(samples, dtype=np.float32)
    if x.ndim == 1:
        x = x[:, None]
    if rate != RATE:
        x = np.stack([resample(x[:, c], rate, RATE) for c in range(x.shape[1])], axis=1)
    return np.repeat(x, 2, axis=1) if x.shape[1] == 1 else x[:, :2]


def fit(track: np.ndarray, seconds: float) -> np.ndarray:
    """Cut (or pad with silence) to ``seconds``, fading in briefly and out over the last 1.5 s."""
    import numpy as np

    n = int(round(seconds * RATE))
    out = np.zeros((n, 2), np.float32)
    m = min(n, track.shape[0])
    out[:m] = track[:m]
    fade_in = min(int(FADE_IN_S * RATE), m // 4)
    fade_out = min(int(FADE_OUT_S * RATE), m // 3)
    if fade_in:
        out[:fade_in] *= np.linspace(0, 1, fade_in, dtype=np.float32)[:, None]
    if fade_out:
        out[m - fade_out:m] *= np.linspace(1, 0, fade_out, dtype=np.float32)[:, None]
    return out


def voice_envelope(voice: np.ndarray, attack_s: float = 0.05, release_s: float = 0.4) -> np.ndarray:
    """0..1 per sample: how much the voice is speaking, with a fast attack and a slow release."""
    import numpy as np

    hop = int(RATE * 0.02)
    mono = np.abs(voice).max(axis=1)
    n = mono.size // hop + 1
    padded = np.zeros(n * hop, np.float32)
    padded[: mono.size] = mono
    level = np.sqrt((padded.reshape(n, hop) ** 2).mean(axis=1))
    active = (level > max(1e-3, 0.05 * float(level.max(initial=0.0)))).astype(np.float32)
    env = np.zeros(n, np.float32)
    up, down = 1 - np.exp(-0.02 / attack_s), 1 - np.exp(-0.02 / release_s)
    # Look ahead one attack time, so the music is already down when the first word starts.
    ahead = max(1, int(attack_s / 0.02))
    active = np.maximum(active, np.concatenate([active[ahead:], np.zeros(ahead, np.float32)]))
    v = 0.0
    for i, a in enumerate(active):
        v += (a - v) * (up if a > v else down)
        env[i] = v
    return np.repeat(env, hop)[: voice.shape[0]]


def mix(seconds: float, voice: np.ndarray | None = None, voice_at: float = 0.0,
        beds: list[np.ndarray] | None = None) -> np.ndarray:
    """One stereo track of ``seconds``: the voice from ``voice_at``, beds (music, a clip's own sound) ducked under it."""
    import numpy as np

    n = int(round(seconds * RATE))
    out = np.zeros((n, 2), np.float32)
    placed = np.zeros((n, 2), np.float32)
    if voice is not None:
        start = int(round(voice_at * RATE))
        m = max(0, min(n - start, voice.shape[0]))
        placed[start:start + m] = voice[:m]
    gain = np.full(n, BED_LEVEL, np.float32)
    if voice is not None:
        gain -= (BED_LEVEL - DUCKED_LEVEL) * voice_envelope(placed)
    for bed in beds or []:
        out += fit(bed, seconds) * gain[:, None]
    out += placed
    peak = float(np.abs(out).max(initial=0.0))
    return out * (0.95 / peak) if peak > 0.95 else out


def write_wav(samples: np.ndarray, dest: Path) -> Path:
    import numpy as np

    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    import wave

    with wave.open(str(dest), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())
    return dest


def voice_seconds_over_bed(track_seconds: float) -> float:
    """How long the voice may speak in a track of ``track_seconds`` that opens and closes on its bed."""
    return max(1.0, track_seconds - BED_LEAD_S - BED_TAIL_S)


def voice_over_bed(voice_path: Path, music_path: Path, dest: Path, seconds: float | None = None) -> float:
    """Write one track to ``dest``: the voice at full level over the music, ducked under the words.

    The track lasts ``seconds`` when that holds the whole voice with its lead-in and tail,
    else the voice's length plus both: a word is never cut. The music is cut and faded to
    the track (or padded with silence when it is shorter). Returns the track's seconds.
    """
    voice, _ = decode(voice_path)
    music, _ = decode(music_path)
    needed = BED_LEAD_S + voice.shape[0] / RATE + BED_TAIL_S
    total = max(float(seconds or 0.0), needed)
    write_wav(mix(total, voice, BED_LEAD_S, [music]), dest)
    return total
