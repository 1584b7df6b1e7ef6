"""The HTTP API against the fake text model: OpenAI shapes, errors, security, jobs, assets."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from server_testutil import make_app

CHAT = "/v1/chat/completions"


def sse_payloads(text: str) -> list[Any]:
    out = []
    for block in text.split("\n\n"):
        for line in block.splitlines():
            if line.startswith("data: "):
                data = line[6:]
                out.append(data if data == "[DONE]" else json.loads(data))
    return out


def test_health_and_models(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    body = client.get("/v1/models").json()
    ids = {m["id"]: m for m in body["data"]}
    assert ids["fake"]["kind"] == "text"
    assert all("kind" in m for m in body["data"])
    assert body["aliases"]["gpt-4o-mini"] == "text"
    assert client.get("/v1/models/gpt-4o").json()["id"] == "fake"


def test_chat_plain_maps_params(client: TestClient, fake_model: Any) -> None:
    fake_model.enqueue("four words right here")
    r = client.post(CHAT, json={
        "model": "gpt-4o-mini",
        "messages": [{"role": "developer", "content": "Be brief."},
                     {"role": "user", "content": [{"type": "text", "text": "hi"}]}],
        "temperature": 0.2, "top_p": 0.5, "max_tokens": 7, "stop": "END", "seed": 42,
    })
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["object"] == "chat.completion" and body["model"] == "fake"
    assert body["choices"][0]["message"] == {"role": "assistant", "content": "four words right here",
                                             "refusal": None}
    assert body["usage"]["completion_tokens"] == 4
    assert body["usage"]["total_tokens"] == body["usage"]["prompt_tokens"] + 4
    messages, params = fake_model.history[-1]
    assert [m.role for m in messages] == ["system", "user"] and messages[1].content == "hi"
    assert (params.temperature, params.top_p, params.max_tokens, params.stop, params.seed) == (0.2, 0.5, 7, ["END"], 42)
    # provenance: the generation is in the store
    from genloom.store.db import get_store

    gen = get_store().generation(body["genloom"]["generation_ids"][0])
    assert gen["output"] == "four words right here" and gen["model_id"] == "fake"


def test_chat_n_choices_get_distinct_seeds(client: TestClient, fake_model: Any) -> None:
    fake_model.enqueue("one", "two")
    body = client.post(CHAT, json={"messages": [{"role": "user", "content": "x"}], "n": 2, "seed": 5}).json()
    assert [c["message"]["content"] for c in body["choices"]] == ["one", "two"]
    assert [p.seed for _, p in fake_model.history[-2:]] == [5, 6]


def test_chat_stream_openai_chunks(client: TestClient, fake_model: Any) -> None:
    fake_model.enqueue("a b c")
    r = client.post(CHAT, json={"messages": [{"role": "user", "content": "x"}], "stream": True,
                                "stream_options": {"include_usage": True}})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = sse_payloads(r.text)
    assert events[-1] == "[DONE]"
    chunks = events[:-1]
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    assert text == "a b c"
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["completion_tokens"] == 3
    assert len({c["id"] for c in chunks}) == 1


def test_completions(client: TestClient, fake_model: Any) -> None:
    fake_model.enqueue("continued text")
    body = client.post("/v1/completions", json={"prompt": "Once upon", "max_tokens": 5, "echo": True}).json()
    assert body["object"] == "text_completion"
    assert body["choices"][0]["text"] == "Once upon" + "continued text"
    assert fake_model.history[-1][0] == "Once upon"
    fake_model.enqueue("x y")
    r = client.post("/v1/completions", json={"prompt": "Go", "stream": True})
    events = sse_payloads(r.text)
    assert "".join(e["choices"][0]["text"] for e in events[:-1]) == "x y" and events[-1] == "[DONE]"


@pytest.mark.parametrize("body,status,param", [
    ({"messages": []}, 400, "messages"),
    ({"messages": [{"role": "user", "content": "  "}]}, 400, "prompt"),
    ({"messages": [{"role": "wizard", "content": "x"}]}, 400, None),
    ({"messages": [{"role": "user", "content": "x"}], "temperature": 9}, 400, "temperature"),
    ({"messages": [{"role": "user", "content": "x"}], "max_tokens": 0}, 400, "max_tokens"),
    ({"messages": [{"role": "user", "content": "x"}], "model": "nope"}, 404, "model"),
    ({"messages": [{"role": "user", "content": "x"}], "model": "/etc/passwd"}, 404, "model"),
    ({"messages": [{"role": "user", "content": "x"}], "model": "text-embedding-3-small"}, 400, "model"),
    ({"messages": [{"role": "user", "content": "x"}], "response_format": {"type": "json_object"}}, 400,
     "response_format"),
    ({"messages": [{"role": "user", "content": "x" * 4000}]}, 400, None),
])
def test_chat_bad_requests_are_4xx_in_openai_shape(client: TestClient, body: dict, status: int, param: str | None) -> None:
    r = client.post(CHAT, json=body)
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert set(err) == {"message", "type", "param", "code"} and err["message"]
    if param:
        assert param in (err["param"] or ""), err


def test_malformed_json_and_wrong_method(client: TestClient) -> None:
    r = client.post(CHAT, content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["type"] == "invalid_request_error"
    assert client.get(CHAT).status_code == 405
    assert client.get("/v1/nothing").json()["error"]["code"] == "404"


def test_context_overflow_in_stream_keeps_its_status(client: TestClient) -> None:
    r = client.post(CHAT, json={"messages": [{"role": "user", "content": "y" * 4000}], "stream": True})
    assert r.status_code == 400 and r.json()["error"]["code"] == "context_length_exceeded"


def test_api_keys(monkeypatch: pytest.MonkeyPatch, fake_model: Any, tmp_path: Any) -> None:
    keyfile = tmp_path / "keys"
    keyfile.write_text("# team\nfilekey\n")
    monkeypatch.setenv("GENLOOM_API_KEYS", "k1, k2")
    monkeypatch.setenv("GENLOOM_API_KEYS_FILE", str(keyfile))
    with TestClient(make_app()) as c:
        assert c.get("/health").status_code == 200
        assert c.get("/").status_code == 200  # the studio page holds no data
        r = c.get("/v1/models")
        assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_api_key"
        assert c.get("/v1/models", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/openapi.json").status_code == 401
        for key in ("k1", "k2", "filekey"):
            assert c.get("/v1/models", headers={"Authorization": f"Bearer {key}"}).status_code == 200
        fake_model.enqueue("ok")
        assert c.post(CHAT, json={"messages": [{"role": "user", "content": "x"}]},
                      headers={"Authorization": "Bearer k1"}).status_code == 200


def test_body_limit(monkeypatch: pytest.MonkeyPatch, fake_model: Any) -> None:
    monkeypatch.setenv("GENLOOM_MAX_BODY_MB", "0.01")
    with TestClient(make_app()) as c:
        big = {"messages": [{"role": "user", "content": "x" * 20000}]}
        r = c.post(CHAT, json=big)
        assert r.status_code == 413 and r.json()["error"]["code"] == "request_too_large"

        def chunks() -> Any:  # no content-length: counted as it arrives
            yield b'{"messages": [{"role": "user", "content": "'
            for _ in range(30):
                yield b"x" * 1000
            yield b'"}]}'

        r = c.post(CHAT, content=chunks(), headers={"content-type": "application/json"})
        assert r.status_code == 413


def _record_png() -> str:
    import io

    from PIL import Image

    from genloom.api import record_files

    buf = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 40, 90)).save(buf, "PNG")
    _, ids, _ = record_files(kind="image", task="image", model_id="test-painter", prompt="a red square",
                             params={"size": "32x24"}, seed=7,
                             files=[{"data": buf.getvalue(), "mime": "image/png", "ext": ".png"}])
    return ids[0]


def test_assets_with_provenance_and_no_escape(client: TestClient) -> None:
    asset_id = _record_png()
    info = client.get(f"/v1/assets/{asset_id}").json()
    assert info["provenance"]["prompt"] == "a red square" and info["provenance"]["seed"] == 7
    assert info["meta"]["ai_generated"] is True and "path" not in info
    r = client.get(f"/v1/assets/{asset_id}/content")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png" and r.content[:4] == b"\x89PNG"
    assert r.headers["x-ai-generated"] == "true"
    listed = client.get("/v1/assets").json()["data"]
    assert listed[0]["id"] == asset_id and listed[0]["url"].endswith(f"/v1/assets/{asset_id}/content")
    for bad in ("..%2F..%2Fetc%2Fpasswd", "%2e%2e", "ast_x%00", "a" * 100):
        r = client.get(f"/v1/assets/{bad}/content")
        assert r.status_code == 404, (bad, r.status_code)
        assert "root:" not in r.text


def test_tampered_asset_row_cannot_leave_the_store(client: TestClient) -> None:
    import sqlalchemy as sa

    from genloom.store import schema
    from genloom.store.db import get_store

    asset_id = _record_png()
    with get_store().engine.begin() as conn:
        conn.execute(sa.update(schema.assets).where(schema.assets.c.id == asset_id)
                     .values(path="../../../../etc/passwd", sha256="../../../etc/passwd"))
    r = client.get(f"/v1/assets/{asset_id}/content")
    assert r.status_code in (400, 404) and "root:" not in r.text


def test_signed_asset_urls_when_keys_are_on(monkeypatch: pytest.MonkeyPatch, fake_model: Any) -> None:
    monkeypatch.setenv("GENLOOM_API_KEYS", "k1")
    asset_id = _record_png()
    with TestClient(make_app()) as c:
        assert c.get(f"/v1/assets/{asset_id}/content").status_code == 401
        url = c.get(f"/v1/assets/{asset_id}", headers={"Authorization": "Bearer k1"}).json()["url"]
        assert "sig=" in url
        assert c.get(url).status_code == 200
        assert c.get(url.replace("sig=", "sig=0")).status_code == 401


def test_direct_job_with_events(client: TestClient, fake_model: Any) -> None:
    fake_model.enqueue("a job result")
    r = client.post("/v1/jobs", json={"kind": "text", "prompt": "write"})
    assert r.status_code == 202
    job_id = r.json()["id"]
    events = sse_payloads(client.get(f"/v1/jobs/{job_id}/events").text)
    types = [e["type"] for e in events]
    assert types[0] == "step_started" and "step_finished" in types and types[-1] == "end"
    job = client.get(f"/v1/jobs/{job_id}").json()
    assert job["status"] == "succeeded" and job["progress"] == 1.0
    assert job["result"]["text"] == "a job result" and job["steps"][0]["status"] == "succeeded"
    assert job_id in [j["id"] for j in client.get("/v1/jobs").json()["data"]]
    # the row is in the database, so it can be read without the in-memory job
    from genloom.jobs import JobManager

    assert JobManager(persist=True).get(job_id)["status"] == "succeeded"


def test_job_errors(client: TestClient) -> None:
    assert client.post("/v1/jobs", json={}).status_code == 400
    assert client.post("/v1/jobs", json={"kind": "text", "prompt": " "}).status_code == 400
    assert client.get("/v1/jobs/job_nope").status_code == 404
    assert client.delete("/v1/jobs/job_nope").status_code == 404
    assert client.post("/v1/jobs", json={"kind": "text", "prompt": "x", "model": "/tmp/evil.gguf"}).status_code == 404
    # no file paths through params (music's "midi" output path, a soundfont to read, ...)
    for params in ({"midi": "out.mid"}, {"soundfont": "x.sf2"}, {"style": "/etc/passwd"}, {"x": "../../a"}):
        r = client.post("/v1/jobs", json={"kind": "music", "prompt": "a tune", "params": params})
        assert r.status_code == 400 and r.json()["error"]["param"].startswith("params."), params
    assert client.post("/v1/jobs", json={"kind": "transcript", "prompt": "/etc/passwd"}).status_code == 400
    evil_plan = {"request": "x", "deliverables": ["image"], "steps": [
        {"id": "a", "kind": "image", "task": "t", "instruction": "i", "model": "/tmp/evil-pipeline"}]}
    assert client.post("/v1/jobs", json={"plan": evil_plan}).status_code == 404
    evil_plan["steps"][0].update(model=None, params={"soundfont": "/etc/shadow"})
    assert client.post("/v1/jobs", json={"plan": evil_plan}).status_code == 400


def test_cancel_a_queued_job(fake_model: Any) -> None:
    import threading

    from genloom.jobs import JobManager

    gate = threading.Event()
    manager = JobManager(workers=1, persist=False)
    original = fake_model.chat_stream

    def slow(messages: Any, params: Any) -> Any:
        gate.wait(5)
        return original(messages, params)

    fake_model.chat_stream = slow  # type: ignore[method-assign]
    first = manager.submit({"kind": "text", "prompt": "one"})
    second = manager.submit({"kind": "text", "prompt": "two"})
    assert manager.cancel(second.id)["status"] == "cancelled"
    gate.set()
    assert manager.wait(first.id, 5)
    assert manager.get(first.id)["status"] == "succeeded"
    assert manager.get(second.id)["status"] == "cancelled"
    manager.shutdown()


def test_brain_endpoints_501_or_work(client: TestClient) -> None:
    import importlib

    try:
        brain = importlib.import_module("genloom.brain")
        ready = hasattr(brain, "plan") and hasattr(brain, "execute")
    except ImportError:
        ready = False
    r = client.post("/v1/plans", json={"request": "a haiku about rain"})
    if not ready:
        assert r.status_code == 501 and r.json()["error"]["code"] == "not_implemented"
        assert client.post("/v1/jobs", json={"request": "a haiku"}).status_code == 501
    else:
        assert r.status_code == 200 and "steps" in r.json()
    assert client.post("/v1/plans", json={}).status_code == 400


def test_missing_generators_answer_501(client: TestClient) -> None:
    from genloom.api import RUNNERS

    if "image" not in RUNNERS:
        r = client.post("/v1/images/generations", json={"prompt": "a cat"})
        assert r.status_code == 501 and r.json()["error"]["type"] == "server_error"
    r = client.post("/v1/images/generations", json={"prompt": "a cat", "size": "big"})
    assert r.status_code == 400


def test_queue_full_gives_429_with_retry_after(monkeypatch: pytest.MonkeyPatch, fake_model: Any) -> None:
    import asyncio

    from genloom.server.queue import Gate, QueueFull

    async def scenario() -> None:
        gate = Gate("m", slots=1, max_waiting=1)
        await gate.acquire()  # running
        waiter = asyncio.ensure_future(gate.acquire())  # queued
        await asyncio.sleep(0)
        with pytest.raises(QueueFull) as info:
            await gate.acquire()
        assert info.value.status == 429 and int(info.value.headers["Retry-After"]) >= 1
        gate.release(0.1)  # the slot passes to the waiter, in order
        await asyncio.wait_for(waiter, 1)
        assert gate.active == 1 and not gate.waiters
        gate.release(0.1)
        assert gate.active == 0

    asyncio.run(scenario())

    # Through HTTP: one streaming request holds the model, queue size 0 -> the next is refused.
    monkeypatch.setenv("GENLOOM_QUEUE_SIZE", "0")
    import threading

    release = threading.Event()
    original = fake_model.chat_stream

    def slow(messages: Any, params: Any) -> Any:
        release.wait(5)
        return original(messages, params)

    fake_model.chat_stream = slow  # type: ignore[method-assign]
    with TestClient(make_app()) as c:
        results: list[int] = []
        t = threading.Thread(target=lambda: results.append(
            c.post(CHAT, json={"messages": [{"role": "user", "content": "x"}]}).status_code))
        t.start()
        deadline = time.monotonic() + 5
        while not c.app.state.genloom.scheduler.gates.get("fake") or not c.app.state.genloom.scheduler.gates["fake"].active:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        r = c.post(CHAT, json={"messages": [{"role": "user", "content": "y"}]})
        assert r.status_code == 429 and r.json()["error"]["type"] == "rate_limit_error"
        assert int(r.headers["retry-after"]) >= 1
        release.set()
        t.join(5)
        assert results == [200]


def test_idle_unload_and_memory_budget(client: TestClient, fake_model: Any) -> None:
    from genloom.models.registry import get_registry

    fake_model.enqueue("x")
    client.post(CHAT, json={"messages": [{"role": "user", "content": "x"}]})
    sched = client.app.state.genloom.scheduler
    assert "fake" in get_registry().loaded()
    sched.settings.idle_unload_s = 60
    assert sched.unload_idle(now=time.monotonic() + 1) == []
    assert sched.unload_idle(now=time.monotonic() + 61) == ["fake"]
    assert "fake" not in get_registry().loaded()
    # budget: loading another model unloads the idle one first
    get_registry().load("fake")
    get_registry().card("fake").size_bytes = 10
    sched.settings.memory_budget_bytes = 15
    from genloom.models.card import Kind, ModelCard

    other = ModelCard(id="other", kind=Kind.text, backend="fake", size_bytes=10)
    get_registry().register(other, lambda card: fake_model)
    sched.make_room("other")
    assert "fake" not in get_registry().loaded()


def test_serve_cli_warns_without_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    import genloom.cli.serve as serve_mod

    calls: dict[str, Any] = {}
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.update(kw))
    from genloom.cli import cli

    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert "without API keys" in result.output and calls["port"] == 8123
    result = CliRunner().invoke(cli, ["serve"])
    assert "without API keys" not in result.output and calls["host"] == "127.0.0.1"
    assert serve_mod.serve.name == "serve"


def test_studio_is_served(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and "genloom studio" in r.text
    assert client.get("/ui/app.js").headers["content-type"].startswith("text/javascript")
    assert "paths" in client.get("/openapi.json").json()
