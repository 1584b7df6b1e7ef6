"""``POST /v1/sound-generation``: sound effects and ambiences, in the request shape LocalAI and
ElevenLabs use (``text``, ``duration_seconds``, ``prompt_influence``, ``model_id``, ``loop``).

The reply is the audio file itself (WAV unless ``output_format`` asks for
mp3/flac/ogg), labelled AI-generated inside the file and in ``X-AI-Generated``;
``X-Genloom-Asset-Id`` names its provenance record.
"""

from __future__ import annotations

import re
from typing import Any

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from genloom.models.card import Kind
from genloom.server.common import has_runner, resolve_model, state
from genloom.server.errors import APIError, not_implemented

router = APIRouter(tags=["sound"])

# ElevenLabs names formats codec_rate[_bitrate] ("mp3_44100_128", "pcm_16000"); the codec is what counts here.
_FORMAT = re.compile(r"^(wav|mp3|flac|ogg|opus|pcm)(?:_\d+)*$")


class SoundGenerationRequest(BaseModel):
    text: str = Field(..., max_length=4000, description="What the sound should be: 'rain on a tin roof'.")
    duration_seconds: float | None = Field(None, ge=0.1, le=3600, description="Length; default 30 s for "
                                           "ambiences, the natural length for effects.")
    prompt_influence: float | None = Field(None, ge=0.0, le=1.0, description="How strongly the prompt's "
                                           "modifiers (gentle, heavy) shape the sound (default 0.3).")
    model_id: str | None = Field(None, max_length=200)
    model: str | None = Field(None, max_length=200, description="Alias of model_id (LocalAI).")
    loop: bool | None = Field(None, description="A seamless loop point (default: on for ambiences).")
    seed: int | None = Field(None, ge=0, le=2**31 - 1)
    output_format: str | None = Field(None, max_length=40, description="wav (default), mp3, flac or ogg.")
    model_config = {"extra": "forbid"}


def _format(value: str | None) -> str:
    m = _FORMAT.match((value or "wav").lower())
    if not m or m.group(1) == "pcm":
        raise APIError(f"output_format {value!r} is not supported", status=400, code="invalid_value",
                       param="output_format", hint="wav, mp3, flac or ogg (e.g. mp3_44100_128)")
    return {"opus": "ogg"}.get(m.group(1), m.group(1))


@router.post("/v1/sound-generation", summary="Sound effects and ambiences (LocalAI / ElevenLabs shape)",
             responses={200: {"description": "The audio file", "content": {
                 m: {} for m in ("audio/wav", "audio/mpeg", "audio/flac", "audio/ogg")}}})
async def sound_generation(body: SoundGenerationRequest, request: Request,
                           output_format: str | None = Query(None, max_length=40)) -> Response:
    if not body.text.strip():
        raise APIError("text is empty", status=400, code="empty_prompt", param="text")
    if not has_runner("sound"):
        raise not_implemented("Sound generation", "genloom.sound")
    fmt = _format(output_format or body.output_format)
    model_id = resolve_model(request, body.model_id or body.model, Kind.sound)
    params: dict[str, Any] = {"seconds": body.duration_seconds, "prompt_influence": body.prompt_influence,
                              "loop": body.loop, "seed": body.seed, "format": fmt}
    params = {k: v for k, v in params.items() if v is not None}

    def run() -> Any:
        from genloom.api import create

        return create("sound", body.text, model=model_id, params=params)

    async with state(request).scheduler.slot(model_id):
        result = await anyio.to_thread.run_sync(run)
    data = result.paths[0].read_bytes()
    headers = {"X-AI-Generated": "true", "X-Genloom-Asset-Id": result.asset_ids[0],
               "X-Genloom-Sound": result.meta["sound"], "X-Genloom-Seed": str(result.meta["seed"])}
    return Response(content=data, media_type=result.meta["mime"], headers=headers)
