"""Native API: plans, jobs with SSE progress, assets with provenance."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, StreamingResponse

from genloom.errors import NotFound
from genloom.server.common import SSE_HEADERS, jsonable, sse, state
from genloom.server.schemas import JobRequest, PlanRequest

router = APIRouter(tags=["genloom"])

ASSET_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


# -- plans and jobs ----------------------------------------------------------------

@router.post("/v1/plans", summary="Plan a request (or a recipe) without running it")
async def plans(body: PlanRequest) -> dict[str, Any]:
    from genloom.jobs import make_plan

    spec = body.model_dump()
    if not (spec.get("request") or spec.get("recipe")):
        from genloom.errors import EmptyPrompt

        raise EmptyPrompt("Send a request or a recipe name", param="request")
    plan = await anyio.to_thread.run_sync(lambda: make_plan(spec))
    return {"object": "plan", **jsonable(plan)}


@router.post("/v1/jobs", status_code=202, summary="Run a request, recipe, plan or one generator in the background")
def create_job(body: JobRequest, request: Request) -> dict[str, Any]:
    spec = body.model_dump(exclude_none=True)
    for key in ("values", "params"):
        if not spec.get(key):
            spec.pop(key, None)
    for key, value in (spec.get("params") or {}).items():
        _check_param(key, value)
    from genloom.server.common import resolve_model

    plan = spec.get("plan")
    if isinstance(plan, dict):
        # A plan sent back by a client is untrusted like any request: names only, no paths.
        for i, step in enumerate(plan.get("steps") or []):
            if not isinstance(step, dict):
                continue
            for key, value in (step.get("params") or {}).items():
                _check_param(key, value)
            if step.get("model"):
                step["model"] = resolve_model(request, str(step["model"]), str(step.get("kind") or "text"))
            if step.get("kind") not in (None, "text", "code", "image", "speech", "music", "video"):
                from genloom.errors import InvalidInput

                raise InvalidInput(f"plan.steps[{i}].kind {step.get('kind')!r} cannot run as a job",
                                   param=f"plan.steps[{i}].kind")
    if spec.get("model"):
        # Names only: resolve now so a path or unknown name is refused up front.
        spec["model"] = resolve_model(request, spec["model"], spec.get("kind") or "text")
    return state(request).jobs.submit(spec).snapshot()


# Generator params that name files on the server (e.g. music's "midi" output
# path or "soundfont"): a request must never choose what the server reads or writes.
PATH_PARAMS = {"midi", "soundfont", "output", "output_dir", "path", "file", "dir", "sidecar", "model_path",
               "weights", "init_image", "image", "mask", "audio", "input_path", "font"}


def _check_param(key: str, value: Any) -> None:
    from genloom.errors import InvalidInput

    looks_like_path = isinstance(value, str) and (
        value.startswith(("/", "~", "./", "../", "\\")) or "/../" in value or ":\\" in value)
    if key in PATH_PARAMS or looks_like_path:
        raise InvalidInput(f"params.{key} is not accepted over HTTP: the server never reads or writes files "
                           "named by a request", param=f"params.{key}")


@router.get("/v1/jobs", summary="Recent jobs")
def list_jobs(request: Request, limit: int = Query(50, ge=1, le=500)) -> dict[str, Any]:
    return {"object": "list", "data": state(request).jobs.list(limit)}


@router.get("/v1/jobs/{job_id}", summary="A job: status, per-step progress, results")
def get_job(job_id: str, request: Request) -> dict[str, Any]:
    return state(request).jobs.get(job_id)


@router.delete("/v1/jobs/{job_id}", summary="Cancel a job")
def cancel_job(job_id: str, request: Request) -> dict[str, Any]:
    return state(request).jobs.cancel(job_id)


@router.get("/v1/jobs/{job_id}/events", summary="Progress events (server-sent events), past ones first",
            responses={200: {"content": {"text/event-stream": {}}}})
async def job_events(job_id: str, request: Request, after: int = Query(-1, ge=-1)) -> StreamingResponse:
    manager = state(request).jobs
    job = manager.job(job_id)

    async def stream() -> Any:
        sent = after + 1
        while True:
            events = job.events[sent:]
            for ev in events:
                yield f"id: {ev['seq']}\nevent: {ev.get('type', 'message')}\n".encode() + sse(ev)
            sent += len(events)
            if job.done.is_set() and sent >= len(job.events):
                yield sse({"type": "end", "job": job.snapshot()})
                return
            if await request.is_disconnected():
                return
            await asyncio.sleep(0.1)

    return StreamingResponse(stream(), media_type="text/event-stream", headers=SSE_HEADERS)


# -- assets ---------------------------------------------------------------------------

def _asset(asset_id: str) -> dict[str, Any]:
    if not ASSET_ID.match(asset_id):
        raise NotFound(f"No asset {asset_id[:80]!r}", param="id")
    from genloom.store.db import get_store

    return get_store().asset(asset_id)


def _safe_path(asset: dict[str, Any]) -> Path:
    from genloom.store.db import get_store

    store = get_store()
    root = store.blobs.root.resolve()
    try:
        path = store.asset_path(asset).resolve()
    except ValueError:  # a row whose sha256 is not a digest: tampered, never followed
        raise NotFound(f"The file of asset {asset['id']!r} is missing from the store", param="id") from None
    # The path comes from the sha256, never from the request or the row, and
    # must still resolve inside the blob store (no symlink escapes).
    if not path.is_relative_to(root) or not path.is_file():
        raise NotFound(f"The file of asset {asset['id']!r} is missing from the store", param="id")
    return path


def _describe(request: Request, asset: dict[str, Any], *, lineage: bool = False) -> dict[str, Any]:
    from genloom.store.db import get_store

    out = jsonable({k: v for k, v in asset.items() if k != "path"})
    out["object"] = "asset"
    out["url"] = state(request).asset_url(request, asset["id"])
    gid = asset.get("generation_id")
    if gid:
        try:
            gen = get_store().generation(gid)
            out["provenance"] = jsonable({k: gen.get(k) for k in (
                "id", "created_at", "kind", "task", "model_id", "model_sha256", "prompt", "system", "params",
                "seed", "parent_ids", "run_id", "duration_ms")})
            if lineage:
                tree = get_store().tree(gid)
                out["lineage"] = _trim(tree)
        except NotFound:
            out["provenance"] = None
    return out


def _trim(node: dict[str, Any]) -> dict[str, Any]:
    return jsonable({"id": node.get("id"), "kind": node.get("kind"), "model_id": node.get("model_id"),
                     "prompt": node.get("prompt"), "assets": [a.get("id") for a in node.get("assets") or []],
                     "parents": [_trim(p) for p in node.get("parents") or []]})


@router.get("/v1/assets", summary="Recent assets (the studio's gallery)")
def list_assets(request: Request, limit: int = Query(50, ge=1, le=500),
                kind: str | None = Query(None, max_length=20)) -> dict[str, Any]:
    from genloom.store.db import get_store

    return {"object": "list", "data": [_describe(request, a) for a in get_store().assets(limit=limit, kind=kind)]}


@router.get("/v1/assets/{asset_id}", summary="An asset with its provenance")
def get_asset(asset_id: str, request: Request) -> dict[str, Any]:
    return _describe(request, _asset(asset_id), lineage=True)


@router.get("/v1/assets/{asset_id}/content", summary="An asset's bytes",
            responses={200: {"content": {"application/octet-stream": {}}}})
def asset_content(asset_id: str, sig: str | None = Query(None, max_length=64)) -> FileResponse:
    asset = _asset(asset_id)
    path = _safe_path(asset)
    ext = Path(str(asset.get("path") or "")).suffix
    return FileResponse(path, media_type=asset["mime"], filename=f"{asset['id']}{ext}",
                        content_disposition_type="inline",
                        headers={"X-AI-Generated": "true", "Cache-Control": "private, max-age=3600"})
