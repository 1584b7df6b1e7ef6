"""Speech to text: ``transcribe(path_or_bytes)`` and the ``transcript`` runner."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from genloom.errors import InvalidInput
from genloom.models.card import Kind

if TYPE_CHECKING:
    from genloom.api import Result

Progress = Callable[[float, str], None]
MAX_SECONDS = 3 * 3600


def _load(model: str | None) -> Any:
    from genloom.models.registry import get_registry

    registry = get_registry()
    card = registry.card(model) if model else registry.default_card(Kind.transcript)
    if not card.serves(Kind.transcript):
        raise InvalidInput(f"Model {card.id!r} makes {card.kind.value}, not transcripts", param="model")
    return registry.load(card.id)


def transcribe(path_or_bytes: str | Path | bytes, model: str | None = None, lm_text: str | None = None,
               progress: Progress | None = None) -> str:
    """The words spoken in an audio file (WAV, FLAC, OGG, MP3; any rate, mono or stereo).

    ``lm_text``: sentences the speech is expected to contain; the recogniser
    then only considers those words (much more accurate for known scripts).
    """
    from genloom.audio.dsp import resample
    from genloom.audio.wav import decode, pcm16

    samples, rate = decode(path_or_bytes)
    if samples.size / rate > MAX_SECONDS:
        raise InvalidInput(f"The audio is {samples.size / rate / 3600:.1f} hours long; the limit is 3",
                           hint="cut it into parts", param="file")
    transcriber = _load(model)
    peak = float(abs(samples).max()) if samples.size else 0.0
    if peak > 0:
        # Quiet recordings decode badly: bring the peak to a normal level.
        samples = samples * min(1.0 / peak, 30.0) * 0.9
    pcm = pcm16(resample(samples, rate, transcriber.sample_rate))
    return transcriber.transcribe_pcm(pcm, lm_text=lm_text, progress=progress)


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word-level edit distance over the number of reference words."""
    from genloom.backends.pocketsphinx_stt import normalize_words

    ref, hyp = normalize_words(reference), normalize_words(hypothesis)
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
    """``api.create("transcript", "path/to/audio.wav", params={lm_text})``: the prompt is the file path."""
    from genloom.api import Result
    from genloom.audio.output import check_writable, write_output
    from genloom.store.db import get_store

    params = dict(params)
    lm_text = params.pop("lm_text", None)
    if params:
        raise InvalidInput(f"Unknown transcript parameter(s): {', '.join(sorted(params))}",
                           hint="transcript takes lm_text", param=next(iter(params)))
    if not prompt or not str(prompt).strip():
        raise InvalidInput("No audio file given", hint="pass the path of a WAV/FLAC/OGG/MP3 file", param="file")
    path = Path(str(prompt).strip()).expanduser()
    if output is not None:
        check_writable(output)
    transcriber = _load(model)
    start = time.perf_counter()
    text = transcribe(path, model=transcriber.card.id, lm_text=lm_text, progress=progress)
    elapsed = time.perf_counter() - start
    gid = get_store().record_generation(
        kind="transcript", task="transcribe", model_id=transcriber.card.id, prompt=str(path),
        params={"lm_text": bool(lm_text)}, parent_ids=parent_ids, run_id=run_id, duration_ms=elapsed * 1000,
        output=text,
    )
    paths = []
    if output is not None:
        paths = [write_output(Path(output), (text + "\n").encode())]
    return Result(kind="transcript", generation_id=gid, model_id=transcriber.card.id, text=text, paths=paths,
                  meta={"source": str(path), "elapsed_s": round(elapsed, 3)})
