"""Background jobs: run a request, a recipe, a plan or one generator in a
worker thread, with per-step progress, an event log and cancellation.

In-process (threads); each state change is also written to the ``jobs`` table,
and each finished step's result to ``job_steps`` as soon as it finishes, so
jobs survive a crash: when a manager starts, every job whose process died
(killed, crashed, or stopped mid-job) is resumed from its last finished step
(``on_restart="resume"``, the default; finished steps are never run again) or
marked failed with the reason (``on_restart="fail"``).

    manager = JobManager()
    job = manager.submit({"kind": "text", "prompt": "a haiku"})
    manager.wait(job.id); manager.get(job.id)["status"]  # "succeeded"
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from genloom.errors import GenloomError, InvalidInput, NotFound

log = logging.getLogger("genloom.jobs")

FINAL = ("succeeded", "failed", "cancelled", "interrupted")
ON_RESTART = ("resume", "fail")
# Owners (JobManager tokens) alive in this process: a job owned by this pid
# but by no live manager was left by an earlier process that had the same pid.
_LIVE_OWNERS: set[str] = set()


def jsonable(value: Any) -> Any:
    """Best-effort JSON form of results from other modules (pydantic, dataclasses, paths)."""
    from dataclasses import asdict, is_dataclass
    from datetime import datetime
    from enum import Enum
    from pathlib import Path

    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if hasattr(value, "model_dump"):
        return jsonable(value.model_dump(mode="json"))
    if hasattr(value, "to_dict"):
        return jsonable(value.to_dict())
    if is_dataclass(value) and not isinstance(value, type):
        return jsonable(asdict(value))
    return str(value)


_jsonable = jsonable


class NotInstalled(GenloomError):
    status = 501
    code = "not_implemented"
    type = "server_error"


class JobsBusy(GenloomError):
    status = 429
    code = "too_many_jobs"
    type = "rate_limit_error"


class Job:
    def __init__(self, job_id: str, spec: dict[str, Any]):
        self.id = job_id
        self.spec = spec
        self.created_at = time.time()
        self.updated_at = self.created_at
        self.status = "queued"
        # Resuming: the run id of the first attempt, and the results of the steps it finished.
        self.run_id: str | None = None
        self.attempts = 1
        self.finished_steps: dict[str, dict[str, Any]] = {}
        self.user_cancelled = False
        self.plan: dict[str, Any] | None = None
        self.steps: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.result: Any = None
        self.error: dict[str, Any] | None = None
        self.cancel = threading.Event()
        self.done = threading.Event()
        self.lock = threading.Lock()

    def emit(self, event: dict[str, Any]) -> None:
        with self.lock:
            event = {"seq": len(self.events), "time": time.time(), **_jsonable(event)}
            self.events.append(event)
            self.updated_at = event["time"]
            self._apply(event)

    def _step_index(self, event: dict[str, Any]) -> int | None:
        key = next((event[k] for k in ("step_id", "step", "index", "step_index") if k in event), None)
        if isinstance(key, dict):
            key = key.get("id", key.get("index"))
        if isinstance(key, int) and 0 <= key < len(self.steps):
            return key
        for i, step in enumerate(self.steps):
            if key is not None and str(step.get("id")) == str(key):
                return i
        return None

    def _apply(self, event: dict[str, Any]) -> None:
        kind = event.get("type", "")
        i = self._step_index(event)
        if i is None:
            return
        step = self.steps[i]
        if kind == "step_started":
            step.update(status="running", progress=0.0)
        elif kind == "step_progress":
            fraction = event.get("progress", event.get("fraction"))
            if isinstance(fraction, int | float):
                step["progress"] = max(0.0, min(1.0, float(fraction)))
            if event.get("message"):
                step["message"] = event["message"]
        elif kind == "step_finished":
            step.update(status="succeeded", progress=1.0)
            for k in ("result", "asset_ids", "text", "outputs"):
                if k in event:
                    step[k] = event[k]
        elif kind == "step_failed":
            step.update(status="failed", error=event.get("error") or event.get("message"))

    def snapshot(self, *, events: bool = False) -> dict[str, Any]:
        with self.lock:
            out = {
                "id": self.id, "object": "job", "status": self.status, "created_at": self.created_at,
                "updated_at": self.updated_at, "request": self.spec, "plan": self.plan,
                "steps": [dict(s) for s in self.steps], "result": self.result, "error": self.error,
                "progress": self.progress(), "run_id": self.run_id, "attempts": self.attempts,
                # What the installed models could not do as asked (from the plan), shown by clients.
                "notes": list((self.plan or {}).get("notes") or []),
            }
            if events:
                out["events"] = list(self.events)
            return out

    def progress(self) -> float:
        if self.status == "succeeded":
            return 1.0
        if not self.steps:
            return 0.0
        return round(sum(float(s.get("progress") or 0) for s in self.steps) / len(self.steps), 4)


def _steps_from_plan(plan: dict[str, Any]) -> list[dict[str, Any]]:
    steps = []
    for i, raw in enumerate(plan.get("steps") or []):
        step = dict(raw) if isinstance(raw, dict) else {"description": str(raw)}
        step.setdefault("id", step.get("id", i))
        step.update(index=i, status="pending", progress=0.0)
        steps.append(step)
    return steps


def _brain() -> Any:
    import importlib

    try:
        brain = importlib.import_module("genloom.brain")
    except ImportError:
        brain = None
    if brain is None or not hasattr(brain, "plan") or not hasattr(brain, "execute"):
        raise NotInstalled("The planner (brain) is not available in this genloom install",
                           hint="the genloom.brain module is not installed")
    return brain


def make_plan(spec: dict[str, Any]) -> Any:
    """A plan object for a request, a recipe, or a plan dict sent back by a client."""
    brain = _brain()
    if spec.get("plan"):
        plan_cls = getattr(brain, "Plan", None)
        if plan_cls is None:
            raise InvalidInput("This genloom cannot run a plan sent by the client", param="plan",
                               hint="send the request instead")
        try:
            return plan_cls.model_validate({k: v for k, v in spec["plan"].items() if k != "object"})
        except Exception as exc:
            raise InvalidInput(f"Invalid plan: {str(exc).splitlines()[0]}", param="plan",
                               hint="send back a plan exactly as POST /v1/plans returned it") from None
    if spec.get("recipe"):
        from genloom.brain.recipes import plan_recipe

        return plan_recipe(spec["recipe"], spec.get("values") or {})
    request = (spec.get("request") or "").strip()
    if not request:
        from genloom.errors import EmptyPrompt

        raise EmptyPrompt("The request is empty", param="request", hint="say what to make")
    if spec.get("inputs"):
        from genloom.inputs import from_assets

        # Asset ids only: the files a step reads come from the store, never from the request.
        return brain.plan(request, inputs=from_assets(list(spec["inputs"])))
    return brain.plan(request)


class JobManager:
    def __init__(self, workers: int = 2, max_pending: int = 64, persist: bool = True,
                 ray_address: str | None = None, on_restart: str = "resume"):
        if on_restart not in ON_RESTART:
            raise InvalidInput(f"on_restart={on_restart!r} is not one of {', '.join(ON_RESTART)}",
                               param="on_restart", hint="GENLOOM_JOBS_ON_RESTART=resume or fail")
        # With an address, generations run on Ray (genloom serve --ray); same results either way.
        self.ray_address = ray_address
        self.on_restart = on_restart
        from genloom.store.files import _host

        self.owner = f"{_host()}:{os.getpid()}:{secrets.token_hex(4)}"
        _LIVE_OWNERS.add(self.owner)
        self._stopping = False
        self.jobs: dict[str, Job] = {}
        self.max_pending = max_pending
        self.persist = persist
        self.pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="genloom-job")
        self._lock = threading.Lock()
        if persist:
            self.recover()

    # -- submitting ------------------------------------------------------
    def validate(self, spec: dict[str, Any]) -> None:
        """Fail fast (before queuing) on specs that cannot run."""
        if spec.get("kind"):
            from genloom.api import RUNNERS

            if spec["kind"] not in RUNNERS:
                raise NotInstalled(f"{spec['kind']!r} generation is not available in this genloom install",
                                   hint=f"no {spec['kind']} generator is installed", param="kind")
            if not (spec.get("prompt") or "").strip():
                from genloom.errors import EmptyPrompt

                raise EmptyPrompt("The prompt is empty", param="prompt")
        elif spec.get("request") or spec.get("recipe") or spec.get("plan"):
            _brain()
        else:
            raise InvalidInput("Nothing to run", param="request",
                               hint="send request, recipe, plan, or kind with prompt")

    def submit(self, spec: dict[str, Any]) -> Job:
        self.validate(spec)
        with self._lock:
            pending = sum(1 for j in self.jobs.values() if j.status == "queued")
            if pending >= self.max_pending:
                raise JobsBusy(f"{pending} jobs are already waiting", hint="retry when some have finished")
            from genloom.store.db import new_id

            job = Job(new_id("job_"), spec)
            self.jobs[job.id] = job
        self._save(job)
        self.pool.submit(self._run, job)
        return job

    def _run(self, job: Job) -> None:
        if job.cancel.is_set():
            self._finish(job, "cancelled")
            return
        if job.run_id is None:
            from genloom.store.db import new_id

            # Chosen and saved before any step runs, so a resumed attempt's
            # generations carry the same run id as the first one's.
            job.run_id = job.id if job.spec.get("kind") else new_id("gen_")
        with job.lock:
            job.status = "running"
        self._save(job)
        try:
            if job.spec.get("kind"):
                result = self._run_direct(job)
            else:
                result = self._run_plan(job)
            with job.lock:
                job.result = _jsonable(result)
                failed = [s for s in getattr(result, "failed", None) or [] if getattr(s, "status", "") != "cancelled"]
                if failed:
                    # Partial results stay available; the job says which steps did not make it.
                    job.error = {"message": "; ".join(f"step {getattr(s, 'step_id', '?')}: {getattr(s, 'error', '')}"
                                                      for s in failed),
                                 "type": "server_error", "code": "step_failed"}
            self._finish(job, "cancelled" if job.cancel.is_set() else ("failed" if failed else "succeeded"))
        except GenloomError as exc:
            self._fail(job, exc.message if not exc.hint else str(exc), exc.type, exc.code)
        except Exception as exc:  # a bug in a generator must not kill the worker
            log.exception("job %s failed", job.id)
            self._fail(job, f"{type(exc).__name__}: {exc}", "server_error", "internal_error")
        finally:
            job.done.set()

    def _fail(self, job: Job, message: str, type_: str, code: str) -> None:
        with job.lock:
            job.error = {"message": message, "type": type_, "code": code}
            for step in job.steps:
                if step.get("status") == "running":
                    step["status"] = "failed"
        self._finish(job, "cancelled" if job.cancel.is_set() else "failed")

    def _finish(self, job: Job, status: str) -> None:
        if status == "cancelled" and self._stopping and not job.user_cancelled:
            # Cut off by a shutdown, not by its user: the next start resumes it.
            status = "interrupted"
        with job.lock:
            job.status = status
        job.emit({"type": "job_finished", "status": status, "error": job.error})
        self._save(job)
        job.done.set()

    def _run_direct(self, job: Job) -> Any:
        from genloom.distributed import get_runner

        create = get_runner(self.ray_address)

        spec = job.spec
        with job.lock:
            job.steps = [{"id": 0, "index": 0, "kind": spec["kind"], "status": "pending", "progress": 0.0,
                          "description": f"generate {spec['kind']}", "model": spec.get("model")}]
        done = job.finished_steps.get("0")
        if done is not None:  # finished before the restart: its result stands, nothing is made twice
            job.emit({"type": "step_finished", "step": 0, "result": done, "resumed": True})
            return done
        job.emit({"type": "step_started", "step": 0})

        def progress(fraction: float, message: str = "") -> None:
            if job.cancel.is_set():
                from genloom.errors import GenerationFailed

                raise GenerationFailed("cancelled")
            job.emit({"type": "step_progress", "step": 0, "progress": fraction, "message": message})

        result = create(spec["kind"], spec["prompt"], model=spec.get("model"), params=dict(spec.get("params") or {}),
                        run_id=job.run_id, progress=progress)
        data = _jsonable(result)
        self._save_step(job, "0", data)
        job.emit({"type": "step_finished", "step": 0, "result": data})
        self._save(job)
        return data

    def _run_plan(self, job: Job) -> Any:
        brain = _brain()
        if job.plan is not None:  # resuming: the plan it started with, not a new (maybe different) one
            plan = brain.Plan.model_validate(job.plan)
        else:
            plan = make_plan(job.spec)
        plan_dict = _jsonable(plan)
        with job.lock:
            job.plan = plan_dict
            job.steps = _steps_from_plan(plan_dict)
        job.emit({"type": "planned", "steps": len(job.steps)})
        self._save(job)

        def on_event(event: dict[str, Any]) -> None:
            finished = event.get("type") == "step_finished" and not event.get("resumed")
            if finished:
                # Saved before anyone can see the step as finished: a crash after
                # this point never makes the step again.
                self._save_step(job, str(event.get("step_id")), _jsonable(event.get("result")))
            job.emit(event)
            if finished:
                self._save(job)

        from genloom.brain.graph import StepResult

        done = {sid: StepResult.model_validate(r) for sid, r in job.finished_steps.items()}
        return brain.execute(plan, on_event=on_event, cancel=job.cancel, ray_address=self.ray_address,
                             done=done or None, run_id=job.run_id)

    # -- reading -----------------------------------------------------------
    def job(self, job_id: str) -> Job:
        job = self.jobs.get(job_id)
        if job is None:
            raise NotFound(f"No job {job_id!r}", param="id", hint="GET /v1/jobs lists them")
        return job

    def get(self, job_id: str) -> dict[str, Any]:
        job = self.jobs.get(job_id)
        if job is not None:
            return job.snapshot()
        row = self._load(job_id)
        if row is None:
            raise NotFound(f"No job {job_id!r}", param="id", hint="GET /v1/jobs lists them")
        return row

    def list(self, limit: int = 50) -> list[dict[str, Any]]:
        live = sorted(self.jobs.values(), key=lambda j: j.created_at, reverse=True)
        out = [j.snapshot() for j in live[:limit]]
        if len(out) < limit and self.persist:
            seen = {j["id"] for j in out}
            out += [r for r in self._load_recent(limit) if r["id"] not in seen][: limit - len(out)]
        return out

    def cancel(self, job_id: str) -> dict[str, Any]:
        job = self.job(job_id)
        job.user_cancelled = True
        job.cancel.set()
        with job.lock:
            queued = job.status == "queued"
        if queued:
            self._finish(job, "cancelled")
        return job.snapshot()

    def wait(self, job_id: str, timeout: float | None = None) -> bool:
        return self.job(job_id).done.wait(timeout)

    def shutdown(self) -> None:
        self._stopping = True
        _LIVE_OWNERS.discard(self.owner)
        for job in self.jobs.values():
            job.cancel.set()
        self.pool.shutdown(wait=False, cancel_futures=True)

    # -- persistence -----------------------------------------------------------
    def _save(self, job: Job) -> None:
        if not self.persist:
            return
        from datetime import UTC, datetime

        import sqlalchemy as sa

        from genloom.store import schema
        from genloom.store.db import get_store

        snap = job.snapshot()
        with job.lock:
            # Milestones only: progress ticks are many and worthless after a restart.
            events = [e for e in job.events if e.get("type") != "step_progress"][-500:]
        row = dict(status=snap["status"], updated_at=datetime.fromtimestamp(snap["updated_at"], UTC),
                   request=_jsonable(snap["request"]), plan=snap["plan"], steps=snap["steps"],
                   result=snap["result"], error=(snap["error"] or {}).get("message"), owner=self.owner,
                   run_id=job.run_id, attempts=job.attempts, events=events)
        try:
            with get_store().engine.begin() as conn:
                done = conn.execute(sa.update(schema.jobs).where(schema.jobs.c.id == job.id).values(**row))
                if done.rowcount == 0:
                    conn.execute(sa.insert(schema.jobs).values(
                        id=job.id, created_at=datetime.fromtimestamp(snap["created_at"], UTC), **row))
        except Exception:  # the job itself matters more than its snapshot
            log.exception("could not save job %s", job.id)

    @staticmethod
    def _row(r: Any) -> dict[str, Any]:
        m = dict(r._mapping)
        return {"id": m["id"], "object": "job", "status": m["status"],
                "created_at": m["created_at"].timestamp() if m["created_at"] else None,
                "updated_at": m["updated_at"].timestamp() if m["updated_at"] else None,
                "request": m["request"], "plan": m["plan"], "steps": m["steps"] or [], "result": m["result"],
                "error": {"message": m["error"]} if m["error"] else None,
                "progress": 1.0 if m["status"] == "succeeded" else 0.0, "run_id": m.get("run_id"),
                "attempts": m.get("attempts") or 1}

    def _load(self, job_id: str) -> dict[str, Any] | None:
        if not self.persist:
            return None
        import sqlalchemy as sa

        from genloom.store import schema
        from genloom.store.db import get_store

        with get_store().engine.connect() as conn:
            r = conn.execute(sa.select(schema.jobs).where(schema.jobs.c.id == job_id)).first()
        return self._row(r) if r is not None else None

    def _load_recent(self, limit: int) -> list[dict[str, Any]]:
        import sqlalchemy as sa

        from genloom.store import schema
        from genloom.store.db import get_store

        with get_store().engine.connect() as conn:
            rows = conn.execute(sa.select(schema.jobs).order_by(schema.jobs.c.created_at.desc()).limit(limit)).all()
        return [self._row(r) for r in rows]

    def _save_step(self, job: Job, step_id: str, result: Any) -> None:
        """Record a finished step's result (its generation and assets are already committed)."""
        if not self.persist:
            return
        import sqlalchemy as sa

        from genloom.store import schema
        from genloom.store.db import get_store, utcnow

        job.finished_steps[step_id] = result
        try:
            with get_store().engine.begin() as conn:
                conn.execute(sa.delete(schema.job_steps).where(schema.job_steps.c.job_id == job.id,
                                                               schema.job_steps.c.step_id == step_id))
                conn.execute(sa.insert(schema.job_steps).values(job_id=job.id, step_id=step_id,
                                                                finished_at=utcnow(), result=result))
        except Exception:
            log.exception("could not save step %s of job %s", step_id, job.id)

    # -- after a restart -----------------------------------------------------------
    def _orphaned(self, owner: str | None) -> bool:
        """Whether the process that ran a job is gone (so this manager may take it over)."""
        from genloom.store.files import _host, pid_alive

        if not owner:
            return True
        host, _, rest = owner.partition(":")
        pid = rest.partition(":")[0]
        if host != _host() or not pid.isdigit():
            return False  # another machine's server: it resumes its own jobs
        if int(pid) == os.getpid():
            return owner not in _LIVE_OWNERS
        return not pid_alive(int(pid))

    def recover(self) -> list[str]:
        """Resume (or fail, per ``on_restart``) the jobs whose process died; return their ids."""
        import sqlalchemy as sa

        from genloom.store import schema
        from genloom.store.db import get_store
        from genloom.store.files import sweep_temp_files

        jobs = schema.jobs
        try:
            store = get_store()
            # A process killed mid-write leaves a temp file beside its target, never a half blob.
            for tmp in sweep_temp_files(store.blobs.root):
                log.info("removed %s, left by a killed process", tmp)
            with store.engine.connect() as conn:
                rows = conn.execute(sa.select(jobs).where(sa.or_(
                    jobs.c.status.in_(["queued", "running"]),
                    # 'interrupted' by a shutdown of this version (older ones left no owner)
                    sa.and_(jobs.c.status == "interrupted", jobs.c.owner.is_not(None))))
                    .order_by(jobs.c.created_at)).all()
        except Exception:
            log.exception("could not look for interrupted jobs")
            return []
        recovered = []
        for r in rows:
            if not self._orphaned(r.owner):
                continue
            try:
                with store.engine.begin() as conn:
                    # Claim it; of two servers restarting together, one wins.
                    same_owner = jobs.c.owner.is_(None) if r.owner is None else jobs.c.owner == r.owner
                    claimed = conn.execute(sa.update(jobs).where(jobs.c.id == r.id, same_owner)
                                           .values(owner=self.owner)).rowcount
                    done = {s.step_id: s.result for s in conn.execute(
                        sa.select(schema.job_steps).where(schema.job_steps.c.job_id == r.id))}
            except Exception:
                log.exception("could not take over job %s", r.id)
                continue
            if claimed != 1:
                continue
            job = self._restore(r, done)
            recovered.append(job.id)
            with self._lock:
                self.jobs[job.id] = job
            if self.on_restart == "fail":
                # The saved state may still show an in-flight step as pending (its "running" was
                # never persisted): every step that did not finish ends with the job.
                with job.lock:
                    for step in job.steps:
                        if step.get("status") in ("pending", "running"):
                            step["status"] = "failed"
                self._fail(job, "interrupted: the server stopped while this job was running, and "
                                "GENLOOM_JOBS_ON_RESTART=fail", "server_error", "interrupted")
                continue
            job.emit({"type": "job_resumed", "attempt": job.attempts, "finished_steps": sorted(done),
                      "message": f"resumed after a restart; {len(done)} finished step(s) are kept"})
            self._save(job)
            self.pool.submit(self._run, job)
        return recovered

    def _restore(self, r: Any, done: dict[str, Any]) -> Job:
        m = dict(r._mapping)
        job = Job(m["id"], m["request"] or {})
        job.created_at = m["created_at"].timestamp() if m["created_at"] else time.time()
        job.plan = m["plan"]
        job.steps = [dict(s) for s in m["steps"] or []]
        job.run_id = m.get("run_id")
        job.attempts = (m.get("attempts") or 1) + 1
        job.finished_steps = dict(done)
        # Renumbered so that seq stays the event's index (what ?after= counts).
        job.events = [{**e, "seq": i} for i, e in enumerate(m.get("events") or [])]
        return job
