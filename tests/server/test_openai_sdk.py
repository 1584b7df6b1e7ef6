"""The official ``openai`` package against a real uvicorn server, unchanged."""

from __future__ import annotations

import base64
import importlib.util
from typing import Any

import pytest

openai = pytest.importorskip("openai")


def client_for(server: Any, **kw: Any) -> Any:
    return openai.OpenAI(base_url=f"{server.url}/v1", api_key="unused", max_retries=0, timeout=60, **kw)


def _kind_ready(kind: str) -> bool:
    from genloom.models.registry import get_registry

    try:
        return get_registry().default_card(kind).installed_status() in ("installed", "installable")
    except Exception:
        return False


def test_models_chat_and_stream(live_server: Any, fake_model: Any) -> None:
    client = client_for(live_server)
    ids = [m.id for m in client.models.list()]
    assert "fake" in ids
    fake_model.enqueue("Hello from genloom")
    out = client.chat.completions.create(model="gpt-4o-mini", messages=[
        {"role": "system", "content": "Be nice."}, {"role": "user", "content": "Hi"}], temperature=0.3, seed=3)
    assert out.choices[0].message.content == "Hello from genloom"
    assert out.choices[0].finish_reason == "stop" and out.usage.completion_tokens == 3
    fake_model.enqueue("one two three")
    stream = client.chat.completions.create(model="fake", messages=[{"role": "user", "content": "count"}],
                                            stream=True, stream_options={"include_usage": True})
    pieces, usage = [], None
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            pieces.append(chunk.choices[0].delta.content)
        if chunk.usage:
            usage = chunk.usage
    assert "".join(pieces) == "one two three" and usage.completion_tokens == 3


def test_completions_and_errors(live_server: Any, fake_model: Any) -> None:
    client = client_for(live_server)
    fake_model.enqueue("upon a time")
    out = client.completions.create(model="gpt-3.5-turbo-instruct", prompt="Once", max_tokens=8)
    assert out.choices[0].text == "upon a time"
    with pytest.raises(openai.NotFoundError) as info:
        client.chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "x"}])
    assert "no-such-model" in str(info.value)
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="fake", messages=[{"role": "user", "content": "x"}], temperature=7)


def test_auth_with_the_sdk(monkeypatch: pytest.MonkeyPatch, fake_model: Any) -> None:
    from server_testutil import LiveServer, make_app

    monkeypatch.setenv("GENLOOM_API_KEYS", "sekrit")
    with LiveServer(make_app()) as server:
        with pytest.raises(openai.AuthenticationError):
            client_for(server).models.list()
        ok = openai.OpenAI(base_url=f"{server.url}/v1", api_key="sekrit", max_retries=0)
        assert any(m.id == "fake" for m in ok.models.list())


@pytest.mark.e2e
def test_embeddings(live_server: Any) -> None:
    if not _kind_ready("embedding"):
        pytest.skip("no embedding model installed")
    client = client_for(live_server)
    out = client.embeddings.create(model="text-embedding-3-small", input=["a jazz poster", "a jazz flyer", "tax law"])
    vecs = [d.embedding for d in out.data]
    assert len(vecs) == 3 and len(vecs[0]) >= 64

    def cos(a: list[float], b: list[float]) -> float:
        return sum(x * y for x, y in zip(a, b, strict=True))

    assert cos(vecs[0], vecs[1]) > cos(vecs[0], vecs[2])
    floats = client.embeddings.create(model="text-embedding-3-small", input="hi", encoding_format="float")
    assert abs(sum(x * x for x in floats.data[0].embedding) - 1) < 1e-3
    short = client.embeddings.create(model="text-embedding-3-small", input="hi", dimensions=32)
    assert len(short.data[0].embedding) == 32


def test_images(live_server: Any) -> None:
    from genloom.api import RUNNERS

    client = client_for(live_server)
    if "image" not in RUNNERS:
        with pytest.raises(openai.APIStatusError) as info:
            client.images.generate(model="dall-e-3", prompt="a red circle", size="256x256")
        assert info.value.status_code == 501
        return
    out = client.images.generate(model="dall-e-3", prompt="a red circle", size="256x256", n=1,
                                 quality="hd", style="vivid", response_format="b64_json")
    png = base64.b64decode(out.data[0].b64_json)
    assert png[:4] == b"\x89PNG" or png[:2] == b"\xff\xd8" or png[:4] == b"RIFF"
    url_out = client.images.generate(model="dall-e-2", prompt="a blue square", size="256x256", response_format="url")
    import httpx

    r = httpx.get(url_out.data[0].url)
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/")


