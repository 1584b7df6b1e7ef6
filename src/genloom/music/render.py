"""MIDI to audio: FluidSynth with a General MIDI soundfont, or a built-in additive synth.

FluidSynth (Debian ``fluidsynth`` + ``fluid-soundfont-gm``) sounds like real
instruments; when it or a soundfont is missing, the built-in synth still
renders every note (organ-like tones with an envelope), so compose never fails
for want of a system package.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from genloom.errors import GenerationFailed, InvalidInput

if TYPE_CHECKING:
    import numpy as np

    from genloom.music.midi import Note

SAMPLE_RATE = 44100
DRUM_CHANNEL = 9
SOUNDFONTS = (
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/TimGM6mb.sf2",
    "/usr/share/sounds/sf2/default-GM.sf2",
    "/usr/share/soundfonts/FluidR3_GM.sf2",
    "/usr/share/soundfonts/default.sf2",
)


def find_soundfont(explicit: str | Path | None = None) -> Path | None:
    """``explicit``, else ``$GENLOOM_SOUNDFONT``, else the first GM soundfont installed."""
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise InvalidInput(f"Soundfont {path} does not exist", hint="pass an .sf2 file", param="soundfont")
        return path
    env = os.environ.get("GENLOOM_SOUNDFONT")
    if env and Path(env).is_file():
        return Path(env)
    return next((Path(p) for p in SOUNDFONTS if Path(p).is_file()), None)


def fluidsynth_binary() -> str | None:
    if os.environ.get("GENLOOM_NO_FLUIDSYNTH"):
        return None
    return shutil.which("fluidsynth")


def render(midi: bytes, note_list: list[Note], tempo: int, soundfont: str | Path | None = None,
           engine: str = "auto", seconds: float | None = None) -> tuple[np.ndarray, int, str]:
    """Audio samples (float32, mono or (n, 2) stereo), the rate, and the engine used.

    FluidSynth runs in process when libfluidsynth is there (the soundfont stays loaded
    between pieces), else as the ``fluidsynth`` program; else the built-in synth plays."""
    from genloom.music import fluid

    wanted = engine in ("auto", "fluidsynth") and not os.environ.get("GENLOOM_NO_FLUIDSYNTH")
    lib = fluid.library() if wanted else None
    binary = fluidsynth_binary() if wanted else None
    sf2 = find_soundfont(soundfont) if engine in ("auto", "fluidsynth") else None
    if engine == "fluidsynth" and ((lib is None and binary is None) or sf2 is None):
        raise InvalidInput("FluidSynth rendering needs libfluidsynth (or the fluidsynth program) and a GM soundfont",
                           hint="apt-get install fluidsynth fluid-soundfont-gm, or use the built-in synth",
                           param="engine")
    if lib is not None and sf2 is not None:
        if seconds is None:
            import io

            import mido

            seconds = mido.MidiFile(file=io.BytesIO(midi)).length + 1.0
        return _normalize(fluid.render(midi, sf2, seconds, SAMPLE_RATE)), SAMPLE_RATE, f"fluidsynth:{sf2.name}"
    if binary and sf2:
        return _fluidsynth(binary, sf2, midi), SAMPLE_RATE, f"fluidsynth:{sf2.name}"
    return synth(note_list, tempo), SAMPLE_RATE // 2, "builtin"


def _fluidsynth(binary: str, sf2: Path, midi: bytes) -> np.ndarray:
    import soundfile as sf

    with tempfile.TemporaryDirectory(prefix="genloom-fs-") as tmp:
        src, dst = Path(tmp) / "in.mid", Path(tmp) / "out.wav"
        src.write_bytes(midi)
        cmd = [binary, "-ni", "-q", "-g", "0.6", "-r", str(SAMPLE_RATE), "-F", str(dst), "-T", "wav",
               "-O", "s16", str(sf2), str(src)]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=300, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise GenerationFailed("FluidSynth took over 5 minutes", hint="ask for a shorter piece") from None
        if proc.returncode != 0 or not dst.exists() or dst.stat().st_size < 100:
            raise GenerationFailed(f"FluidSynth failed: {proc.stderr.decode(errors='replace')[-300:]}",
                                   hint="check the soundfont, or set GENLOOM_NO_FLUIDSYNTH=1")
        audio, _ = sf.read(str(dst), dtype="float32", always_2d=True)
    return _normalize(_trim_tail(audio))


def _normalize(audio: np.ndarray, peak_to: float = 0.89) -> np.ndarray:
    """Every piece at the same peak level (-1 dBFS): a quiet hymn and a loud drop play alike."""
    import numpy as np

    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    if peak > 0:
        audio = audio * (peak_to / peak)
    return audio.astype(np.float32)


def _trim_tail(audio: np.ndarray, threshold: float = 1e-3) -> np.ndarray:
    """Cut the silent tail FluidSynth leaves after the reverb dies, keeping a short fade."""
    import numpy as np

    level = np.max(np.abs(audio), axis=1) if audio.ndim == 2 else np.abs(audio)
    loud = np.nonzero(level > threshold)[0]
    end = int(loud[-1]) + int(0.05 * SAMPLE_RATE) if loud.size else audio.shape[0]
    audio = audio[: min(end, audio.shape[0])].copy()
    n = min(int(0.03 * SAMPLE_RATE), audio.shape[0])
    if n:
        ramp = np.linspace(1.0, 0.0, n, dtype=np.float32)
        audio[-n:] *= ramp[:, None] if audio.ndim == 2 else ramp
    return audio


def fade_out(audio: np.ndarray, rate: int, start_s: float, end_db: float) -> np.ndarray:
    """A fade evenly in decibels from ``start_s`` to ``end_db`` at the last sample (for the built-in
    synth, which does not read the MIDI expression ramp FluidSynth plays)."""
    import numpy as np

    start = max(0, min(audio.shape[0], int(start_s * rate)))
    n = audio.shape[0] - start
    if n <= 0:
        return audio
    gain = 10 ** (end_db * np.linspace(0.0, 1.0, n, dtype=np.float32) / 20)
    audio = audio.copy()
    audio[start:] *= gain[:, None] if audio.ndim == 2 else gain
    return audio


def fit_length(audio: np.ndarray, rate: int, seconds: float) -> np.ndarray:
    """Exactly ``seconds`` long: silence added after the ring-out, or the reverb tail faded and cut."""
    import numpy as np

    n = int(round(seconds * rate))
    if audio.shape[0] >= n:
        audio = audio[:n].copy()
        k = min(int(0.05 * rate), n)
        if k:
            ramp = np.linspace(1.0, 0.0, k, dtype=np.float32)
            audio[-k:] *= ramp[:, None] if audio.ndim == 2 else ramp
        return audio
    pad = np.zeros((n - audio.shape[0], *audio.shape[1:]), audio.dtype)
    return np.concatenate([audio, pad])


def synth(note_list: list[Note], tempo: int, sample_rate: int = SAMPLE_RATE // 2) -> np.ndarray:
    """A small additive synthesizer: each note a few decaying harmonics with attack and release."""
    import numpy as np

    spb = 60.0 / tempo
    total = max((n.end for n in note_list), default=0.0) * spb + 0.5
    out = np.zeros(int(total * sample_rate) + 1, np.float32)
    release = 0.08
    rng = np.random.default_rng(0)
    for note in note_list:
        start = int(note.start * spb * sample_rate)
        if note.voice == DRUM_CHANNEL:  # percussion: a short noise burst, low for drums, bright for cymbals
            length = int((0.25 if note.pitch in (36, 41, 45, 47) else 0.12) * sample_rate)
            burst = rng.standard_normal(length).astype(np.float32) * np.exp(-np.arange(length) / (0.03 * sample_rate))
            if note.pitch in (36, 41, 45, 47):
                t = np.arange(length) / sample_rate
                burst = 0.3 * burst + np.sin(2 * np.pi * 60 * t).astype(np.float32) * np.exp(-t * 18)
            end = min(out.size, start + length)
            out[start:end] += burst[: end - start] * (note.velocity / 127.0) * 0.08
            continue
        dur = (note.end - note.start) * spb
        length = int((dur + release) * sample_rate)
        t = np.arange(length, dtype=np.float32) / sample_rate
        freq = 440.0 * 2 ** ((note.pitch - 69) / 12)
        tone = np.zeros(length, np.float32)
        for h, amp in ((1, 1.0), (2, 0.45), (3, 0.22), (4, 0.1)):
            if freq * h < sample_rate / 2:
                tone += amp * np.sin(2 * np.pi * freq * h * t, dtype=np.float32)
        env = np.minimum(1.0, t / 0.015) * np.exp(-t * 1.2)
        env *= np.clip((dur + release - t) / release, 0.0, 1.0)
        seg = tone * env.astype(np.float32) * (note.velocity / 127.0) * 0.12
        end = min(out.size, start + length)
        out[start:end] += seg[: end - start]
    peak = float(np.max(np.abs(out))) if out.size else 0.0
    return out * (0.9 / peak) if peak > 0 else out
