"""Speech to text: ``transcribe_full`` (timings, language), ``transcribe`` (text) and the ``transcript`` runner.

The default transcriber is Whisper base (faster-whisper, int8); PocketSphinx
is the fallback when Whisper is not installed. A transcriber that returns a
:class:`~genloom.audio.transcript.Transcript` (``returns_transcript``) gives
segments, word timestamps, the detected language and translation; any other
(PocketSphinx, transformers Whisper, remotes) gives text, wrapped in one
segment spanning the clip.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from genloom.errors import InvalidInput
from genloom.models.card import Kind

if TYPE_CHECKING:
    from genloom.api import Result
    from genloom.audio.transcript import Transcript

Progress = Callable[[float, str], None]
MAX_SECONDS = 3 * 3600
TASKS = ("transcribe", "translate")


def _load(model: str | None) -> Any:
    from genloom.models.registry import get_registry

    registry = get_registry()
    card = registry.card(model) if model else registry.default_card(Kind.transcript)
    if not card.serves(Kind.transcript):
        raise InvalidInput(f"Model {card.id!r} makes {card.kind.value}, not transcripts", param="model")
    return registry.load(card.id)


def _samples(path_or_bytes: str | Path | bytes) -> tuple[Any, int]:
    from genloom.audio.wav import decode

    samples, rate = decode(path_or_bytes)
    if samples.size / rate > MAX_SECONDS:
        raise InvalidInput(f"The audio is {samples.size / rate / 3600:.1f} hours long; the limit is 3",
                           hint="cut it into parts", param="file")
    peak = float(abs(samples).max()) if samples.size else 0.0
    if peak > 0:
        # Quiet recordings decode badly: bring the peak to a normal level.
        samples = samples * min(1.0 / peak, 30.0) * 0.9
    return samples, rate


def transcribe_full(path_or_bytes: str | Path | bytes, model: str | None = None, *, language: str | None = None,
                    task: str = "transcribe", word_timestamps: bool = False, prompt: str | None = None,
                    lm_text: str | None = None, temperature: float | None = None,
                    progress: Progress | None = None) -> Transcript:
    """The speech in an audio file (WAV, FLAC, OGG, MP3; any rate) with timings and its language.

    ``language``: ISO 639-1 code when known (else detected); ``task="translate"``
    gives English text; ``prompt``: earlier text or spellings to bias towards;
    ``lm_text``: sentences the speech is expected to contain (PocketSphinx then
    only considers those words; Whisper takes them as its prompt).
    """
    from genloom.audio.dsp import resample
    from genloom.audio.transcript import Segment, Transcript
    from genloom.audio.wav import pcm16

    if task not in TASKS:
        raise InvalidInput(f"Unknown task {task!r}", hint="transcribe or translate", param="task")
    language = _language(language)
    samples, rate = _samples(path_or_bytes)
    transcriber = _load(model)
    audio = resample(samples, rate, transcriber.sample_rate)
    if getattr(transcriber, "returns_transcript", False):
        return transcriber.transcribe_samples(audio, language=language, task=task, word_timestamps=word_timestamps,
                                              prompt=prompt or lm_text, temperature=temperature, progress=progress)
    card = transcriber.card
    if task == "translate":
        raise InvalidInput(f"{card.id} cannot translate", hint="use Whisper: -m faster-whisper-base", param="model")
    if language not in (None, "en") and card.backend == "pocketsphinx":
        raise InvalidInput(f"{card.id} only understands English", hint="use Whisper: -m faster-whisper-base",
                           param="language")
    text = transcriber.transcribe_pcm(pcm16(audio), lm_text=lm_text or prompt, progress=progress)
    duration = round(audio.size / transcriber.sample_rate, 3)
    segments = [Segment(0, 0.0, duration, text)] if text else []
    return Transcript(text=text, language=language or "en", duration=duration, segments=segments, model=card.id)


def transcribe(path_or_bytes: str | Path | bytes, model: str | None = None, lm_text: str | None = None,
               progress: Progress | None = None, **kwargs: Any) -> str:
    """The words spoken in an audio file; see :func:`transcribe_full` for the options."""
    return transcribe_full(path_or_bytes, model, lm_text=lm_text, progress=progress, **kwargs).text


def _language(value: str | None) -> str | None:
    if value in (None, "", "auto"):
        return None
    from genloom.audio.transcript import LANGUAGE_NAMES

    code = str(value).strip().lower()
    by_name = {name: c for c, name in LANGUAGE_NAMES.items()}
    code = by_name.get(code, code)
    if len(code) not in (2, 3) or not code.isalpha():
        raise InvalidInput(f"Unknown language {value!r}", hint="an ISO 639-1 code such as en, fr, de", param="language")
    return code


_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
         "sixteen seventeen eighteen nineteen").split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def _spelled(word: str) -> list[str]:
    """A number written in digits (0-999) as the words a voice says: "4" -> four, "21" -> twenty one."""
    if not word.isdigit() or len(word) > 3 or (len(word) > 1 and word[0] == "0"):
        return [word]
    n = int(word)
    out = []
    if n >= 100:
        out += [_ONES[n // 100], "hundred"]
        n %= 100
        if n == 0:
            return out
    if n < 20:
        return out + [_ONES[n]]
    return out + [_TENS[n // 10]] + ([_ONES[n % 10]] if n % 10 else [])


def _wer_words(text: str) -> list[str]:
    from genloom.backends.pocketsphinx_stt import normalize_words

    return [w for word in normalize_words(text) for w in _spelled(word)]


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word-level edit distance over the number of reference words.

    Numbers count the same in digits or words ("platform 4" = "platform four"): a
    transcriber writing digits for spoken numbers is right, not wrong.
    """
    ref, hyp = _wer_words(reference), _wer_words(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1] / len(ref)


