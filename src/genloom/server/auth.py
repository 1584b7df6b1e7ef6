"""API keys and request size limits, as one plain ASGI middleware.

Plain ASGI (not ``BaseHTTPMiddleware``) so streamed responses pass through
untouched: SSE chunks are not buffered and tokens/s through the server stays
close to the library's.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any

from genloom.server.settings import Settings

# Open without a key: liveness checks and the studio's static files (which hold
# no data; the studio asks for a key and sends it on every API call).
PUBLIC_PATHS = {"/health", "/", "/favicon.ico"}
PUBLIC_PREFIXES = ("/ui/",)
UPLOAD_PATHS = ("/v1/audio/transcriptions", "/v1/audio/translations")
# Paths that take the upload limit only for multipart bodies (a job with its input files).
MULTIPART_UPLOAD_PATHS = ("/v1/jobs", "/v1/assets")


def new_secret() -> bytes:
    return secrets.token_bytes(32)


def sign(secret: bytes, asset_id: str) -> str:
    """Signs asset URLs so ``<img src>`` and OpenAI-style image ``url``s work when
    keys are on (a browser cannot add a bearer header to an ``<img>``)."""
    return hmac.new(secret, asset_id.encode(), hashlib.sha256).hexdigest()[:32]


def _json_error(status: int, message: str, type_: str, code: str, extra_headers: list[tuple[bytes, bytes]] | None = None
                ) -> tuple[dict[str, Any], dict[str, Any]]:
    body = json.dumps({"error": {"message": message, "type": type_, "param": None, "code": code}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += extra_headers or []
    return ({"type": "http.response.start", "status": status, "headers": headers},
            {"type": "http.response.body", "body": body})


class Guard:
    def __init__(self, app: Any, settings: Settings, secret: bytes):
        self.app = app
        self.settings = settings
        self.secret = secret

    def sign(self, asset_id: str) -> str:
        return sign(self.secret, asset_id)

    def _authorized(self, scope: dict[str, Any]) -> bool:
        keys = self.settings.api_keys
        if not keys:
            return True
        path = scope.get("path", "")
        if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
            return True
        headers = dict(scope.get("headers") or [])
        auth = headers.get(b"authorization", b"").decode("latin-1")
        token = auth[7:].strip() if auth[:7].lower() == "bearer " else headers.get(b"x-api-key", b"").decode("latin-1")
        if token and any(hmac.compare_digest(token, k) for k in keys):
            return True
        # A signed asset content URL carries its own proof.
        if path.startswith("/v1/assets/") and path.endswith("/content"):
            from urllib.parse import parse_qs

            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            asset_id = path[len("/v1/assets/"):-len("/content")]
            sig = (query.get("sig") or [""])[0]
            return bool(sig) and hmac.compare_digest(sig, self.sign(asset_id))
        return False

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not self._authorized(scope):
            start, body = _json_error(401, "Missing or invalid API key: send 'Authorization: Bearer KEY'",
                                      "authentication_error", "invalid_api_key",
                                      [(b"www-authenticate", b"Bearer")])
            await send(start)
            await send(body)
            return
        path = scope.get("path", "")
        headers = dict(scope.get("headers") or [])
        multipart = headers.get(b"content-type", b"").startswith(b"multipart/form-data")
        # Several files per job: up to MAX_INPUTS uploads of the upload limit each.
        upload = path.startswith(UPLOAD_PATHS) or (multipart and path in MULTIPART_UPLOAD_PATHS)
        limit = self.settings.max_upload_bytes * (1 if path.startswith(UPLOAD_PATHS) else 4) if upload \
            else self.settings.max_body_bytes
        try:
            declared = int(headers.get(b"content-length", b"0") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            await self._too_large(send, limit)
            return
        if b"content-length" in headers or scope.get("method") in ("GET", "HEAD", "OPTIONS", "DELETE"):
            # A declared length is enforced by the server's HTTP parser; nothing to count.
            await self.app(scope, receive, send)
            return
        # Chunked upload of unknown length: buffer up to the limit, then replay.
        messages = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                messages.append(message)
                break
            seen += len(message.get("body", b""))
            if seen > limit:
                await self._too_large(send, limit)
                return
            messages.append(message)
            if not message.get("more_body"):
                break
        replay = iter(messages)

        async def replay_receive() -> dict[str, Any]:
            try:
                return next(replay)
            except StopIteration:
                return await receive()

        await self.app(scope, replay_receive, send)

    @staticmethod
    async def _too_large(send: Any, limit: int) -> None:
        start, body = _json_error(413, f"Request body is larger than the limit of {limit // 2**20} MB",
                                  "invalid_request_error", "request_too_large")
        await send(start)
        await send(body)
