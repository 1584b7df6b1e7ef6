"""Text to speech: ``synthesize`` (whole file) and ``stream`` (sentence by sentence).

Both resolve a speech model from the registry (``model`` id, or the model
owning ``voice``, or the default voice), split the text into sentences and
synthesize one sentence at a time, joining them with short fades and pauses so
nothing clicks. The server and the CLI call these; ``run_speech`` is the
``api.create("speech", ...)`` runner that also records the result.

A loaded speech model (what a ``speech`` backend's factory returns) provides
``card``, ``sample_rate``, ``voices``, ``default_voice``,
``synth(sentence, *, voice, speed, seed) -> float32 samples`` and optionally
``check_voice(voice)``, which raises when that voice cannot be used.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from genloom.errors import GenerationFailed, GenloomError, InvalidInput
from genloom.models.card import Kind, ModelCard

if TYPE_CHECKING:
    import numpy as np

    from genloom.api import Result

Progress = Callable[[float, str], None]
MIN_SPEED, MAX_SPEED = 0.5, 2.0
PAUSE_S = 0.12  # between sentences: about a natural breath
# Fitting a clip to an asked length changes the speaking rate only this much, so it still sounds natural;
# a script further off than that keeps its natural length and the result says so.
FIT_SPEEDS = (0.75, 1.35)
FIT_TOLERANCE = 0.03   # stop adjusting once within 3 % (the promise is ±10 %)
FIT_PASSES = 5         # syntheses at most
PAD_SHORTFALL = 0.15   # a clip at most this much short is padded with trailing silence to the asked length


@dataclass
class Speech:
    samples: np.ndarray
    sample_rate: int
    model_id: str
    voice: str
    seed: int
    sentences: list[str] = field(default_factory=list)
    synth_s: float = 0.0

    @property
    def duration_s(self) -> float:
        return self.samples.size / self.sample_rate

    def meta(self, text: str | None = None) -> dict[str, Any]:
        return {"model": self.model_id, "voice": self.voice, "seed": self.seed, "sample_rate": self.sample_rate,
                "duration_s": round(self.duration_s, 3),
                "source_text": text[:500] if text else None}


def speech_cards() -> list[ModelCard]:
    from genloom.models.registry import get_registry

    return get_registry().cards(Kind.speech)


def list_voices() -> list[dict[str, Any]]:
    """Every voice of every speech model, with its model and install status."""
    rows = []
    for card in speech_cards():
        status = card.installed_status()
        bundled = card.options.get("bundled_voices")
        for v in card.options.get("voices", []):
            ready = status == "installed" and (bundled is None or v in bundled or _hibari_cached(v))
            rows.append({"voice": v, "model": card.id, "default": v == card.options.get("default_voice"),
                         "installed": ready, "license": card.license})
    return rows


def _hibari_cached(voice: str) -> bool:
    try:
        from hibari.voices import voice_path

        voice_path(voice, download_missing=False)
        return True
    except (ImportError, FileNotFoundError, ValueError):
        return False


def resolve(voice: str | None = None, model: str | None = None) -> tuple[Any, str]:
    """The loaded speech model and the voice name to use."""
    from genloom.models.registry import get_registry

    registry = get_registry()
    if model:
        card = registry.card(model)
        if not card.serves(Kind.speech):
            raise InvalidInput(f"Model {card.id!r} makes {card.kind.value}, not speech",
                               hint="see 'genloom models' for speech models", param="model")
    elif voice:
        owners = [c for c in registry.cards(Kind.speech)
                  if voice in c.options.get("voices", []) or voice == c.id or voice in c.aliases]
        if not owners:
            names = sorted({v for c in registry.cards(Kind.speech) for v in c.options.get("voices", [])})
            raise InvalidInput(f"Unknown voice {voice!r}", hint=f"available voices: {', '.join(names)}", param="voice")
        card = next((c for c in owners if c.is_installed()), owners[0])
        if voice == card.id or voice in card.aliases:
            voice = None
    else:
        card = registry.default_card(Kind.speech)
    loaded = registry.load(card.id)
    return loaded, voice or loaded.default_voice


def _check_speed(speed: float) -> float:
    try:
        speed = float(speed)
    except (TypeError, ValueError):
        raise InvalidInput(f"speed must be a number, got {speed!r}", param="speed") from None
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise InvalidInput(f"speed {speed} is out of range", hint=f"use {MIN_SPEED} to {MAX_SPEED} (1.0 = normal)",
                           param="speed")
    return speed


def _prepare(text: str, voice: str | None, model: str | None, speed: float, seed: int | None
             ) -> tuple[Any, str, list[str], float, int]:
    from genloom.audio.text import clean, split_sentences

    sentences = split_sentences(clean(text))
    speed = _check_speed(speed)
    loaded, voice_name = resolve(voice, model)
    if voice_name not in loaded.voices:
        raise InvalidInput(f"Unknown voice {voice_name!r} for model {loaded.card.id}",
                           hint=f"voices: {', '.join(loaded.voices)}", param="voice")
    check = getattr(loaded, "check_voice", None)
    if callable(check):
        check(voice_name)  # fail now, before any audio, if this voice's files are missing
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    return loaded, voice_name, sentences, speed, seed


def _clips(loaded: Any, voice: str, sentences: list[str], speed: float, seed: int,
           progress: Progress | None) -> Iterator[np.ndarray]:
    for i, sentence in enumerate(sentences):
        try:
            # Each sentence gets its own derived seed, so streamed and whole-file output agree.
            clip = loaded.synth(sentence, voice=voice, speed=speed, seed=seed + i)
        except GenloomError:
            raise
        except Exception as exc:  # an ONNX or G2P failure on odd input
            raise GenerationFailed(f"Voice {voice!r} failed on sentence {i + 1}: {exc}",
                                   hint="simplify the text (plain words and punctuation)") from exc
        if progress:
            progress((i + 1) / len(sentences), f"sentence {i + 1}/{len(sentences)}")
        yield clip


def speak(text: str, voice: str | None = None, model: str | None = None, speed: float = 1.0,
          seed: int | None = None, progress: Progress | None = None) -> Speech:
    """Synthesize ``text`` to samples (the array-level API under ``synthesize``)."""
    from genloom.audio.dsp import join

    loaded, voice_name, sentences, speed, seed = _prepare(text, voice, model, speed, seed)
    start = time.perf_counter()
    samples = join(_clips(loaded, voice_name, sentences, speed, seed, progress), loaded.sample_rate, PAUSE_S)
    if samples.size == 0:
        raise InvalidInput("The voice could not read any of this text",
                           hint="it may be in a language or script the voice does not speak (English only)",
                           param="input")
    return Speech(samples, loaded.sample_rate, loaded.card.id, voice_name, seed, sentences,
                  time.perf_counter() - start)


def synthesize(text: str, voice: str | None = None, model: str | None = None, speed: float = 1.0,
               fmt: str = "wav", seed: int | None = None, progress: Progress | None = None) -> tuple[bytes, str]:
    """Text to a complete audio file: ``(bytes, mime type)``; ``fmt`` is wav, flac, ogg or mp3."""
    from genloom.audio.wav import check_format, encode

    fmt = check_format(fmt)
    speech = speak(text, voice=voice, model=model, speed=speed, seed=seed, progress=progress)
    return encode(speech.samples, speech.sample_rate, fmt, speech.meta(text))


def stream(text: str, voice: str | None = None, model: str | None = None, speed: float = 1.0,
           seed: int | None = None) -> Iterator[bytes]:
    """A streamed WAV: the header (length unknown), then 16-bit PCM one sentence at a time.

    Validation and model loading happen at the call, so a bad request fails
    before the first byte is sent; audio is synthesized as it is consumed.
    """
    from genloom.audio.dsp import fade, silence
    from genloom.audio.wav import pcm16, wav_header

    loaded, voice_name, sentences, speed, seed = _prepare(text, voice, model, speed, seed)
    meta = {"model": loaded.card.id, "voice": voice_name, "seed": seed, "sample_rate": loaded.sample_rate}

    def generate() -> Iterator[bytes]:
        yield wav_header(loaded.sample_rate, None, meta)
        gap = pcm16(silence(loaded.sample_rate, PAUSE_S))
        first = True
        for clip in _clips(loaded, voice_name, sentences, speed, seed, None):
            if clip.size == 0:
                continue
            yield (b"" if first else gap) + pcm16(fade(clip, loaded.sample_rate))
            first = False

    return generate()


def fit_duration(text: str, seconds: float, *, voice: str | None = None, model: str | None = None,
                 speed: float = 1.0, seed: int | None = None, progress: Progress | None = None
                 ) -> tuple[Speech, dict[str, Any]]:
    """Speak ``text`` so the clip lasts about ``seconds``: search the speaking rate, then pad the end.

    A clip's length falls as the rate rises, but not in proportion (pauses
    stay, and a voice like hibari moves in steps), so the rate is found by a
    bracketed secant search: each pass interpolates between the closest rates
    known to be too slow and too fast. The rate stays within
    :data:`FIT_SPEEDS` of the asked ``speed``; a clip then up to
    :data:`PAD_SHORTFALL` short gets trailing silence. At most
    :data:`FIT_PASSES` syntheses; the closest one is kept.
    """
    import numpy as np

    from genloom.audio.dsp import silence

    if seconds <= 0:
        raise InvalidInput(f"seconds must be positive, got {seconds}", param="seconds")
    base = _check_speed(speed)
    lo, hi = max(MIN_SPEED, base * FIT_SPEEDS[0]), min(MAX_SPEED, base * FIT_SPEEDS[1])
    first = speak(text, voice=voice, model=model, speed=base, seed=seed, progress=progress)
    tried: dict[float, Speech] = {base: first}

    def synth(rate: float) -> Speech:
        if rate not in tried:
            tried[rate] = speak(text, voice=first.voice, model=first.model_id, speed=rate, seed=first.seed)
        return tried[rate]

    def error(rate: float) -> float:
        return tried[rate].duration_s - seconds  # > 0: too long, speak faster

    rate = base
    for _ in range(FIT_PASSES - 1):
        if abs(error(rate)) <= FIT_TOLERANCE * seconds:
            break
        slow = [r for r in tried if error(r) > 0]   # too long
        fast = [r for r in tried if error(r) < 0]   # too short
        if slow and fast:
            a, b = max(slow), min(fast)
            ea, eb = error(a), error(b)
            nxt = a + (b - a) * ea / (ea - eb)
            nxt = min(max(nxt, a + 0.1 * (b - a)), b - 0.1 * (b - a))  # stay inside the bracket
        else:
            # One side only: assume length ~ 1/rate for the voiced part, and go to the limit if need be.
            pauses = PAUSE_S * max(0, len(first.sentences) - 1)
            d = tried[rate].duration_s
            nxt = rate * (d - pauses) / max(seconds - pauses, 1e-3)
            nxt = min(hi, max(lo, nxt))
        nxt = round(nxt, 4)
        if nxt in tried:
            break
        synth(nxt)
        rate = min(tried, key=lambda r: abs(error(r)))
    speech = tried[rate]
    natural = speech.duration_s
    short = seconds - natural
    if 0 < short <= PAD_SHORTFALL * seconds:
        speech.samples = np.concatenate([speech.samples, silence(speech.sample_rate, short)])
    within = abs(speech.duration_s - seconds) <= 0.10 * seconds
    note = "" if within else (
        f"the script runs {natural:.1f} s at the fastest natural rate; shorten it for {seconds:g} s"
        if natural > seconds else
        f"the script runs {natural:.1f} s at the slowest natural rate; lengthen it for {seconds:g} s")
    return speech, {"seconds_asked": seconds, "speed": round(rate, 3), "fits": within,
                    "fit_passes": len(tried), **({"fit_note": note} if note else {})}


def _is_default_speech_model(model: str) -> bool:
    from genloom.models.registry import get_registry

    registry = get_registry()
    return registry.card(model).id == registry.default_card(Kind.speech).id


def _voice_from_traits(traits: Any, language: str | None, style: str | None) -> tuple[str | None, str | None]:
    """(voice id, reason) for the spec's voice traits (a ``style`` word counts as the tone when none is given)."""
    from genloom.audio.voices import resolve as resolve_voice

    traits = dict(traits or {}) if isinstance(traits, dict) else None
    if traits is None:
        raise InvalidInput("voice_traits must be an object like {\"gender\": \"male\", \"pitch\": \"low\"}",
                           param="voice_traits")
    if style and not traits.get("tone"):
        traits["tone"] = style
    if not any(traits.values()) and not language:
        return None, None
    return resolve_voice(traits, language=language)


