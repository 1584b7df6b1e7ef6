"""Remote OpenAI-compatible providers, against a fake endpoint on 127.0.0.1."""

from __future__ import annotations

import base64
import io
import json
import re
import threading
import wave
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from genloom.cli import cli
from genloom.errors import InvalidInput, WeightsMissing
from genloom.models.registry import get_registry, reset_registry


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


PNG = _png()


def _wav(rate: int, seconds: float) -> bytes:
    t = np.arange(int(rate * seconds)) / rate
    pcm = (np.sin(2 * np.pi * 440 * t) * 16000).astype("<i2").tobytes()
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)
    return buf.getvalue()


class FakeOpenAI:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.url = ""


@pytest.fixture
def remote() -> Iterator[FakeOpenAI]:
    state = FakeOpenAI()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _reply(self, status: int, body: bytes, ctype: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            ctype = self.headers.get("Content-Type", "")
            body: Any = json.loads(raw) if ctype.startswith("application/json") else raw
            state.calls.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
            if isinstance(body, dict) and body.get("model") == "missing":
                return self._reply(404, json.dumps({"error": {"message": "model 'missing' not found"}}).encode())
            if self.path == "/v1/chat/completions":
                words = ["Hello", " from", " the", " remote"]
                if not body.get("stream"):
                    msg = {"choices": [{"message": {"content": "".join(words)}, "finish_reason": "stop"}]}
                    return self._reply(200, json.dumps(msg).encode())
                events = [{"choices": [{"delta": {"content": w}, "finish_reason": None}]} for w in words]
                events.append({"choices": [{"delta": {}, "finish_reason": "stop"}]})
                events.append({"choices": [], "usage": {"prompt_tokens": 7, "completion_tokens": 4}})
                sse = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
                return self._reply(200, sse.encode(), "text/event-stream")
            if self.path == "/v1/completions":
                sse = "".join(f"data: {json.dumps({'choices': [{'text': w}]})}\n\n" for w in ["3", ", 4"])
                return self._reply(200, (sse + "data: [DONE]\n\n").encode(), "text/event-stream")
            if self.path == "/v1/embeddings":
                data = [{"index": i, "embedding": [float(len(t)), 1.0, 0.0]} for i, t in enumerate(body["input"])]
                return self._reply(200, json.dumps({"data": data}).encode())
            if self.path == "/v1/images/generations":
                data = [{"b64_json": base64.b64encode(PNG).decode()} for _ in range(body["n"])]
                return self._reply(200, json.dumps({"data": data}).encode())
            if self.path == "/v1/audio/speech":
                return self._reply(200, _wav(16000, 0.5), "audio/wav")
            if self.path == "/v1/audio/transcriptions":
                ok = b"RIFF" in raw and b'name="model"' in raw
                return self._reply(200, json.dumps({"text": "hello world" if ok else "?"}).encode())
            self._reply(404, b'{"error": {"message": "no such route"}}')

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    yield state
    server.shutdown()
    server.server_close()


def _add(remote: FakeOpenAI, name: str, kind: str, *extra: str) -> None:
    result = CliRunner().invoke(cli, ["models", "add-remote", name, "--base-url", remote.url, "--kind", kind,
                                      "--model", "remote-model", *extra])
    assert result.exit_code == 0, result.output


def test_text_remote_streams_and_sends_the_key(remote: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_REMOTE_KEY", "sk-test-123")
    _add(remote, "far-llm", "text", "--key-env", "MY_REMOTE_KEY")
    reset_registry()  # persisted: a new process sees it
    from genloom.text.api import chat

    response = chat("Say hello", model="far-llm", seed=3, max_tokens=20)
    pieces = list(response)
    assert "".join(str(p) if isinstance(p, str) else p.text for p in pieces) == "Hello from the remote"
    call = remote.calls[-1]
    assert call["path"] == "/v1/chat/completions" and call["auth"] == "Bearer sk-test-123"
    assert call["body"]["model"] == "remote-model" and call["body"]["seed"] == 3 and call["body"]["stream"]
    assert call["body"]["messages"][-1] == {"role": "user", "content": "Say hello"}
    assert response.usage()["completion_tokens"] == 4
    saved = (get_registry().card("far-llm").model_dump_json())
    assert "sk-test-123" not in saved


def test_key_from_keys_file_and_missing_key(remote: FakeOpenAI, genloom_home: Any,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ABSENT_KEY", raising=False)
    _add(remote, "keyed", "text", "--key-env", "ABSENT_KEY")
    assert get_registry().card("keyed").installed_status() == "missing"
    with pytest.raises(WeightsMissing, match="ABSENT_KEY"):
        get_registry().load("keyed")
    (genloom_home / "keys.json").write_text(json.dumps({"keyed": "sk-from-file"}))
    reset_registry()
    model = get_registry().load("keyed")
    from genloom.text.params import GenerationParams

    text = "".join(c.text for c in model.complete_stream("1, 2,", GenerationParams()))
    assert text == "3, 4"
    assert remote.calls[-1]["auth"] == "Bearer sk-from-file" and remote.calls[-1]["path"] == "/v1/completions"


def test_no_key_sends_no_authorization(remote: FakeOpenAI) -> None:
    _add(remote, "local-llm", "text")
    from genloom.text.api import chat

    assert chat("hi", model="local-llm").text() == "Hello from the remote"
    assert remote.calls[-1]["auth"] is None


def test_embedding_image_speech_transcript_remotes(remote: FakeOpenAI) -> None:
    for name, kind in [("far-embed", "embedding"), ("far-image", "image"), ("far-voice", "speech"),
                       ("far-ears", "transcript")]:
        _add(remote, name, kind)
    registry = get_registry()

    vecs = registry.load("far-embed").embed(["a", "abcd"])
    assert vecs.shape == (2, 3) and np.allclose(np.linalg.norm(vecs, axis=1), 1.0)
    assert vecs[1, 0] > vecs[0, 0]  # order preserved: "abcd" is longer

    images = registry.load("far-image").generate_bytes("a red fox", size="256x256", n=2, seed=5)
    assert images == [PNG, PNG]
    assert remote.calls[-1]["body"]["size"] == "256x256" and remote.calls[-1]["body"]["seed"] == 5

    # Through the image runner, like `genloom image -m far-image`: stored, labelled PNGs.
    from genloom.api import create

    result = create("image", "a red fox", model="far-image", params={"size": "256x256", "n": 2, "seed": 9})
    assert result.model_id == "far-image" and len(result.asset_ids) == 2
    assert remote.calls[-1]["body"]["n"] == 2 and remote.calls[-1]["body"]["seed"] == 9
    from PIL import Image

    stored = Image.open(result.paths[0])
    assert stored.size == (8, 6) and stored.getpixel((0, 0))[:3] == (200, 30, 30)

    voice = registry.load("far-voice")
    samples = voice.synth("Hello there.", speed=1.2)
    # 0.5 s at 16 kHz from the remote, resampled to the declared 24 kHz.
    assert samples.dtype == np.float32 and abs(samples.size - 12000) <= 2
    assert 0.3 < float(np.abs(samples).max()) < 0.6
    assert remote.calls[-1]["body"]["speed"] == 1.2 and remote.calls[-1]["body"]["response_format"] == "wav"

    spoken = create("speech", "Hello there. How are you?", model="far-voice")
    assert spoken.model_id == "far-voice" and spoken.asset_ids
    assert [c["body"]["input"] for c in remote.calls[-2:]] == ["Hello there.", "How are you?"]

    pcm = (np.zeros(16000)).astype("<i2").tobytes()
    assert registry.load("far-ears").transcribe_pcm(pcm) == "hello world"


def test_remote_errors_are_clear(remote: FakeOpenAI) -> None:
    result = CliRunner().invoke(cli, ["models", "add-remote", "bad", "--base-url", remote.url, "--kind", "text",
                                      "--model", "missing"])
    assert result.exit_code == 0
    from genloom.errors import GenloomError
    from genloom.text.api import chat

    with pytest.raises(GenloomError, match="404.*model 'missing' not found"):
        chat("hi", model="bad").text()


def test_unreachable_remote_fails_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    from genloom.backends.openai_remote import RemoteError, add_remote
    from genloom.text.api import chat

    add_remote("gone", base_url=f"http://127.0.0.1:{port}/v1", kind="text", model="x")
    with pytest.raises(RemoteError, match=f"127.0.0.1:{port}"):
        chat("hi", model="gone").text()


@pytest.mark.parametrize("args, message", [
    (["--kind", "music"], "cannot serve 'music'"),
    (["--kind", "text", "--base-url", "ftp://x"], "http"),
    (["--kind", "text", "--key-env", "not a var"], "environment variable"),
])
def test_add_remote_rejects_bad_input(remote: FakeOpenAI, args: list[str], message: str) -> None:
    base = ["models", "add-remote", "r1", "--model", "m"]
    if "--base-url" not in args:
        base += ["--base-url", remote.url]
    result = CliRunner().invoke(cli, base + args)
    assert result.exit_code == 1 and message in result.output


def test_remove_remote(remote: FakeOpenAI) -> None:
    _add(remote, "temp", "text")
    result = CliRunner().invoke(cli, ["models", "remove-remote", "temp"])
    assert result.exit_code == 0
    assert "temp" not in [c.id for c in get_registry().cards()]
    with pytest.raises(InvalidInput):
        from genloom.backends.openai_remote import add_remote

        add_remote("qwen2.5-coder-1.5b", base_url=remote.url, kind="text", model="x")
    assert re.search("remote", CliRunner().invoke(cli, ["models", "remove-remote", "temp"]).output)
