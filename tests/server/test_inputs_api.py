"""The user's files over HTTP: uploads typed and stored, asset ids resolved, never a server path."""

from __future__ import annotations

import io
import math
import struct
import wave
from typing import Any

from fastapi.testclient import TestClient


def wav_bytes(seconds: float = 1.0, rate: int = 16000) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(struct.pack("<h", int(6000 * math.sin(i / 9))) for i in range(int(seconds * rate))))
    return buf.getvalue()


def test_upload_is_typed_by_content_and_stored(client: TestClient) -> None:
    # The name says text, the bytes say audio: the bytes win.
    r = client.post("/v1/assets", files=[("files", ("notes.txt", wav_bytes(1.0), "text/plain")),
                                         ("files", ("memo.bin", b"Call Dana about the invoice.\n", "audio/wav"))])
    assert r.status_code == 201, r.text
    first, second = r.json()["data"]
    assert first["input"]["kind"] == "audio" and abs(first["input"]["seconds"] - 1.0) < 0.01
    assert first["mime"] == "audio/wav" and first["meta"]["ai_generated"] is False
    assert second["input"]["kind"] == "text" and second["input"]["named_as"] == "memo.bin"
    assert "path" not in first["input"]
    body = client.get(f"/v1/assets/{second['id']}/content")
    assert body.content == b"Call Dana about the invoice.\n"


def test_bad_uploads_are_400_before_anything_runs(client: TestClient) -> None:
    for data, fragment in ((b"", "empty"), (b"%PDF-1.4 ...", "PDF"), (bytes(range(256)) * 4, "neither text")):
        r = client.post("/v1/jobs", data={"request": "summarize this"}, files=[("files", ("x.wav", data))])
        assert r.status_code == 400, r.text
        err = r.json()["error"]
        assert fragment in err["message"] and err["type"] == "invalid_request_error"
    assert client.get("/v1/jobs").json()["data"] == []


def test_job_with_uploaded_file_and_asset_ids(client: TestClient) -> None:
    r = client.post("/v1/jobs", data={"request": "summarize the attached notes"},
                    files=[("files", ("notes.md", b"The launch moves to March.\n", "text/markdown"))])
    assert r.status_code == 202, r.text
    job = r.json()
    (asset_id,) = job["request"]["inputs"]
    assert asset_id.startswith("ast_") and "notes" in job
    # The same asset, by id, in JSON.
    r = client.post("/v1/jobs", json={"request": "translate it into French", "inputs": [asset_id]})
    assert r.status_code == 202, r.text
    # Unknown or malformed ids: 404 / 400, nothing queued.
    assert client.post("/v1/jobs", json={"request": "x", "inputs": ["ast_nope"]}).status_code == 404
    assert client.post("/v1/jobs", json={"request": "x", "inputs": ["../../etc/passwd"]}).status_code == 400
    # Inputs go with a request, not with a direct generator call.
    bad = client.post("/v1/jobs", json={"kind": "text", "prompt": "x", "inputs": [asset_id]})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "inputs"


def test_plan_with_inputs_and_no_server_paths(client: TestClient) -> None:
    up = client.post("/v1/assets", files=[("files", ("talk.wav", wav_bytes(0.5), "audio/wav"))]).json()["data"][0]
    plan = client.post("/v1/plans", json={"request": "transcribe this recording", "inputs": [up["id"]]})
    assert plan.status_code == 200, plan.text
    p: dict[str, Any] = plan.json()
    assert [f["asset_id"] for f in p["inputs"]] == [up["id"]]
    # A client that edits a plan's input path gets the store's file back, not its path.
    p["inputs"][0]["path"] = "/etc/passwd"
    sent = {k: v for k, v in p.items() if k != "object"}
    r = client.post("/v1/jobs", json={"plan": sent})
    assert r.status_code == 202, r.text
    stored = r.json()["request"]["plan"]["inputs"][0]
    assert stored["path"] != "/etc/passwd" and stored["asset_id"] == up["id"]
    # An input with no asset id at all is refused.
    sent["inputs"][0].pop("asset_id")
    r = client.post("/v1/jobs", json={"plan": sent})
    assert r.status_code == 400 and "asset_id" in r.json()["error"]["message"]


def test_generator_file_params_are_never_taken_over_http(client: TestClient) -> None:
    for params in ({"base_image": "x.png"}, {"clip": "a.mp4"}, {"images": ["/etc/passwd"]},
                   {"narration_audio": "v.wav"}):
        kind = "image" if "base_image" in params else "video"
        r = client.post("/v1/jobs", json={"kind": kind, "prompt": "x", "params": params})
        assert r.status_code == 400 and r.json()["error"]["param"].startswith("params."), params
