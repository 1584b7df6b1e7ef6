"""Run a generation somewhere else, bring its records and files back as plain data.

A runner records its own generation(s) in "the" store. On a remote worker that
store is a private scratch one (:class:`Scratch`); after the call everything
it holds (generation rows, asset rows, blob bytes, files written to the output
folder) is packed into a picklable dict, shipped to the driver, and
:func:`import_packed` writes it into the driver's store with the same ids and
fields. So a generation made on Ray has exactly the provenance it would have
had in-process: same generation id, parents, run id, params, seed, labels.

Nothing here imports Ray: the same functions run in tests without a cluster.
"""

from __future__ import annotations

import importlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from genloom import errors

# Settings forwarded from the driver to workers (models dir, default models, threads);
# the database never is: workers write only to their scratch store.
FORWARD_PREFIX = "GENLOOM_"
NOT_FORWARDED = {"GENLOOM_DATABASE_URL"}


def driver_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith(FORWARD_PREFIX) and k not in NOT_FORWARDED}


def _scratch_parent() -> str:
    # Scratch data only lives until it is shipped to the driver: keep it in RAM
    # (tmpfs) where there is one, so its fsyncs cost nothing.
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else tempfile.gettempdir()


def _remove_stale_scratch() -> None:
    """Delete scratch folders of worker processes that are gone (killed actors leave theirs)."""
    for folder in Path(_scratch_parent()).glob("genloom-worker-*-*"):
        try:
            pid = int(folder.name.split("-")[2])
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (ValueError, IndexError, PermissionError, OSError):
            continue


class Scratch:
    """A private store + output folder for one worker process, emptied before each call."""

    def __init__(self, root: Path | None = None):
        if root is None:
            _remove_stale_scratch()
            root = Path(tempfile.mkdtemp(prefix=f"genloom-worker-{os.getpid()}-", dir=_scratch_parent()))
        self.root = Path(root)
        self.url = f"sqlite:///{self.root / 'scratch.db'}"
        self.assets = self.root / "assets"
        self.out = self.root / "out"
        self._store: Any = None

    def activate(self, env: dict[str, str] | None = None) -> Any:
        """Point this process's ``get_store()`` at the scratch store and clear it."""
        import sqlalchemy as sa

        from genloom.store import db, schema

        for key, value in (env or {}).items():
            os.environ[key] = value
        os.environ["GENLOOM_DATABASE_URL"] = self.url
        if self._store is None:
            self._store = db.Store(self.url, assets_root=self.assets)
        with self._store.engine.begin() as conn:
            conn.execute(sa.delete(schema.assets))
            conn.execute(sa.delete(schema.generations))
        for folder in (self.assets, self.out):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True, exist_ok=True)
        self._store.blobs.root.mkdir(parents=True, exist_ok=True)
        # get_store() keeps the instance as long as the URL matches, which it now does.
        with db._store_lock:
            db._store = self._store
        return self._store

    def pack(self, result: Any) -> dict[str, Any]:
        import sqlalchemy as sa

        from genloom.store import schema

        store = self._store
        with store.engine.connect() as conn:
            gens = [dict(r._mapping) for r in conn.execute(
                sa.select(schema.generations).order_by(schema.generations.c.created_at, schema.generations.c.id))]
            assets = [dict(r._mapping) for r in conn.execute(
                sa.select(schema.assets).order_by(schema.assets.c.created_at, schema.assets.c.id))]
        blob_paths: dict[str, str] = {}
        for a in assets:
            path = store.asset_path(a)
            a["data"] = path.read_bytes()
            a["ext"] = path.suffix
            blob_paths[str(path)] = a["id"]
        outputs = [(str(p.relative_to(self.out)), p.read_bytes()) for p in sorted(self.out.rglob("*")) if p.is_file()]
        return {
            "result": {
                "kind": result.kind, "generation_id": result.generation_id, "model_id": result.model_id,
                "text": result.text, "asset_ids": list(result.asset_ids),
                "paths": [str(p) for p in result.paths], "meta": result.meta,
            },
            "generations": gens, "assets": assets, "outputs": outputs,
            "blob_paths": blob_paths, "scratch_out": str(self.out), "scratch_assets": str(self.assets),
        }


def pack_error(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, errors.GenloomError):
        return {"error": {"class": type(exc).__name__, "message": exc.message, "hint": exc.hint, "param": exc.param}}
    return {"error": {"class": "GenerationFailed", "message": f"{type(exc).__name__}: {exc}", "hint": None,
                      "param": None}}


