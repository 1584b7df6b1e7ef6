"""``/v1/embeddings``, ``/v1/images/generations``, ``/v1/audio/speech``,
``/v1/audio/transcriptions`` and ``/v1/audio/translations``.

Generator modules are imported inside the handlers: a kind whose module is
not installed answers 501 in OpenAI's error shape, the server still starts.
"""

from __future__ import annotations

import base64
import logging
import struct
import threading
import time
from collections.abc import Iterator
from typing import Any

import anyio
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import PlainTextResponse, Response, StreamingResponse

from genloom.models.card import Kind
from genloom.server.common import (
    has_runner,
    iterate_in_thread,
    require_module,
    resolve_model,
    state,
)
from genloom.server.errors import APIError, not_implemented
from genloom.server.schemas import EmbeddingRequest, ImageRequest, SpeechRequest

router = APIRouter(tags=["openai"])
log = logging.getLogger("genloom.server")

AUDIO_MIME = {"wav": "audio/wav", "mp3": "audio/mpeg", "opus": "audio/ogg", "aac": "audio/aac",
              "flac": "audio/flac", "pcm": "audio/pcm"}


# -- embeddings -------------------------------------------------------------

@router.post("/v1/embeddings", summary="Embeddings (OpenAI-compatible)")
async def embeddings(body: EmbeddingRequest, request: Request) -> dict[str, Any]:
    if isinstance(body.input, str):
        texts = [body.input]
    elif body.input and all(isinstance(x, str) for x in body.input):
        texts = list(body.input)  # type: ignore[arg-type]
    elif not body.input:
        raise APIError("input is empty", status=400, code="invalid_value", param="input")
    else:
        raise APIError("Token-id input is not supported: send strings", status=400, code="unsupported_input",
                       param="input")
    if len(texts) > 2048 or any(not t for t in texts):
        raise APIError("input must hold 1 to 2048 non-empty strings", status=400, code="invalid_value",
                       param="input")
    module = require_module("genloom.embeddings", "Embeddings")
    model_id = resolve_model(request, body.model, Kind.embedding)

    def run() -> Any:
        import numpy as np

        vecs = np.asarray(module.embed(texts, model=model_id), dtype=np.float32)
        if body.dimensions is not None:
            if body.dimensions > vecs.shape[1]:
                raise APIError(f"dimensions must be at most {vecs.shape[1]} for {model_id}", status=400,
                               code="invalid_value", param="dimensions")
            # Truncate and re-normalise, as OpenAI's v3 models do.
            vecs = vecs[:, : body.dimensions]
            norms = np.linalg.norm(vecs, axis=1, keepdims=True)
            vecs = vecs / np.where(norms == 0, 1, norms)
        return vecs

    async with state(request).scheduler.slot(model_id):
        vecs = await anyio.to_thread.run_sync(run)
    data = []
    for i, v in enumerate(vecs):
        emb: Any = base64.b64encode(v.astype("<f4").tobytes()).decode() if body.encoding_format == "base64" \
            else [float(x) for x in v]
        data.append({"object": "embedding", "index": i, "embedding": emb})
    tokens = sum(max(1, len(t) // 4) for t in texts)
    return {"object": "list", "data": data, "model": model_id,
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}


# -- images -------------------------------------------------------------------

@router.post("/v1/images/generations", summary="Image generation (OpenAI-compatible)")
async def images(body: ImageRequest, request: Request) -> dict[str, Any]:
    if not body.prompt.strip():
        raise APIError("The prompt is empty", status=400, code="empty_prompt", param="prompt")
    if not has_runner("image"):
        raise not_implemented("Image generation", "genloom.image")
    model_id = resolve_model(request, body.model, Kind.image)
    params: dict[str, Any] = {"n": body.n}
    if body.size and body.size != "auto":
        w, h = (int(x) for x in body.size.split("x"))
        if not (16 <= w <= 4096 and 16 <= h <= 4096):
            raise APIError(f"size {body.size!r} is out of range (16 to 4096 pixels a side)", status=400,
                           code="invalid_value", param="size")
        params["size"] = body.size
    if body.seed is not None:
        params["seed"] = body.seed % 2**32
    if body.quality and body.quality not in ("standard", "hd", "auto"):
        params["quality"] = body.quality
    # OpenAI's "vivid"/"natural" are moods, not genloom styles (poster, icon, ...): they are dropped.
    if body.style and body.style not in ("vivid", "natural"):
        params["style"] = body.style

    def run() -> Any:
        from genloom.api import create

        return create("image", body.prompt, model=model_id, params=params)

    async with state(request).scheduler.slot(model_id):
        result = await anyio.to_thread.run_sync(run)
    from genloom.store.db import get_store

    store = get_store()
    fmt = body.response_format or "url"
    data = []
    for asset_id in result.asset_ids:
        item: dict[str, Any] = {"revised_prompt": body.prompt}
        if fmt == "b64_json":
            path = store.asset_path(store.asset(asset_id))
            item["b64_json"] = base64.b64encode(path.read_bytes()).decode()
        else:
            item["url"] = state(request).asset_url(request, asset_id)
        item["genloom_asset_id"] = asset_id
        data.append(item)
    return {"created": int(time.time()), "data": data}


# -- speech -------------------------------------------------------------------

def _speech_model(request: Request, name: str | None) -> str | None:
    """A speech model id if the registry knows speech models, else the name as given (or None)."""
    from genloom.models.registry import get_registry

    if not get_registry().cards(Kind.speech):
        return None if not name or name in state(request).settings.aliases else name
    return resolve_model(request, name, Kind.speech)


@router.post("/v1/audio/speech", summary="Text to speech (OpenAI-compatible; streamed)",
             responses={200: {"description": "Audio (wav is streamed)", "content": {
                 m: {} for m in ("audio/wav", "audio/flac", "audio/mpeg", "audio/ogg", "audio/aac", "audio/pcm")}}})
async def speech(body: SpeechRequest, request: Request) -> Any:
    if not body.input.strip():
        raise APIError("input is empty", status=400, code="empty_prompt", param="input")
    module = require_module("genloom.audio.speech", "Speech")
    model_id = _speech_model(request, body.model)
    voice = body.voice.get("id") if isinstance(body.voice, dict) else body.voice
    # "tts-1" and friends name no model in particular: the voice then picks its own model.
    chosen_model = bool(body.model) and body.model not in state(request).settings.aliases and \
        body.model not in Kind.__members__
    if voice and voice.lower() in _openai_voice_names():
        # Apps written for OpenAI name its voices: use the installed voice closest to that voice's traits.
        voice = await anyio.to_thread.run_sync(
            lambda: _voice_by_traits(voice, model_id if chosen_model else None)) if model_id else None
    if voice and not chosen_model:
        model_id = None
    fmt = body.response_format
    mime = AUDIO_MIME[fmt]
    gate_key = model_id or _voice_owner(voice) or "speech"
    # genloom's voices take 0.5x to 2x; OpenAI allows 0.25x to 4x: clamp rather than refuse.
    speed = min(2.0, max(0.5, body.speed))
    kwargs: dict[str, Any] = dict(voice=voice, model=model_id, speed=speed)
    slot = state(request).scheduler.slot(gate_key)
    stream_fn = getattr(module, "stream", None)
    if body.seconds is not None:
        kwargs["fmt"] = {"opus": "ogg"}.get(fmt, fmt)
        async with slot:
            data, real_mime = await anyio.to_thread.run_sync(lambda: _fitted(module, body.input, body.seconds, kwargs))
        asset_id = await anyio.to_thread.run_sync(
            lambda: _record_speech(module, body.input, kwargs, fmt, data, real_mime or mime))
        headers = {"X-AI-Generated": "true", **({"X-Genloom-Asset-Id": asset_id} if asset_id else {})}
        return Response(content=data, media_type=real_mime or mime, headers=headers)
    if callable(stream_fn) and fmt in ("wav", "pcm") and body.stream_format != "sse":
        await slot.__aenter__()
        cancel = threading.Event()

        def make() -> Iterator[bytes]:
            return iter(stream_fn(body.input, **kwargs))

        parts = iterate_in_thread(make, cancel)
        try:
            first = await parts.__anext__()
        except StopAsyncIteration:
            first = b""
        except BaseException as exc:
            await parts.aclose()
            await slot.__aexit__(type(exc), exc, None)
            raise

        async def audio() -> Any:
            pieces = [first] if first else []
            try:
                if first and fmt == "wav":  # pcm: the raw 16-bit samples, without the WAV header
                    yield first
                async for part in parts:
                    pieces.append(part)
                    yield part
            finally:
                await parts.aclose()
                await slot.__aexit__(None, None, None)
            # Only a stream that ran to the end is recorded (as a WAV with real sizes).
            data = _finish_wav(pieces)
            await anyio.to_thread.run_sync(lambda: _record_speech(module, body.input, kwargs, "wav", data,
                                                                  "audio/wav"))

        return StreamingResponse(audio(), media_type=mime, headers={"X-AI-Generated": "true"})

    kwargs["fmt"] = {"opus": "ogg"}.get(fmt, fmt)
    async with slot:
        data, real_mime = await anyio.to_thread.run_sync(lambda: module.synthesize(body.input, **kwargs))
    asset_id = await anyio.to_thread.run_sync(
        lambda: _record_speech(module, body.input, kwargs, fmt, data, real_mime or mime))
    headers = {"X-AI-Generated": "true", **({"X-Genloom-Asset-Id": asset_id} if asset_id else {})}
    return Response(content=data, media_type=real_mime or mime, headers=headers)


def _openai_voice_names() -> set[str]:
    from genloom.audio.voices import OPENAI_VOICES

    return set(OPENAI_VOICES)


def _voice_owner(voice: str | None) -> str | None:
    """The speech model that owns ``voice`` (its queue is the one to wait in), without loading anything."""
    from genloom.models.registry import get_registry

    if not voice:
        return None
    return next((c.id for c in get_registry().cards(Kind.speech) if voice in c.options.get("voices", [])), None)


def _voice_by_traits(voice: str, model: str | None) -> str:
    """An installed voice id for ``voice``: itself when installed, else the best match for an OpenAI name's traits."""
    from genloom.audio.voices import resolve

    return resolve({"name": voice}, model=model)[0]


def _fitted(module: Any, text: str, seconds: float, kwargs: dict[str, Any]) -> tuple[bytes, str]:
    """Speech fitted to ``seconds`` (see ``genloom.audio.speech.fit_duration``), encoded."""
    from genloom.audio.wav import encode

    speech, fit = module.fit_duration(text, seconds, voice=kwargs.get("voice"), model=kwargs.get("model"),
                                      speed=kwargs.get("speed", 1.0))
    kwargs["speed"] = fit["speed"]
    return encode(speech.samples, speech.sample_rate, kwargs.get("fmt", "wav"), {**speech.meta(text), **fit})


def _finish_wav(pieces: list[bytes]) -> bytes:
    """A streamed WAV (sizes unknown when its header was sent) with its real sizes filled in."""
    if not pieces:
        return b""
    header, pcm = pieces[0], b"".join(pieces[1:])
    if header[:4] == b"RIFF" and header[-8:-4] == b"data":
        header = b"RIFF" + struct.pack("<I", len(header) - 8 + len(pcm)) + header[8:-4] + struct.pack("<I", len(pcm))
    return header + pcm


def _record_speech(module: Any, text: str, kwargs: dict[str, Any], fmt: str, data: bytes, mime: str) -> str | None:
    """Record a speech response in the provenance store; returns the asset id."""
    if not data:
        return None
    from genloom.api import record_files

    try:
        voice, model_id = kwargs.get("voice"), kwargs.get("model")
        resolve = getattr(module, "resolve", None)
        if callable(resolve):
            loaded, voice = resolve(voice, model_id)
            model_id = loaded.card.id
        ext = {"opus": ".ogg", "pcm": ".pcm"}.get(fmt, f".{fmt}")
        _, ids, _ = record_files(kind="speech", task="speech", model_id=model_id or "speech", prompt=text,
                                 params={"voice": voice, "speed": kwargs.get("speed"), "format": fmt,
                                         "api": "audio.speech"},
                                 files=[{"data": data, "mime": mime, "ext": ext}])
        return ids[0] if ids else None
    except Exception:  # the caller already has its audio; a failed record must not turn into an error
        log.exception("could not record a speech response")
        return None


# -- transcription -----------------------------------------------------------------

_TRANSCRIPT_CONTENT = {"application/json": {}, "text/plain": {}, "text/vtt": {}, "application/x-subrip": {}}


@router.post("/v1/audio/transcriptions", summary="Speech to text (OpenAI-compatible, multipart upload)",
             responses={200: {"description": "The transcript", "content": _TRANSCRIPT_CONTENT}})
async def transcriptions(
    request: Request,
    file: UploadFile = File(..., description="Audio file (wav, flac, ogg, mp3)"),
    model: str | None = Form(None, max_length=200),
    language: str | None = Form(None, max_length=20),
    prompt: str | None = Form(None, max_length=4000),
    response_format: str = Form("json", pattern="^(json|text|verbose_json|srt|vtt)$"),
    temperature: float | None = Form(None, ge=0.0, le=1.0),
    timestamp_granularities: list[str] | None = Form(None, alias="timestamp_granularities[]"),
) -> Any:
    words = bool(timestamp_granularities and "word" in timestamp_granularities)
    return await _speech_to_text(request, file, model, language, prompt, response_format, temperature,
                                 task="transcribe", words=words)


@router.post("/v1/audio/translations", summary="Speech in any language to English text (OpenAI-compatible)",
             responses={200: {"description": "The English translation", "content": _TRANSCRIPT_CONTENT}})
async def translations(
    request: Request,
    file: UploadFile = File(..., description="Audio file (wav, flac, ogg, mp3)"),
    model: str | None = Form(None, max_length=200),
    prompt: str | None = Form(None, max_length=4000),
    response_format: str = Form("json", pattern="^(json|text|verbose_json|srt|vtt)$"),
    temperature: float | None = Form(None, ge=0.0, le=1.0),
) -> Any:
    return await _speech_to_text(request, file, model, None, prompt, response_format, temperature,
                                 task="translate", words=False)


async def _speech_to_text(request: Request, file: UploadFile, model: str | None, language: str | None,
                          prompt: str | None, response_format: str, temperature: float | None, *, task: str,
                          words: bool) -> Any:
    limit = state(request).settings.max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise APIError(f"Uploaded file is larger than {limit // 2**20} MB", status=413, code="file_too_large",
                       param="file")
    if not data:
        raise APIError("Uploaded file is empty", status=400, code="invalid_value", param="file")
    module = require_module("genloom.audio.transcribe", "Transcription")
    from genloom.audio.transcript import render
    from genloom.models.registry import get_registry

    model_id: str | None = None
    if get_registry().cards(Kind.transcript):
        model_id = resolve_model(request, model, Kind.transcript)
    elif model and model not in state(request).settings.aliases:
        model_id = model
    timed = words or response_format in ("verbose_json", "srt", "vtt")

    def run() -> Any:
        return module.transcribe_full(data, model=model_id, language=language, task=task, prompt=prompt,
                                      temperature=temperature, word_timestamps=timed)

    async with state(request).scheduler.slot(model_id or "transcript"):
        transcript = await anyio.to_thread.run_sync(run)
    await anyio.to_thread.run_sync(
        lambda: _record_transcript(transcript.model or model_id, transcript.text, file.filename, len(data), task))
    body, mime = render(transcript, response_format)
    if isinstance(body, dict):
        if response_format == "verbose_json" and not words:
            body.pop("words", None)  # OpenAI sends words only when timestamp_granularities asks for them
        if response_format == "json" and words:
            body["words"] = transcript.verbose()["words"]
        return body
    return PlainTextResponse(body, media_type=mime)


def _record_transcript(model_id: str | None, text: str, filename: str | None, size: int,
                       task: str = "transcribe") -> None:
    from genloom.store.db import get_store

    try:
        if model_id is None:
            from genloom.models.registry import get_registry

            model_id = get_registry().default_card(Kind.transcript).id
        get_store().record_generation(kind="transcript", task=task, model_id=model_id, output=text,
                                      params={"api": {"transcribe": "audio.transcriptions",
                                                      "translate": "audio.translations"}[task],
                                              "filename": filename, "bytes": size})
    except Exception:  # the transcript is already made; recording is best-effort
        log.exception("could not record a transcription")