def run_speech(prompt: str, *, model: str | None, params: dict[str, Any], output: Path | None,
               parent_ids: list[str] | None, run_id: str | None, progress: Progress | None) -> Result:
    """``api.create("speech", text, params={voice, voice_traits, speed, seconds, language, style, verbatim,
    format, seed, sidecar})``.

    ``voice`` wins over ``voice_traits``; traits (and ``language``) choose the best
    installed voice, and the result's meta says which and why. ``seconds``
    fits the clip to that length (:func:`fit_duration`). ``verbatim`` is
    accepted for the brain's contract: the prompt is always spoken as given.
    """
    from genloom.api import Result, record_files
    from genloom.audio.label import write_sidecar
    from genloom.audio.output import check_writable, write_output
    from genloom.audio.wav import check_format, encode, format_for_path

    params = dict(params)
    voice = params.pop("voice", None)
    traits = params.pop("voice_traits", None)
    language = params.pop("language", None)
    style = params.pop("style", None)
    params.pop("verbatim", None)
    seconds = params.pop("seconds", None)
    speed = params.pop("speed", None)
    speed = 1.0 if speed is None else speed
    seed = params.pop("seed", None)
    sidecar = bool(params.pop("sidecar", False))
    fmt = check_format(params.pop("format", None) or format_for_path(output))
    if params:
        raise InvalidInput(f"Unknown speech parameter(s): {', '.join(sorted(params))}",
                           hint="speech takes voice, voice_traits, speed, seconds, language, style, verbatim, "
                                "format, seed", param=next(iter(params)))
    if output is not None:
        check_writable(output)
    reason = None
    if model and not voice and (traits or language) and _is_default_speech_model(model):
        model = None  # a plan names the kind's default model; asked traits may choose another model's voice
    if not voice and not model and (traits is not None or language or style):
        voice, reason = _voice_from_traits(traits or {}, language, style)
    elif voice and language:
        from genloom.audio.voices import resolve as resolve_voice

        resolve_voice({"name": voice}, language=language)  # fails when the named voice cannot speak it
    fit: dict[str, Any] = {}
    if seconds is not None:
        try:
            seconds = float(seconds)
        except (TypeError, ValueError):
            raise InvalidInput(f"seconds must be a number, got {seconds!r}", param="seconds") from None
        speech, fit = fit_duration(prompt, seconds, voice=voice, model=model, speed=speed, seed=seed,
                                   progress=progress)
        speed = fit["speed"]
    else:
        speech = speak(prompt, voice=voice, model=model, speed=speed, seed=seed, progress=progress)
    meta = {**speech.meta(prompt), **({"voice_reason": reason} if reason else {}), **fit}
    data, mime = encode(speech.samples, speech.sample_rate, fmt, meta)
    record_params = {"voice": speech.voice, "speed": float(speed), "format": fmt,
                     **({"seconds": seconds} if seconds is not None else {}),
                     **({"voice_traits": traits} if traits else {}), **({"language": language} if language else {})}
    gid, ids, stored = record_files(
        kind="speech", task="speak", model_id=speech.model_id, prompt=prompt, params=record_params, seed=speech.seed,
        parent_ids=parent_ids, run_id=run_id, duration_ms=speech.synth_s * 1000,
        files=[{"data": data, "mime": mime, "ext": f".{fmt}", "meta": meta}],
    )
    paths = list(stored)
    if output is not None:
        paths = [write_output(Path(output), data)]
        if sidecar:
            write_sidecar(Path(output), {**meta, "generation_id": gid, "asset_id": ids[0]})
    return Result(kind="speech", generation_id=gid, model_id=speech.model_id, asset_ids=ids, paths=paths,
                  meta={**meta, "format": fmt, "mime": mime, "sentences": len(speech.sentences),
                        "synth_s": round(speech.synth_s, 3), "stored": [str(p) for p in stored]})
