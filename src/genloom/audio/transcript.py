"""A transcript with its timings, and its renderings: text, json, verbose_json, srt, vtt.

The OpenAI-compatible endpoint, the CLI and the ``transcript`` runner all
format through :func:`render`, so ``--srt`` and ``response_format=srt`` are
the same bytes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

FORMATS = ("json", "text", "srt", "vtt", "verbose_json")
MAX_CUE_S = 7.0     # a subtitle cue longer than this is split at word boundaries (when words are known)
MAX_CUE_CHARS = 84  # about two lines of 42 characters


@dataclass
class Word:
    word: str
    start: float
    end: float
    probability: float | None = None


@dataclass
class Segment:
    id: int
    start: float
    end: float
    text: str
    words: list[Word] = field(default_factory=list)
    avg_logprob: float | None = None
    no_speech_prob: float | None = None


@dataclass
class Transcript:
    text: str
    language: str | None = None
    duration: float = 0.0
    segments: list[Segment] = field(default_factory=list)
    language_probability: float | None = None
    model: str | None = None
    task: str = "transcribe"

    def words(self) -> list[Word]:
        return [w for s in self.segments for w in s.words]

    def cues(self) -> list[tuple[float, float, str]]:
        """Subtitle cues: one per segment, long segments split at word boundaries when words are known."""
        if not self.segments:
            return [(0.0, max(self.duration, 0.001), self.text)] if self.text else []
        out: list[tuple[float, float, str]] = []
        for seg in self.segments:
            if not seg.text:
                continue
            too_long = seg.end - seg.start > MAX_CUE_S or len(seg.text) > MAX_CUE_CHARS
            if not (too_long and seg.words):
                out.append((seg.start, seg.end, seg.text))
                continue
            group: list[Word] = []
            for w in seg.words:
                if group and (w.end - group[0].start > MAX_CUE_S or
                              len(" ".join(g.word for g in group)) + len(w.word) + 1 > MAX_CUE_CHARS):
                    out.append((group[0].start, group[-1].end, " ".join(g.word for g in group)))
                    group = []
                group.append(w)
            if group:
                out.append((group[0].start, group[-1].end, " ".join(g.word for g in group)))
        return out

    def verbose(self) -> dict[str, Any]:
        """OpenAI's ``verbose_json`` shape: task, language (name), duration, text, segments, words."""
        return {
            "task": self.task,
            "language": LANGUAGE_NAMES.get(self.language or "", self.language or "unknown"),
            "duration": self.duration,
            "text": self.text,
            "segments": [{"id": s.id, "seek": 0, "start": s.start, "end": s.end, "text": s.text, "tokens": [],
                          "temperature": 0.0, "avg_logprob": s.avg_logprob, "compression_ratio": None,
                          "no_speech_prob": s.no_speech_prob} for s in self.segments],
            "words": [asdict(w) for w in self.words()],
        }


def _clock(seconds: float, sep: str) -> str:
    ms = int(round(max(0.0, seconds) * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def to_srt(t: Transcript) -> str:
    blocks = [f"{i}\n{_clock(a, ',')} --> {_clock(b, ',')}\n{text}\n" for i, (a, b, text) in enumerate(t.cues(), 1)]
    return "\n".join(blocks)


def to_vtt(t: Transcript) -> str:
    blocks = [f"{_clock(a, '.')} --> {_clock(b, '.')}\n{text}\n" for a, b, text in t.cues()]
    return "WEBVTT\n\n" + "\n".join(blocks)


def render(t: Transcript, fmt: str) -> tuple[str | dict[str, Any], str]:
    """(body, mime type) for ``fmt`` in :data:`FORMATS`."""
    if fmt == "text":
        return t.text + "\n", "text/plain"
    if fmt == "srt":
        return to_srt(t), "application/x-subrip"
    if fmt == "vtt":
        return to_vtt(t), "text/vtt"
    if fmt == "verbose_json":
        return t.verbose(), "application/json"
    if fmt == "json":
        return {"text": t.text}, "application/json"
    from genloom.errors import InvalidInput

    raise InvalidInput(f"Unknown transcript format {fmt!r}", hint=f"one of {', '.join(FORMATS)}",
                       param="response_format")


# Whisper's language codes and the names OpenAI's verbose_json reports.
LANGUAGE_NAMES = {
    "en": "english", "de": "german", "fr": "french", "es": "spanish", "it": "italian", "pt": "portuguese",
    "nl": "dutch", "ru": "russian", "zh": "chinese", "ja": "japanese", "ko": "korean", "ar": "arabic",
    "hi": "hindi", "pl": "polish", "tr": "turkish", "sv": "swedish", "da": "danish", "no": "norwegian",
    "fi": "finnish", "uk": "ukrainian", "cs": "czech", "el": "greek", "he": "hebrew", "ca": "catalan",
}