def run_transcript(prompt: str, *, model: str | None, params: dict[str, Any], output: Path | None,
                   parent_ids: list[str] | None, run_id: str | None, progress: Progress | None) -> Result:
    """``api.create("transcript", "path/to/audio.wav", params={...})``: the prompt is the file path.

    params: lm_text, language, task (transcribe|translate), word_timestamps, prompt (Whisper's),
    temperature, format (text|json|verbose_json|srt|vtt: what ``output`` gets, default text).
    """
    import json

    from genloom.api import Result
    from genloom.audio.output import check_writable, write_output
    from genloom.audio.transcript import FORMATS, render
    from genloom.store.db import get_store

    params = dict(params)
    options = {k: params.pop(k) for k in ("lm_text", "language", "task", "word_timestamps", "prompt", "temperature")
               if k in params}
    fmt = params.pop("format", None) or "text"
    if params:
        raise InvalidInput(f"Unknown transcript parameter(s): {', '.join(sorted(params))}",
                           hint="transcript takes lm_text, language, task, word_timestamps, prompt, temperature, "
                                "format", param=next(iter(params)))
    if fmt not in FORMATS:
        raise InvalidInput(f"Unknown transcript format {fmt!r}", hint=f"one of {', '.join(FORMATS)}", param="format")
    if not prompt or not str(prompt).strip():
        raise InvalidInput("No audio file given", hint="pass the path of a WAV/FLAC/OGG/MP3 file", param="file")
    path = Path(str(prompt).strip()).expanduser()
    if output is not None:
        check_writable(output)
    transcriber = _load(model)
    start = time.perf_counter()
    options["word_timestamps"] = bool(options.get("word_timestamps")) or fmt in ("verbose_json", "srt", "vtt")
    t = transcribe_full(path, model=transcriber.card.id, progress=progress, **options)
    elapsed = time.perf_counter() - start
    gid = get_store().record_generation(
        kind="transcript", task=t.task, model_id=transcriber.card.id, prompt=str(path),
        params={"lm_text": bool(options.get("lm_text")), "language": t.language, "task": t.task, "format": fmt},
        parent_ids=parent_ids, run_id=run_id, duration_ms=elapsed * 1000, output=t.text,
    )
    body, _ = render(t, fmt)
    rendered = json.dumps(body, ensure_ascii=False, indent=2) + "\n" if isinstance(body, dict) else body
    paths = [write_output(Path(output), rendered.encode())] if output is not None else []
    return Result(kind="transcript", generation_id=gid, model_id=transcriber.card.id, text=t.text, paths=paths,
                  meta={"source": str(path), "elapsed_s": round(elapsed, 3), "language": t.language,
                        "language_probability": t.language_probability, "duration_s": t.duration, "task": t.task,
                        "segments": t.verbose()["segments"], "words": t.verbose()["words"], "format": fmt,
                        "rendered": rendered})
