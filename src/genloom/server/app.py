"""The FastAPI application: ``create_app()`` wires settings, the scheduler, the
job manager, the routes and the studio.

    uvicorn --factory genloom.server.app:create_app
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles

from genloom.jobs import JobManager
from genloom.server import errors
from genloom.server.auth import Guard, new_secret, sign
from genloom.server.queue import Scheduler
from genloom.server.settings import Settings

log = logging.getLogger("genloom.server")


@dataclass
class ServerState:
    settings: Settings
    scheduler: Scheduler
    jobs: JobManager
    secret: bytes = field(default_factory=new_secret)

    def asset_url(self, request: Request, asset_id: str) -> str:
        url = f"{str(request.base_url).rstrip('/')}/v1/assets/{asset_id}/content"
        return f"{url}?sig={sign(self.secret, asset_id)}" if self.settings.api_keys else url


def ui_dir() -> Any:
    return resources.files("genloom") / "ui"


def create_app(settings: Settings | None = None, *, job_workers: int = 2) -> FastAPI:
    settings = settings or Settings.from_env()
    jobs = JobManager(workers=job_workers, ray_address=settings.ray_address,
                      on_restart=settings.jobs_on_restart)
    st = ServerState(settings=settings, scheduler=Scheduler(settings), jobs=jobs)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        st.scheduler.start()
        try:
            yield
        finally:
            st.jobs.shutdown()
            await st.scheduler.stop()

    from genloom import __version__ as version

    app = FastAPI(
        title="genloom",
        version=version,
        description="Local-first generative AI: OpenAI-compatible endpoints plus plans, jobs and assets.",
        lifespan=lifespan,
    )
    app.state.genloom = st
    errors.install(app)
    app.add_middleware(Guard, settings=settings, secret=st.secret)

    from genloom.server import native, openai_media, openai_text, sound

    app.include_router(openai_text.router)
    app.include_router(openai_media.router)
    app.include_router(sound.router)
    app.include_router(native.router)

    @app.get("/health", tags=["genloom"], summary="Liveness (no key needed)")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/status", tags=["genloom"], summary="Loaded models, queues and runnable kinds")
    def status() -> dict[str, Any]:
        from genloom.api import RUNNERS
        from genloom.models.registry import get_registry

        return {"loaded": get_registry().loaded(), "queues": st.scheduler.stats(), "kinds": sorted(RUNNERS),
                "auth": bool(settings.api_keys), "idle_unload_s": settings.idle_unload_s,
                "memory_budget_bytes": settings.memory_budget_bytes}

    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]

    ui = ui_dir()
    app.mount("/ui", StaticFiles(directory=str(ui)), name="ui")

    @app.get("/", include_in_schema=False)
    def index() -> Response:
        return FileResponse(str(ui / "index.html"), media_type="text/html",
                            headers={"Cache-Control": "no-cache"})

    return app


ERROR_STATUSES = {
    "400": "Bad request: invalid JSON, parameter or value",
    "401": "Missing or invalid API key",
    "404": "Unknown model, asset or job",
    "409": "Model weights are not installed",
    "413": "Request body or upload too large",
    "422": "Model weights are corrupt",
    "429": "The model's queue is full (see Retry-After)",
    "501": "This kind of output is not installed",
}


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, with genloom's real error answers (OpenAI error shape; 400 not 422)."""
    if app.openapi_schema:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = doc.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = {
        "type": "object", "required": ["error"],
        "properties": {"error": {"type": "object", "required": ["message", "type"], "properties": {
            "message": {"type": "string"}, "type": {"type": "string"},
            "param": {"type": ["string", "null"]}, "code": {"type": ["string", "null"]}}}},
    }
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for path in doc.get("paths", {}).values():
        for op in path.values():
            responses = op.setdefault("responses", {})
            responses.pop("422", None)
            for status, text in ERROR_STATUSES.items():
                responses.setdefault(status, {"description": text, **error})
    app.openapi_schema = doc
    return doc


def is_loopback(host: str) -> bool:
    import ipaddress

    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
