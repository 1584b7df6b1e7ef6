"""Every error leaves the server in OpenAI's shape.

``{"error": {"message", "type", "param", "code"}}`` with the status of the
:class:`GenloomError` subclass; request validation errors are 400s, so a bad
request never turns into a 5xx.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from genloom.errors import GenloomError

log = logging.getLogger("genloom.server")

_HTTP_TYPES = {401: "authentication_error", 403: "permission_error", 404: "invalid_request_error",
               405: "invalid_request_error", 413: "invalid_request_error", 429: "rate_limit_error"}


class APIError(GenloomError):
    """An error raised by the HTTP layer itself (auth, limits, queue)."""

    def __init__(self, message: str, *, status: int, code: str, type: str = "invalid_request_error",
                 param: str | None = None, headers: dict[str, str] | None = None, hint: str | None = None):
        self.status = status
        self.code = code
        self.type = type
        self.headers = headers or {}
        super().__init__(message, hint=hint, param=param)


def error_body(message: str, type_: str, code: str | None, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def error_response(status: int, message: str, type_: str, code: str | None, param: str | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(message, type_, code, param), status_code=status, headers=headers)


def not_implemented(what: str, module: str) -> APIError:
    return APIError(f"{what} is not available in this genloom install", status=501, code="not_implemented",
                    type="server_error", hint=f"the {module} module is not installed yet")


def _genloom(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, GenloomError)
    if exc.status >= 500:
        log.warning("%s: %s", type(exc).__name__, exc)
    return error_response(exc.status, str(exc), exc.type, exc.code, exc.param, getattr(exc, "headers", None))


def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
    loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "header")]
    param = ".".join(loc) or None
    msg = f"Invalid request: {param + ': ' if param else ''}{first.get('msg', 'invalid value')}"
    return error_response(400, msg, "invalid_request_error", "invalid_value", param)


def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else "request failed"
    return error_response(exc.status_code, detail, _HTTP_TYPES.get(exc.status_code, "invalid_request_error"),
                          str(exc.status_code), None, getattr(exc, "headers", None))


def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return error_response(500, f"Internal error: {type(exc).__name__}: {exc}", "server_error", "internal_error")


def install(app: FastAPI) -> None:
    app.add_exception_handler(GenloomError, _genloom)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
