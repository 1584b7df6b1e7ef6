"""Fixtures for the catalogue tests: a fake Hugging Face hub on 127.0.0.1.

The fake hub speaks the part of the hub protocol ``huggingface_hub`` uses:

* ``HEAD/GET /{repo}/resolve/{revision}/{path}``: small files are served
  directly with ``ETag`` = git blob sha1, ``X-Repo-Commit`` and
  ``Content-Length``; large ("LFS") files answer with a 302 to a second
  server (the "CDN", another origin) and carry ``X-Linked-Etag`` (their
  sha256) and ``X-Linked-Size``, as the real hub does.
* ``GET /cdn/{sha256}`` on the CDN, with ``Range: bytes=N-`` support (206).
* ``GET /api/models/{repo}/revision/{revision}?blobs=true``: the file list
  with sizes and LFS sha256s.

Faults can be injected per file: ``drop_after`` (close the connection after
N bytes, once), ``corrupt`` (serve altered bytes under the original ETag).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

COMMIT = "a" * 40
LFS_SUFFIXES = (".gguf", ".safetensors", ".onnx", ".bin")


def git_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass
class FakeHub:
    repos: dict[str, dict[str, bytes]] = field(default_factory=dict)
    drop_after: dict[str, int] = field(default_factory=dict)
    corrupt: set[str] = field(default_factory=set)
    log: list[tuple[str, str, str | None]] = field(default_factory=list)
    auth: list[tuple[str, str, str | None]] = field(default_factory=list)  # (role, path, Authorization)
    url: str = ""
    cdn_url: str = ""

    def add(self, repo: str, files: dict[str, bytes]) -> None:
        self.repos[repo] = dict(files)

    def by_sha(self, sha: str) -> tuple[str, bytes] | None:
        for files in self.repos.values():
            for name, data in files.items():
                if hashlib.sha256(data).hexdigest() == sha:
                    return name, data
        return None

    def requests(self, method: str | None = None, contains: str = "") -> list[tuple[str, str, str | None]]:
        return [r for r in self.log if (method is None or r[0] == method) and contains in r[1]]


def _handler(hub: FakeHub, role: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        def do_HEAD(self) -> None:
            self._serve(body=False)

        def do_GET(self) -> None:
            self._serve(body=True)

        def _send(self, status: int, headers: dict[str, str], payload: bytes = b"", body: bool = True) -> None:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", headers.get("Content-Length", str(len(payload))))
            self.end_headers()
            if body and payload:
                self.wfile.write(payload)

        def _not_found(self, code: str) -> None:
            self._send(404, {"X-Error-Code": code, "X-Error-Message": code, "Content-Type": "application/json"},
                       json.dumps({"error": code}).encode())

        def _serve(self, body: bool) -> None:
            path = self.path.split("?", 1)[0]
            hub.log.append((self.command, path, self.headers.get("Range")))
            hub.auth.append((role, path, self.headers.get("Authorization")))
            if role == "cdn":
                m = re.fullmatch(r"/cdn/([0-9a-f]{64})", path)
                found = hub.by_sha(m.group(1)) if m else None
                if not found:
                    return self._not_found("EntryNotFound")
                return self._bytes(found[0], found[1], {}, body)
            m = re.fullmatch(r"/api/models/([^/]+/[^/]+)/revision/([^/]+)", path)
            if m:
                files = hub.repos.get(m.group(1))
                if files is None:
                    return self._not_found("RepoNotFound")
                siblings = []
                for name, data in sorted(files.items()):
                    sib: dict[str, Any] = {"rfilename": name, "size": len(data), "blobId": git_sha1(data)}
                    if name.endswith(LFS_SUFFIXES):
                        sib["lfs"] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "pointerSize": 134}
                    siblings.append(sib)
                payload = json.dumps({"id": m.group(1), "sha": COMMIT, "siblings": siblings}).encode()
                return self._send(200, {"Content-Type": "application/json"}, payload, body)
            m = re.fullmatch(r"/([^/]+/[^/]+)/resolve/([^/]+)/(.+)", path)
            if not m:
                return self._not_found("EntryNotFound")
            files = hub.repos.get(m.group(1))
            if files is None:
                return self._not_found("RepoNotFound")
            name = m.group(3)
            if name not in files:
                return self._send(404, {"X-Error-Code": "EntryNotFound", "X-Repo-Commit": COMMIT})
            data = files[name]
            common = {"X-Repo-Commit": COMMIT}
            if name.endswith(LFS_SUFFIXES):
                sha = hashlib.sha256(data).hexdigest()
                return self._send(302, {**common, "Location": f"{hub.cdn_url}/cdn/{sha}",
                                        "X-Linked-Etag": f'"{sha}"', "X-Linked-Size": str(len(data)),
                                        "ETag": f'"{git_sha1(b"pointer " + sha.encode())}"'}, b"", body)
            return self._bytes(name, data, {**common, "ETag": f'"{git_sha1(data)}"'}, body)

        def _bytes(self, name: str, data: bytes, headers: dict[str, str], body: bool) -> None:
            if name in hub.corrupt:
                data = bytes([data[0] ^ 0xFF]) + data[1:]
            start = 0
            rng = self.headers.get("Range")
            status = 200
            if rng:
                m = re.fullmatch(r"bytes=(\d+)-", rng.strip())
                if m:
                    start = int(m.group(1))
                    status = 206
                    headers = {**headers, "Content-Range": f"bytes {start}-{len(data) - 1}/{len(data)}"}
            chunk = data[start:]
            headers = {**headers, "Accept-Ranges": "bytes", "Content-Type": "application/octet-stream",
                       "Content-Length": str(len(chunk))}
            cut = hub.drop_after.pop(name, None) if body else None
            if cut is not None:
                # Promise the whole file, send part of it, hang up: a dropped connection.
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(chunk[:cut])
                self.wfile.flush()
                self.close_connection = True
                return
            self._send(status, headers, chunk, body)

    return Handler


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up mid-transfer is what some tests do on purpose


@pytest.fixture
def fake_hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    hub = FakeHub()
    servers = []
    for role in ("hub", "cdn"):
        server = _QuietServer(("127.0.0.1", 0), _handler(hub, role))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
    hub.url = f"http://127.0.0.1:{servers[0].server_address[1]}"
    hub.cdn_url = f"http://127.0.0.1:{servers[1].server_address[1]}"
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    yield hub
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def isolated_caches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Own models dir and HF cache per test; no token, online unless a test says otherwise."""
    models = tmp_path / "models"
    monkeypatch.setenv("GENLOOM_MODELS_DIR", str(models))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_HUB_DISABLE_XET", "1")
    monkeypatch.setenv("GENLOOM_PULL_TIMEOUT", "3")
    # Small chunks, so a test can interrupt a download part-way through a file.
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "DOWNLOAD_CHUNK_SIZE", 32 * 1024)
    for var in ("GENLOOM_RAM_GB", "GENLOOM_GPU_GB", "GENLOOM_PREFER", "GENLOOM_CATALOG"):
        monkeypatch.delenv(var, raising=False)
    return models


@pytest.fixture
def use_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``use_catalog([entry, ...])`` writes a catalogue file and points GENLOOM_CATALOG at it."""
    import yaml

    def write(models: list[dict[str, Any]]) -> Path:
        path = tmp_path / f"catalog-{len(list(tmp_path.glob('catalog-*')))}.yaml"
        path.write_text(yaml.safe_dump({"models": models}))
        monkeypatch.setenv("GENLOOM_CATALOG", str(path))
        return path

    return write