@pytest.mark.e2e
def test_speech_and_transcription(live_server: Any, tmp_path: Any) -> None:
    if importlib.util.find_spec("genloom.audio.speech") is None or not _kind_ready("speech"):
        pytest.skip("no speech generator installed")
    client = client_for(live_server)
    sentence = "The quick brown fox jumps over the lazy dog."
    with client.audio.speech.with_streaming_response.create(model="tts-1", voice="alloy", input=sentence,
                                                            response_format="wav") as resp:
        audio = b"".join(resp.iter_bytes())
    assert audio[:4] == b"RIFF" and len(audio) > 20000
    path = tmp_path / "speech.wav"
    path.write_bytes(audio)
    if importlib.util.find_spec("genloom.audio.transcribe") is None or not _kind_ready("transcript"):
        pytest.skip("no transcriber installed")
    with path.open("rb") as f:
        out = client.audio.transcriptions.create(model="whisper-1", file=f)
    words = set(out.text.lower().split())
    assert len(words & {"quick", "brown", "fox", "jumps", "over", "lazy", "dog"}) >= 3, out.text


@pytest.mark.e2e
def test_speech_is_recorded_with_real_wav_sizes(client: Any) -> None:
    if importlib.util.find_spec("genloom.audio.speech") is None or not _kind_ready("speech"):
        pytest.skip("no speech generator installed")
    import io
    import wave

    r = client.post("/v1/audio/speech", json={"input": "Hello there.", "voice": "alloy"})
    assert r.status_code == 200 and r.content[:4] == b"RIFF"
    from genloom.store.db import get_store

    store = get_store()
    asset = store.assets(kind="speech")[0]
    stored = store.asset_path(asset).read_bytes()
    with wave.open(io.BytesIO(stored)) as w:  # sizes patched: the file is a valid WAV
        pcm = w.getnframes() * w.getsampwidth() * w.getnchannels()
    assert pcm > 2000 and 0 < len(stored) - pcm < 2048  # header sizes match the audio that was sent
    assert stored[-pcm:] == r.content[-pcm:]
    assert asset["meta"]["ai_generated"] is True
    r = client.post("/v1/audio/speech", json={"input": "Hello there.", "response_format": "flac"})
    assert r.status_code == 200 and r.headers["x-genloom-asset-id"].startswith("ast_")
    assert r.content[:4] == b"fLaC"
    pcm = client.post("/v1/audio/speech", json={"input": "Hello there.", "response_format": "pcm"})
    assert pcm.status_code == 200 and pcm.content[:4] != b"RIFF" and len(pcm.content) % 2 == 0


def test_client_disconnect_frees_the_model(live_server: Any, fake_model: Any) -> None:
    import time

    import httpx

    from genloom.text.base import Chunk

    produced: list[int] = []

    def slow(messages: Any, params: Any) -> Any:
        for i in range(200):
            produced.append(i)
            time.sleep(0.02)
            yield Chunk(f" w{i}")
        yield Chunk("", finish_reason="stop", prompt_tokens=1, completion_tokens=200)

    fake_model.chat_stream = slow  # type: ignore[method-assign]
    body = {"messages": [{"role": "user", "content": "go"}], "stream": True}
    with httpx.stream("POST", f"{live_server.url}/v1/chat/completions", json=body, timeout=10) as r:
        for line in r.iter_lines():
            if '"w2"' in line or " w2" in line:
                break
    deadline = time.monotonic() + 5
    while True:
        queues = httpx.get(f"{live_server.url}/v1/status").json()["queues"]
        if queues and queues[0]["active"] == 0:
            break
        assert time.monotonic() < deadline, queues
        time.sleep(0.05)
    time.sleep(0.2)
    assert len(produced) < 100  # generation stopped soon after the client left
