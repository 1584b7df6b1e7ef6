"""Native API: plans, jobs with SSE progress, assets with provenance."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import anyio
from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import ValidationError

from genloom.errors import InvalidInput, NotFound
from genloom.server.common import SSE_HEADERS, jsonable, sse, state
from genloom.server.errors import APIError
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


# -- the user's files ----------------------------------------------------------------

async def _read_upload(request: Request, upload: UploadFile) -> bytes:
    limit = state(request).settings.max_upload_bytes
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise APIError(f"Uploaded file {upload.filename or ''} is larger than {limit // 2**20} MB", status=413,
                       code="file_too_large", param="files")
    return data


async def _store_uploads(request: Request, uploads: list[UploadFile], start: int = 1) -> list[Any]:
    from genloom.inputs import MAX_INPUTS, store_upload

    if len(uploads) > MAX_INPUTS:
        raise InvalidInput(f"{len(uploads)} files; at most {MAX_INPUTS} at once", param="files")
    stored = []
    for i, upload in enumerate(uploads):
        data = await _read_upload(request, upload)
        name = upload.filename
        stored.append(await anyio.to_thread.run_sync(
            lambda d=data, n=name, k=start + i: store_upload(d, n, input_id=f"in{k}")))
    return stored


@router.post("/v1/assets", status_code=201, summary="Upload files to use as inputs (multipart 'files')")
async def upload_assets(request: Request, files: list[UploadFile] = File(..., description="The files")) -> dict[str, Any]:
    """Each file is typed by its content and stored; send the returned ids as a job's ``inputs``."""
    stored = await _store_uploads(request, files)
    data = []
    for f in stored:
        asset = await anyio.to_thread.run_sync(lambda a=f.asset_id: _asset(a))
        data.append({**_describe(request, asset), "input": {k: v for k, v in f.model_dump().items() if k != "path"}})
    return {"object": "list", "data": data}


def _rebind_plan_inputs(plan: dict[str, Any]) -> None:
    """A plan sent back by a client: each input's file comes from its asset id, never from the client."""
    from genloom.inputs import from_assets

    inputs = plan.get("inputs") or []
    if not isinstance(inputs, list):
        raise InvalidInput("plan.inputs must be a list", param="plan.inputs")
    for i, item in enumerate(inputs):
        if not isinstance(item, dict) or not item.get("asset_id"):
            raise InvalidInput(f"plan.inputs[{i}] has no asset_id: a plan's inputs must be stored assets",
                               param=f"plan.inputs[{i}]", hint="upload the file with POST /v1/assets")
        fresh = from_assets([str(item["asset_id"])])[0]
        inputs[i] = fresh.model_copy(update={"id": str(item.get("id") or f"in{i + 1}")}).model_dump()


async def _job_body(request: Request) -> tuple[JobRequest, list[UploadFile]]:
    """The job from a JSON body, or from a multipart form (fields, or one ``json`` field, plus ``files``)."""
    ctype = request.headers.get("content-type", "")
    uploads: list[UploadFile] = []
    if ctype.startswith("multipart/form-data"):
        from genloom.inputs import MAX_INPUTS

        form = await request.form(max_files=MAX_INPUTS, max_fields=64)
        data: dict[str, Any] = {}
        if form.get("json"):
            try:
                data = json.loads(str(form["json"]))
            except json.JSONDecodeError as exc:
                raise InvalidInput(f"The form's json field is not JSON ({exc.msg})", param="json") from None
            if not isinstance(data, dict):
                raise InvalidInput("The form's json field must be an object", param="json")
        for key in ("request", "recipe", "kind", "prompt", "model"):
            if form.get(key) and isinstance(form[key], str):
                data[key] = form[key]
        ids = [v for v in form.getlist("inputs") if isinstance(v, str)]
        if ids:
            data["inputs"] = [*(data.get("inputs") or []), *ids]
        uploads = [v for key in ("files", "file") for v in form.getlist(key) if not isinstance(v, str)]
    else:
        try:
            data = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise InvalidInput("The body is not JSON", hint="send application/json, or multipart/form-data with files",
                               param="body") from None
    try:
        return JobRequest.model_validate(data), uploads
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from None


@router.post("/v1/jobs", status_code=202, summary="Run a request, recipe, plan or one generator in the background",
             openapi_extra={"requestBody": {"content": {
                 "application/json": {"schema": {"$ref": "#/components/schemas/JobRequest"}},
                 "multipart/form-data": {"schema": {"type": "object", "properties": {
                     "request": {"type": "string"}, "json": {"type": "string", "description": "JobRequest as JSON"},
                     "inputs": {"type": "array", "items": {"type": "string"}},
                     "files": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}}})
async def create_job(request: Request) -> dict[str, Any]:
    body, uploads = await _job_body(request)
    stored = await _store_uploads(request, uploads, start=len(body.inputs) + 1) if uploads else []
    return await anyio.to_thread.run_sync(lambda: _submit_job(body, request, [f.asset_id for f in stored]))


def _submit_job(body: JobRequest, request: Request, uploaded: list[str | None]) -> dict[str, Any]:
    spec = body.model_dump(exclude_none=True)
    for key in ("values", "params"):
        if not spec.get(key):
            spec.pop(key, None)
    ids = [*(spec.get("inputs") or []), *(i for i in uploaded if i)]
    if ids:
        from genloom.inputs import from_assets

        if spec.get("kind") or spec.get("recipe"):
            raise InvalidInput("inputs go with a request (or a plan), not with kind or recipe", param="inputs")
        from_assets(ids)  # every input exists and is usable before the job is queued (400/404 otherwise)
        spec["inputs"] = ids
    else:
        spec.pop("inputs", None)
    for key, value in (spec.get("params") or {}).items():
        _check_param(key, value)
    from genloom.server.common import resolve_model

    plan = spec.get("plan")
    if isinstance(plan, dict):
        # A plan sent back by a client is untrusted like any request: names only, no paths.
        _rebind_plan_inputs(plan)
        for i, step in enumerate(plan.get("steps") or []):
            if not isinstance(step, dict):
                continue
            for key, value in (step.get("params") or {}).items():
                _check_param(key, value)
            if step.get("model"):
                step["model"] = resolve_model(request, str(step["model"]), str(step.get("kind") or "text"))
            if step.get("kind") not in (None, "text", "code", "image", "speech", "music", "sound", "video",
                                        "transcript"):
                raise InvalidInput(f"plan.steps[{i}].kind {step.get('kind')!r} cannot run as a job",
                                   param=f"plan.steps[{i}].kind")
    if spec.get("model"):
        # Names only: resolve now so a path or unknown name is refused up front.
        spec["model"] = resolve_model(request, spec["model"], spec.get("kind") or "text")
    return state(request).jobs.submit(spec).snapshot()


# Generator params that name files on the server (e.g. music's "midi" output
# path or "soundfont"): a request must never choose what the server reads or writes.
PATH_PARAMS = {"midi", "soundfont", "output", "output_dir", "path", "file", "dir", "sidecar", "model_path",
               "weights", "init_image", "image", "mask", "audio", "input_path", "font",
               # the user's files reach a generator only as stored inputs (genloom.inputs), never as paths
               "base_image", "clip", "images", "narration_audio", "music_audio"}


def _check_param(key: str, value: Any) -> None:
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