def raise_packed(error: dict[str, Any]) -> None:
    cls = getattr(errors, error.get("class") or "", None)
    if not (isinstance(cls, type) and issubclass(cls, errors.GenloomError)):
        cls = errors.GenerationFailed
    raise cls(error["message"], hint=error.get("hint"), param=error.get("param"))


def call_captured(scratch: Scratch, target: str, prompt: str, *, kind: str, model: str | None,
                  params: dict[str, Any], output_name: str | None, parent_ids: list[str] | None,
                  run_id: str | None, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Worker side: run ``target`` (``module:function``) against the scratch store, return packed data."""
    try:
        scratch.activate(env)
        module, func = target.split(":")
        runner = getattr(importlib.import_module(module), func)
        output = scratch.out / output_name if output_name else None
        result = runner(prompt, model=model, params=dict(params), output=output, parent_ids=parent_ids,
                        run_id=run_id, progress=None)
        return scratch.pack(result)
    except Exception as exc:  # errors travel as data so their class survives the trip
        return pack_error(exc)


def run_request(prompt: str, *, model: str | None, params: dict[str, Any], output: Path | None,
                parent_ids: list[str] | None, run_id: str | None, progress: Any = None) -> Any:
    """A runner for a free-form request: the brain plans it and executes every step.

    Lets a whole ``{"request": ...}`` batch item run on one Ray worker, with all
    its generations captured like any other call.
    """
    from genloom.api import Result

    try:
        from genloom import brain
    except ImportError as exc:
        raise errors.BackendUnavailable("The brain (genloom.brain) is not installed",
                                        hint="free-form requests need it; give kind + prompt instead") from exc
    out_dir = Path(output) if output is not None else None
    plan = brain.plan(prompt)
    run = brain.execute(plan, output_dir=out_dir)
    failed = [f"{s.step_id}: {s.error or s.status}" for s in run.steps if s.status != "ok"]
    if failed:
        # A partly made request is not done: it fails, so a re-run of the batch makes it again.
        raise errors.GenerationFailed(f"{len(failed)} of {len(run.steps)} steps failed: {'; '.join(failed)}")
    texts = [s.text for s in run.steps if s.text]
    return Result(kind="request", generation_id=run.run_id, model_id="brain", text="\n\n".join(texts) or None,
                  asset_ids=[a for s in run.steps for a in s.asset_ids], paths=run.files(),
                  meta={"steps": len(run.steps), "deliverables": list(getattr(plan, "deliverables", []) or [])})


def _remap(value: Any, prefixes: list[tuple[str, str]]) -> Any:
    if isinstance(value, str):
        for old, new in prefixes:
            if value == old or value.startswith(old + os.sep):
                return new + value[len(old):]
        return value
    if isinstance(value, dict):
        return {k: _remap(v, prefixes) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_remap(v, prefixes) for v in value)
    return value


def import_packed(packed: dict[str, Any], output: Path | None = None) -> Any:
    """Driver side: record the packed generations in the local store, write outputs, build the Result."""
    from genloom.api import Result
    from genloom.store.db import get_store
    from genloom.store.files import atomic_write_bytes

    if "error" in packed:
        raise_packed(packed["error"])
    store = get_store()
    by_gen: dict[str, list[dict[str, Any]]] = {}
    for a in packed["assets"]:
        by_gen.setdefault(a["generation_id"], []).append(a)
    for g in packed["generations"]:
        fields = {k: v for k, v in g.items() if k not in ("id", "created_at", "kind", "task", "model_id", "output")}
        store.record_generation(
            kind=g["kind"], task=g["task"], model_id=g["model_id"], output=g["output"], generation_id=g["id"],
            assets=[{"id": a["id"], "data": a["data"], "kind": a["kind"], "mime": a["mime"], "ext": a["ext"],
                     "meta": a["meta"]} for a in by_gen.get(g["id"], [])],
            **fields,
        )
    prefixes: list[tuple[str, str]] = []
    for blob_path, asset_id in packed["blob_paths"].items():
        prefixes.append((blob_path, str(store.asset_path(store.asset(asset_id)))))
    if output is not None:
        out_dir = Path(output).parent
        for rel, data in packed["outputs"]:
            target = (out_dir / rel).resolve()
            if not target.is_relative_to(out_dir.resolve()):
                raise errors.GenerationFailed(f"worker returned a file outside the output folder: {rel}")
            atomic_write_bytes(target, data)
        prefixes.append((packed["scratch_out"], str(out_dir)))
    r = packed["result"]
    return Result(kind=r["kind"], generation_id=r["generation_id"], model_id=r["model_id"], text=r["text"],
                  asset_ids=r["asset_ids"], paths=[Path(p) for p in _remap(r["paths"], prefixes)],
                  meta=_remap(r["meta"], prefixes))
