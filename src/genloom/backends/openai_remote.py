"""Remote providers: any OpenAI-compatible endpoint as a genloom backend.

Another genloom, Ollama, vLLM, LocalAI, llama.cpp's server or a hosted API:
register it once and it serves its kind like a local model::

    genloom models add-remote my-ollama --base-url http://127.0.0.1:11434/v1 \\
        --kind text --model qwen2.5:7b
    genloom models add-remote openai-tts --base-url https://api.openai.com/v1 \\
        --kind speech --model tts-1 --key-env OPENAI_API_KEY

Remotes are kept in ``$GENLOOM_HOME/remotes.json``. The API key comes from
the environment variable named by ``--key-env`` or, failing that, from
``$GENLOOM_HOME/keys.json`` (``{"NAME": "sk-..."}``, keep it ``chmod 600``);
keys are never written into the remotes file or the provenance log. With no
key, no ``Authorization`` header is sent (local servers rarely want one).

Kinds and endpoints: text/code ``/chat/completions`` and ``/completions``
(streamed over SSE), image ``/images/generations`` (b64_json), speech
``/audio/speech`` (wav), transcript ``/audio/transcriptions``, embedding
``/embeddings``.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import threading
import wave
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from genloom import config
from genloom.errors import (
    BackendUnavailable,
    GenerationFailed,
    GenloomError,
    InvalidInput,
    ModelNotFound,
    WeightsMissing,
)
from genloom.models.card import Kind, ModelCard
from genloom.text.base import Chunk, TextModel
from genloom.text.params import GenerationParams, Message

BACKEND = "openai-remote"
REMOTE_KINDS = ("text", "code", "image", "speech", "embedding", "transcript")
_lock = threading.Lock()


class RemoteError(GenloomError):
    status = 502
    code = "remote_error"
    type = "server_error"


# -- registration -------------------------------------------------------------------


def _remotes_file() -> Path:
    return config.home() / "remotes.json"


def load_remotes() -> list[ModelCard]:
    path = _remotes_file()
    if not path.exists():
        return []
    try:
        return [ModelCard.model_validate(c) for c in json.loads(path.read_text()).get("models", [])]
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"{path} is not a valid remotes file: {exc}", hint="fix or delete it") from exc


def _save(cards: list[ModelCard]) -> None:
    from genloom.store.files import atomic_write_bytes

    payload = {"models": [c.model_dump(mode="json") for c in cards]}
    atomic_write_bytes(_remotes_file(), json.dumps(payload, indent=2).encode())


def register_remotes(register: Callable[[ModelCard], None]) -> None:
    try:
        cards = load_remotes()
    except InvalidInput:
        return  # a broken remotes file must not take the whole registry down
    for card in cards:
        register(card)


def add_remote(name: str, *, base_url: str, kind: str, model: str, key_env: str | None = None,
               also: list[str] | None = None, options: dict[str, Any] | None = None) -> ModelCard:
    from genloom.models.registry import get_registry

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._:-]*", name):
        raise InvalidInput(f"Invalid remote name {name!r}", hint="letters, digits, '.', '_', ':' and '-'", param="name")
    if kind not in REMOTE_KINDS:
        raise InvalidInput(f"A remote cannot serve {kind!r}", hint=f"one of {', '.join(REMOTE_KINDS)}", param="kind")
    if not re.match(r"^https?://[^/\s]+", base_url):
        raise InvalidInput(f"--base-url must be an http(s) URL, got {base_url!r}", param="base_url")
    if key_env is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key_env):
        raise InvalidInput(f"--key-env must name an environment variable, got {key_env!r}", param="key_env")
    registry = get_registry()
    remotes = load_remotes()
    if name in registry._cards and name not in {c.id for c in remotes}:
        raise InvalidInput(f"Model id {name!r} is already taken", hint="choose another NAME", param="name")
    card = ModelCard(
        id=name, name=f"{model} @ {base_url}", kind=Kind(kind), also=[Kind(a) for a in also or []],
        tasks=_tasks(kind), backend=BACKEND, size_bytes=0, license="see the provider's terms",
        source=f"remote: {base_url.rstrip('/')} ({model})",
        description="OpenAI-compatible remote endpoint",
        options={"base_url": base_url.rstrip("/"), "model": model, "key_env": key_env, **(options or {})},
    )
    with _lock:
        _save([c for c in remotes if c.id != name] + [card])
    registry.register(card)
    return card


def remove_remote(name: str) -> None:
    from genloom.models.registry import reset_registry

    with _lock:
        remotes = load_remotes()
        kept = [c for c in remotes if c.id != name]
        if len(kept) == len(remotes):
            raise ModelNotFound(f"No remote named {name!r}", hint="'genloom models' lists them")
        _save(kept)
    reset_registry()


def _tasks(kind: str) -> list[str]:
    from genloom.catalog import DEFAULT_TASKS

    return list(DEFAULT_TASKS[kind])


def status(card: ModelCard) -> str:
    # A remote is usable once its key (if it names one) is available; the
    # endpoint itself is only contacted when the model is used.
    return "installed" if card.options.get("key_env") is None or _key(card) else "missing"


def _key(card: ModelCard) -> str | None:
    env = card.options.get("key_env")
    if env and os.environ.get(env):
        return os.environ[env]
    keys = config.home() / "keys.json"
    if keys.exists():
        try:
            value = json.loads(keys.read_text()).get(card.id)
        except (OSError, ValueError) as exc:
            raise InvalidInput(f"{keys} is not valid JSON: {exc}", hint='expected {"NAME": "KEY"}') from exc
        if value:
            return str(value)
    return None


# -- HTTP ------------------------------------------------------------------------


class _Client:
    def __init__(self, card: ModelCard):
        try:
            import httpx
        except ImportError:
            raise BackendUnavailable("Remote providers need httpx", hint="pip install httpx") from None
        self.card = card
        self.base = card.options["base_url"]
        self.model = card.options["model"]
        key = _key(card)
        if card.options.get("key_env") and not key:
            raise WeightsMissing(
                f"No API key for remote {card.id!r}",
                hint=f"export {card.options['key_env']}=... or add it to {config.home() / 'keys.json'}",
            )
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        timeout = float(os.environ.get("GENLOOM_REMOTE_TIMEOUT", "300"))
        self.http = httpx.Client(base_url=self.base, headers=headers,
                                 timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)))

    def _fail(self, exc: BaseException) -> RemoteError:
        return RemoteError(f"Remote {self.card.id} ({self.base}) failed: {type(exc).__name__}: {exc}",
                           hint="check that the server is running and the URL ends in /v1")

    def _check(self, response: Any) -> None:
        if response.status_code < 400:
            return
        try:
            response.read()
            detail = response.json().get("error", {})
            message = detail.get("message") if isinstance(detail, dict) else str(detail)
        except Exception:
            message = response.text[:200]
        cls = InvalidInput if response.status_code in (400, 422) else RemoteError
        raise cls(f"Remote {self.card.id} answered {response.status_code}: {message}",
                  hint="check the model name and your key" if response.status_code in (401, 403, 404) else None)

    def post(self, path: str, **kw: Any) -> Any:
        import httpx

        try:
            response = self.http.post(path, **kw)
        except httpx.HTTPError as exc:
            raise self._fail(exc) from exc
        self._check(response)
        return response

    def stream(self, path: str, body: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """POST with ``stream: true``; yield each SSE ``data:`` JSON object."""
        import httpx

        try:
            with self.http.stream("POST", path, json=body) as response:
                self._check(response)
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        return
                    try:
                        yield json.loads(data)
                    except ValueError as exc:
                        raise RemoteError(f"Remote {self.card.id} sent a malformed event: {data[:80]}") from exc
        except httpx.HTTPError as exc:
            raise self._fail(exc) from exc

    def close(self) -> None:
        self.http.close()


# -- models ------------------------------------------------------------------------


def _sampling(params: GenerationParams) -> dict[str, Any]:
    body: dict[str, Any] = {"temperature": params.temperature, "top_p": params.top_p,
                            "max_tokens": params.max_tokens}
    if params.stop:
        body["stop"] = params.stop
    if params.seed is not None:
        body["seed"] = params.seed
    if params.frequency_penalty:
        body["frequency_penalty"] = params.frequency_penalty
    if params.presence_penalty:
        body["presence_penalty"] = params.presence_penalty
    if params.json_schema is not None:
        body["response_format"] = {"type": "json_schema",
                                   "json_schema": {"name": "output", "schema": params.json_schema, "strict": True}}
    elif params.json_object:
        body["response_format"] = {"type": "json_object"}
    return body


class RemoteText(TextModel):
    supports_schema = True

    def __init__(self, card: ModelCard):
        super().__init__(card)
        self.client = _Client(card)

    def _run(self, path: str, body: dict[str, Any], pick: Callable[[dict[str, Any]], str]) -> Iterator[Chunk]:
        body = {**body, "model": self.client.model, "stream": True, "stream_options": {"include_usage": True}}
        finish: str | None = None
        usage: dict[str, Any] = {}
        for event in self.client.stream(path, body):
            usage = event.get("usage") or usage
            for choice in event.get("choices") or []:
                piece = pick(choice)
                if piece:
                    yield Chunk(piece)
                finish = choice.get("finish_reason") or finish
        yield Chunk("", finish_reason=finish or "stop", prompt_tokens=usage.get("prompt_tokens"),
                    completion_tokens=usage.get("completion_tokens"))

    def chat_stream(self, messages: list[Message], params: GenerationParams) -> Iterator[Chunk]:
        body = {"messages": [m.model_dump() for m in messages], **_sampling(params)}
        return self._run("/chat/completions", body, lambda c: (c.get("delta") or {}).get("content") or "")

    def complete_stream(self, prompt: str, params: GenerationParams) -> Iterator[Chunk]:
        body = {"prompt": prompt, **_sampling(params)}
        return self._run("/completions", body, lambda c: c.get("text") or "")

    def close(self) -> None:
        self.client.close()


class RemoteImage:
    """An image model for the image runner (``validate``/``generate(ImageRequest)``), plus raw ``generate_bytes``."""

    neural = True

    def __init__(self, card: ModelCard):
        self.card = card
        self.client = _Client(card)

    def generate_bytes(self, prompt: str, *, size: str = "512x512", n: int = 1, seed: int | None = None,
                       **extra: Any) -> list[bytes]:
        body: dict[str, Any] = {"model": self.client.model, "prompt": prompt, "size": size, "n": n,
                                "response_format": "b64_json", **extra}
        if seed is not None:
            body["seed"] = seed
        data = self.client.post("/images/generations", json=body).json().get("data") or []
        images = []
        for item in data:
            if item.get("b64_json"):
                images.append(base64.b64decode(item["b64_json"]))
            elif item.get("url"):
                images.append(self.client.http.get(item["url"]).content)
        if not images:
            raise GenerationFailed(f"Remote {self.card.id} returned no image")
        return images

    def validate(self, request: Any) -> None:
        return None  # the remote judges sizes and steps itself and says so in its error

    def generate(self, request: Any, progress: Callable[[float, str], None] | None = None) -> list[Any]:
        from PIL import Image, UnidentifiedImageError

        from genloom.image.base import GeneratedImage

        seeds = request.seeds()
        extra: dict[str, Any] = {}
        if request.negative_prompt:
            extra["negative_prompt"] = request.negative_prompt
        if request.steps:
            extra["steps"] = request.steps
        if progress:
            progress(0.0, f"waiting for {self.card.id}")
        blobs = self.generate_bytes(request.prompt, size=f"{request.width}x{request.height}", n=request.n,
                                    seed=seeds[0], **extra)
        out = []
        for i, blob in enumerate(blobs):
            try:
                image = Image.open(io.BytesIO(blob))
                image.load()
            except (UnidentifiedImageError, OSError) as exc:
                raise GenerationFailed(f"Remote {self.card.id} returned something that is not an image") from exc
            out.append(GeneratedImage(image=image.convert("RGBA") if image.mode == "P" else image,
                                      seed=seeds[min(i, len(seeds) - 1)],
                                      meta={"remote": self.client.base, "remote_model": self.client.model}))
        if progress:
            progress(1.0, "done")
        return out

    def close(self) -> None:
        self.client.close()


def _decode_wav(data: bytes) -> tuple[Any, int]:
    import numpy as np

    try:
        with wave.open(io.BytesIO(data)) as w:
            rate, width, channels = w.getframerate(), w.getsampwidth(), w.getnchannels()
            frames = w.readframes(w.getnframes())
    except (wave.Error, EOFError) as exc:
        raise GenerationFailed(f"The remote did not return WAV audio: {exc}") from exc
    if width != 2:
        raise GenerationFailed(f"Unsupported WAV sample width {width * 8} bits from the remote")
    samples = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return samples, rate


def _resample(samples: Any, src: int, dst: int) -> Any:
    import numpy as np

    if src == dst or samples.size == 0:
        return samples.astype(np.float32)
    n = max(1, round(samples.size * dst / src))
    return np.interp(np.linspace(0, samples.size - 1, n), np.arange(samples.size), samples).astype(np.float32)


class RemoteSpeech:
    """Same interface as the local voices: ``synth(sentence, voice=, speed=, seed=) -> float32``."""

    def __init__(self, card: ModelCard):
        self.card = card
        self.client = _Client(card)
        self.sample_rate = int(card.options.get("sample_rate", 24000))
        self.default_voice = str(card.options.get("voice", "alloy"))
        self.voices: list[str] = list(card.options.get("voices") or [self.default_voice])

    def synth(self, sentence: str, *, voice: str | None = None, speed: float = 1.0, seed: int | None = None) -> Any:
        body = {"model": self.client.model, "input": sentence, "voice": voice or self.default_voice,
                "speed": speed, "response_format": "wav"}
        samples, rate = _decode_wav(self.client.post("/audio/speech", json=body).content)
        return _resample(samples, rate, self.sample_rate)

    def synth_stream(self, sentences: list[str], **kw: Any) -> Iterator[Any]:
        for sentence in sentences:
            yield self.synth(sentence, **kw)

    def close(self) -> None:
        self.client.close()


class RemoteTranscriber:
    """Same interface as the local transcribers: ``transcribe_pcm(16 kHz int16 bytes) -> str``."""

    sample_rate = 16000

    def __init__(self, card: ModelCard):
        self.card = card
        self.client = _Client(card)

    def transcribe_pcm(self, pcm: bytes, lm_text: str | None = None, progress: Any = None) -> str:
        buf = io.BytesIO()
        with wave.open(buf, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(self.sample_rate)
            w.writeframes(pcm)
        data = {"model": self.client.model, "response_format": "json"}
        if lm_text:
            data["prompt"] = lm_text[:1000]  # a hint of expected words, as Whisper APIs accept
        if progress:
            progress(0.0, "uploading")
        reply = self.client.post("/audio/transcriptions", data=data,
                                 files={"file": ("audio.wav", buf.getvalue(), "audio/wav")})
        if progress:
            progress(1.0, "done")
        try:
            return str(reply.json().get("text", "")).strip()
        except ValueError:
            return reply.text.strip()

    def close(self) -> None:
        self.client.close()


class RemoteEmbedding:
    """``embed(texts) -> (n, dim) float32``, L2-normalised like the local embedder."""

    def __init__(self, card: ModelCard):
        self.card = card
        self.client = _Client(card)

    def embed(self, texts: list[str]) -> Any:
        import numpy as np

        if not texts:
            return np.zeros((0, 0), np.float32)
        data = self.client.post("/embeddings", json={"model": self.client.model, "input": list(texts)}).json()
        rows = sorted(data.get("data") or [], key=lambda d: d.get("index", 0))
        if len(rows) != len(texts):
            raise GenerationFailed(f"Remote {self.card.id} returned {len(rows)} embeddings for {len(texts)} texts")
        vecs = np.asarray([r["embedding"] for r in rows], dtype=np.float32)
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        return vecs / np.where(norms == 0, 1, norms)

    def close(self) -> None:
        self.client.close()


_CLASSES: dict[str, Callable[[ModelCard], Any]] = {
    "text": RemoteText, "code": RemoteText, "image": RemoteImage, "speech": RemoteSpeech,
    "transcript": RemoteTranscriber, "embedding": RemoteEmbedding,
}


def factory(card: ModelCard) -> Any:
    cls = _CLASSES.get(card.kind.value)
    if cls is None:
        raise InvalidInput(f"Remote {card.id} has kind {card.kind.value!r}, which remotes cannot serve")
    return cls(card)
