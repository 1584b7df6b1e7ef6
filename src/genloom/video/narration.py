"""The narration track: its audio, its length and when each sentence is spoken.

Sentence timings drive three things: the video's length (never shorter than
the voice), where shots cut (on sentence boundaries) and the captions. They
are measured from the audio, whoever made it (genloom's voices, an earlier
plan step, the user): voices pause between sentences, so the longest
silences nearest to where the text says a sentence should end are the
boundaries (:func:`sentence_spans`).
"""

from __future__ import annotations

import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from genloom.errors import InvalidInput

if TYPE_CHECKING:
    import numpy as np

HOP_S = 0.01  # energy frames of 10 ms
MIN_GAP_S = 0.05  # a shorter silence is a stop consonant, not a pause


@dataclass(frozen=True)
class Cue:
    """One caption: ``text`` is on screen from ``start`` to ``end`` (seconds of the narration)."""

    start: float
    end: float
    text: str


@dataclass
class Narration:
    """A voice track (mono float32 samples) and when each sentence is spoken in it."""

    samples: np.ndarray
    sample_rate: int
    sentences: list[Cue] = field(default_factory=list)  # empty when the words are unknown
    provenance: dict[str, Any] = field(default_factory=dict)  # model, voice, seed: for the video's record

    @property
    def seconds(self) -> float:
        return self.samples.size / self.sample_rate

    def shifted(self, offset: float) -> list[Cue]:
        """The sentences on the video's clock, when the voice starts ``offset`` seconds in."""
        return [Cue(c.start + offset, c.end + offset, c.text) for c in self.sentences]


# speak(text, voice, speed, seed) -> Narration: the component that makes a voice track from words.
Speaker = Callable[[str, "str | None", "float | None", "int | None"], Narration]


def speak_with_genloom(text: str, voice: str | None, speed: float | None, seed: int | None) -> Narration:
    """The default :data:`Speaker`: genloom's own speech generator, without recording a generation.

    The video records one generation; the voice, model and seed used go into its params.
    """
    from genloom.audio.speech import speak

    speech = speak(text, voice=voice, speed=speed or 1.0, seed=seed)
    samples = speech.samples
    spans = sentence_spans(samples, speech.sample_rate, speech.sentences)
    cues = [Cue(a, b, s) for (a, b), s in zip(spans, speech.sentences, strict=True)]
    return Narration(samples, speech.sample_rate, cues,
                     {"model": speech.model_id, "voice": speech.voice, "seed": speech.seed, "speed": speed or 1.0})


def from_file(path: Path, text: str | None) -> Narration:
    """A voice track an earlier step (or the user) made; ``text`` is what it says, when known."""
    from genloom.audio.text import clean, split_sentences
    from genloom.video.soundtrack import decode

    samples, rate = decode(path, channels=1)
    samples = samples[:, 0]
    label = _wav_label(path)
    text = text or _untruncated(label.get("source_text"))
    cues: list[Cue] = []
    if text:
        sentences = split_sentences(clean(text))
        spans = sentence_spans(samples, rate, sentences)
        cues = [Cue(float(a), float(b), s) for (a, b), s in zip(spans, sentences, strict=True)]
    return Narration(samples, rate, cues, {"file": str(path), **{k: label[k] for k in ("model", "voice") if k in label}})


def _untruncated(text: Any) -> str | None:
    # Speech labels keep the first 500 characters of the text: a cut text would mistime the captions.
    return text if isinstance(text, str) and 0 < len(text) < 500 else None


def _wav_label(path: Path) -> dict[str, Any]:
    """The genloom label inside a WAV (empty for other files and unlabelled audio)."""
    from genloom.audio.label import read_wav_label

    try:
        with wave.open(str(path), "rb"):
            pass
    except (wave.Error, EOFError, OSError):
        return {}
    return read_wav_label(Path(path).read_bytes()) or {}


def _energy(samples: np.ndarray, rate: int) -> np.ndarray:
    import numpy as np

    hop = max(1, int(rate * HOP_S))
    n = samples.size // hop
    if n == 0:
        return np.zeros(0, np.float32)
    frames = samples[: n * hop].astype(np.float32).reshape(n, hop)
    return np.sqrt((frames**2).mean(axis=1))


def sentence_spans(samples: np.ndarray, rate: int, sentences: list[str]) -> list[tuple[float, float]]:
    """(start, end) seconds of each sentence in a voice track, measured from its pauses.

    The text says roughly where each boundary falls (sentences take time in
    proportion to their letters); the boundary is the pause that best trades
    closeness to that point against length, chosen for all boundaries at
    once so they stay in order.
    """
    import numpy as np

    if not sentences:
        return []
    energy = _energy(samples, rate)
    if energy.size == 0 or energy.max() <= 0:
        raise InvalidInput("The narration audio is silent", hint="check the voiceover file", param="narration_audio")
    voiced = energy > max(0.02 * float(np.percentile(energy, 95)), 1e-4)
    idx = np.flatnonzero(voiced)
    first, last = idx[0] * HOP_S, (idx[-1] + 1) * HOP_S
    gaps = _silences(voiced)
    k = len(sentences) - 1
    weights = np.array([max(1, len(s)) for s in sentences], dtype=np.float64)
    expected = first + (last - first) * np.cumsum(weights)[:-1] / weights.sum()
    chosen = _choose_gaps(gaps, expected, last - first) if k else []
    if len(chosen) < k:  # too few pauses (e.g. music under the voice): split by the text's proportions
        chosen = [(e, e) for e in expected]
    bounds = [first] + [v for g in chosen for v in g] + [last]
    return [(round(float(bounds[2 * i]), 3), round(float(bounds[2 * i + 1]), 3)) for i in range(len(sentences))]


def _silences(voiced: np.ndarray) -> list[tuple[float, float]]:
    """(start, end) seconds of the silent runs between the first and last voiced frame."""
    import numpy as np

    idx = np.flatnonzero(voiced)
    out = []
    run_start = None
    for i in range(idx[0], idx[-1] + 1):
        if not voiced[i]:
            run_start = i if run_start is None else run_start
        elif run_start is not None:
            if (i - run_start) * HOP_S >= MIN_GAP_S:
                out.append((run_start * HOP_S, i * HOP_S))
            run_start = None
    return out


def _choose_gaps(gaps: list[tuple[float, float]], expected: Any, span: float) -> list[tuple[float, float]]:
    """One gap per expected boundary, in order, by dynamic programming over (boundary, gap)."""
    import numpy as np

    k, m = len(expected), len(gaps)
    if m < k:
        return []
    mids = np.array([(a + b) / 2 for a, b in gaps])
    lengths = np.array([b - a for a, b in gaps])
    # Cost: distance from the expected point (as a share of the whole) minus a bonus for a long pause.
    cost = np.abs(mids[None, :] - np.asarray(expected)[:, None]) / max(span, 1e-6) * 4.0 - np.minimum(lengths, 0.5)[None, :]
    total = np.full((k, m), np.inf)
    back = np.zeros((k, m), dtype=int)
    total[0] = cost[0]
    for i in range(1, k):
        best, arg = np.inf, -1
        for j in range(m):
            if j > 0 and total[i - 1, j - 1] < best:
                best, arg = total[i - 1, j - 1], j - 1
            if arg >= 0:
                total[i, j] = cost[i, j] + best
                back[i, j] = arg
    j = int(np.argmin(total[k - 1]))
    if not np.isfinite(total[k - 1, j]):
        return []
    picks = [j]
    for i in range(k - 1, 0, -1):
        j = int(back[i, j])
        picks.append(j)
    return [gaps[j] for j in reversed(picks)]
