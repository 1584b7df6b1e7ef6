"""Run a plan: independent steps in parallel, dependent ones in order, failures kept per step.

Each step goes through :func:`genloom.api.create`, so it is recorded like any
other generation; its ``parent_ids`` are the generations it was made from
(the steps it reads, and the LLM call that wrote its prompt), and its
``run_id`` is the run's id. When the run ends a root generation with that id
is recorded whose parents are the deliverables, so
``genloom log show RUN_ID --tree`` prints the whole provenance graph.

Threads: language-model work (text/code steps, prompt writing) is serialised
on :data:`genloom.brain.llm.LLM_LOCK` (llama.cpp already uses every core);
speech, music, image and video steps run beside it.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

from genloom.brain.graph import Plan, RunResult, Step, StepResult
from genloom.brain.llm import LLM_LOCK
from genloom.brain.prompts import write_prompt

Event = dict[str, Any]
OnEvent = Callable[[Event], None]

CODE_EXT = {"python": ".py", "py": ".py", "javascript": ".js", "js": ".js", "typescript": ".ts", "html": ".html",
            "css": ".css", "bash": ".sh", "sh": ".sh", "shell": ".sh", "sql": ".sql", "rust": ".rs", "go": ".go",
            "java": ".java", "c": ".c", "cpp": ".cpp", "c++": ".cpp", "svg": ".svg", "xml": ".svg", "json": ".json",
            "yaml": ".yaml", "yml": ".yaml", "dockerfile": ".dockerfile", "ruby": ".rb", "php": ".php"}


def _whole_sentences(text: str) -> str:
    """Drop the unfinished sentence a length-capped reply ends with (keep it if it is all there is)."""
    cut = max(text.rfind(p) for p in (". ", "! ", "? ", ".\n", "!\n", "?\n"))
    end = text.rstrip()
    if end.endswith((".", "!", "?")):
        return end
    return text[:cut + 1].rstrip() if cut > 0 else text


def _unquote(text: str) -> str:
    """Small models wrap a headline or script in quotes; the deliverable is the words."""
    t = text.strip()
    if len(t) > 1 and t[0] == t[-1] and t[0] in "\"'“" and t.count(t[0]) == 2:
        return t[1:-1].strip()
    if len(t) > 1 and t[0] == "“" and t[-1] == "”":
        return t[1:-1].strip()
    return t


class Cancelled(Exception):
    pass


def _fill(template: str, values: dict[str, str]) -> str:
    """Replace ``{name}`` placeholders that name known values; leave other braces alone."""
    return re.sub(r"\{([A-Za-z][\w-]*)\}", lambda m: values.get(m.group(1), m.group(0)), template)


class _Run:
    def __init__(self, plan: Plan, output_dir: Path | None, on_event: OnEvent | None,
                 cancel: threading.Event | None, use_llm: bool, ray_address: str | None = None,
                 done: dict[str, StepResult] | None = None, run_id: str | None = None):
        from genloom.distributed import get_runner
        from genloom.store.db import new_id

        # Same call signature in-process or on Ray, so the graph runs identically on both.
        self.create = get_runner(ray_address)

        self.plan = plan
        self.output_dir = output_dir
        self.on_event = on_event
        self.cancel = cancel or threading.Event()
        self.use_llm = use_llm
        self.run_id = run_id or new_id("gen_")
        # Steps finished by an earlier, interrupted attempt: never run again,
        # their outputs feed the steps that read them.
        step_ids = {s.id for s in plan.steps}
        self.done = {sid: r for sid, r in (done or {}).items() if sid in step_ids and r.status == "ok"}
        self.results: dict[str, StepResult] = dict(self.done)
        self.lock = threading.Lock()

    def emit(self, event: Event) -> None:
        if self.on_event is None:
            return
        try:
            self.on_event({"run_id": self.run_id, **event})
        except Exception:  # a broken display must not break the run
            pass

    # -- one step ---------------------------------------------------------------
    def _prompt(self, step: Step, parents: dict[str, str], parent_ids: list[str]) -> tuple[str, list[str]]:
        values = {"request": self.plan.request, "topic": self.plan.topic or self.plan.request, **parents}
        if step.prompt:
            return _fill(step.prompt, values), []
        instruction = _fill(step.instruction, values)
        if step.kind in ("text", "code"):
            if not parents:
                return instruction, []
            context = "\n\n".join(f"{k}:\n{v}" for k, v in parents.items() if v)
            return f"{instruction}\n\nUse this:\n{context}", []
        headline = _fill(str(step.params["headline"]), values) if step.params.get("headline") else None
        written = write_prompt(step.kind, instruction, parents, duration=step.params.get("seconds"),
                               parent_ids=parent_ids or None, run_id=self.run_id, use_llm=self.use_llm,
                               headline=headline)
        step.prompt_by = written.by  # type: ignore[assignment]
        return written.prompt, [written.generation_id] if written.generation_id else []

    def _media_inputs(self, step: Step) -> dict[str, Any]:
        """Files of earlier steps a video is made from: stills, voiceover, jingle."""
        from genloom.store.db import get_store

        store = get_store()
        found: dict[str, list[str]] = {"image": [], "speech": [], "music": []}
        with self.lock:
            inputs = [self.results.get(ref) for ref in step.inputs if ref != "request"]
        for r in inputs:
            if r is None or r.status != "ok" or r.kind not in found:
                continue
            for asset_id in r.asset_ids:
                asset = store.asset(asset_id)
                mime = asset["mime"]
                playable = mime.startswith("image/") if r.kind == "image" else (
                    mime.startswith("audio/") and "midi" not in mime)  # the composer also stores MIDI
                if playable:
                    found[r.kind].append(str(store.asset_path(asset)))
        params: dict[str, Any] = {}
        if found["image"]:
            params["images"] = found["image"]
        if found["speech"]:
            params["narration_audio"] = found["speech"][0]
        if found["music"]:
            params["music_audio"] = found["music"][0]
        return params

    def run_step(self, index: int, step: Step) -> StepResult:
        create = self.create
        t0 = time.perf_counter()
        self.emit({"type": "step_started", "step_id": step.id, "kind": step.kind, "progress": 0.0,
                   "message": f"{step.kind}: {step.task}"})
        parents: dict[str, str] = {}
        parent_ids: list[str] = []
        missing = []
        with self.lock:
            for ref in step.inputs:
                if ref == "request":
                    continue
                r = self.results.get(ref)
                if r is None or r.status != "ok":
                    missing.append(ref)
                    continue
                parents[ref] = r.text or r.prompt or ""
                if r.generation_id:
                    parent_ids.append(r.generation_id)
        result = StepResult(step_id=step.id, kind=step.kind, status="ok", model=step.model)

        def progress(fraction: float, message: str = "") -> None:
            if self.cancel.is_set():
                raise Cancelled("cancelled")
            self.emit({"type": "step_progress", "step_id": step.id, "progress": float(fraction),
                       "message": message})

        try:
            if self.cancel.is_set():
                raise Cancelled("cancelled")
            prompt, writer_ids = self._prompt(step, parents, parent_ids)
            result.prompt = prompt
            self.emit({"type": "step_progress", "step_id": step.id, "progress": 0.05, "message": "generating"})
            params = dict(step.params)
            if step.kind == "video":
                params = {**self._media_inputs(step), **params}
            kw: dict[str, Any] = dict(model=step.model, params=params, parent_ids=parent_ids + writer_ids or None,
                                      run_id=self.run_id, progress=progress)
            if step.kind in ("text", "code"):
                with LLM_LOCK:
                    out = create(step.kind, prompt, **kw)
            else:
                out = create(step.kind, prompt, **kw)
            result.generation_id = out.generation_id
            result.model = out.model_id
            result.text = out.text if step.kind != "code" else (out.meta.get("code") or out.text)
            if step.kind == "text" and result.text:
                result.text = _unquote(result.text)
                if out.meta.get("finish_reason") == "length":
                    result.text = _whole_sentences(result.text)
            result.asset_ids = list(out.asset_ids)
            result.paths = [str(p) for p in self._export(index, step, out, result.text)]
            if missing:
                result.error = f"made without input(s) {', '.join(missing)}, which failed"
        except Cancelled:
            result.status, result.error = "cancelled", "cancelled before it finished"
        except Exception as exc:  # one failed step must not sink the others
            result.status = "failed"
            result.error = f"{type(exc).__name__}: {exc}"
        result.seconds = round(time.perf_counter() - t0, 3)
        with self.lock:
            self.results[step.id] = result
        if result.status == "ok":
            self.emit({"type": "step_finished", "step_id": step.id, "progress": 1.0,
                       "message": ", ".join(result.paths) or (result.text or "")[:80], "result": result.model_dump()})
        else:
            self.emit({"type": "step_failed", "step_id": step.id, "progress": 1.0, "message": result.error or "",
                       "result": result.model_dump()})
        return result

    def _export(self, index: int, step: Step, out: Any, text: str | None = None) -> list[Path]:
        """Copy the step's output into ``output_dir`` (atomically); return where results are."""
        paths = [Path(p) for p in out.paths]
        if self.output_dir is None:
            return paths
        from genloom.store.files import atomic_copy, atomic_write_bytes

        self.output_dir.mkdir(parents=True, exist_ok=True)
        stem = f"{index + 1:02d}-{step.id}"
        if step.kind in ("text", "code") and not paths:
            if step.kind == "code":
                ext = CODE_EXT.get(str(out.meta.get("language") or "").lower(), ".txt")
                body = out.meta.get("code") or out.text or ""
            else:
                ext, body = ".md", text if text is not None else _unquote(out.text or "")
            target = self.output_dir / f"{stem}{ext}"
            atomic_write_bytes(target, body.encode())
            return [target]
        copied = []
        for i, src in enumerate(paths):
            target = self.output_dir / f"{stem}{'' if i == 0 else f'-{i + 1}'}{src.suffix}"
            atomic_copy(src, target)
            copied.append(target)
        return copied

    # -- the graph --------------------------------------------------------------
    def run(self, max_workers: int) -> RunResult:
        t0 = time.perf_counter()
        steps = list(self.plan.steps)
        index = {s.id: i for i, s in enumerate(steps)}
        pending = {s.id: s for s in steps if s.id not in self.done}
        running: dict[Future[StepResult], str] = {}
        for sid, done in self.done.items():
            self.emit({"type": "step_finished", "step_id": sid, "progress": 1.0, "resumed": True,
                       "message": "finished before the restart", "result": done.model_dump()})
        with ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="genloom-step") as pool:
            while pending or running:
                if self.cancel.is_set():
                    for sid in list(pending):
                        self.results[sid] = StepResult(step_id=sid, kind=pending[sid].kind, status="cancelled",
                                                       error="cancelled before it started")
                        self.emit({"type": "step_failed", "step_id": sid, "progress": 0.0,
                                   "message": "cancelled", "result": self.results[sid].model_dump()})
                    pending.clear()
                # A step is ready when every step it reads has finished (well or not).
                for sid, step in list(pending.items()):
                    if all(i == "request" or i in self.results for i in step.inputs):
                        del pending[sid]
                        running[pool.submit(self.run_step, index[sid], step)] = sid
                if not running:
                    break
                done, _ = wait(list(running), return_when=FIRST_COMPLETED)
                for fut in done:
                    running.pop(fut)
        ordered = [self.results[s.id] for s in steps if s.id in self.results]
        result = RunResult(run_id=self.run_id, plan=self.plan, steps=ordered,
                           output_dir=str(self.output_dir) if self.output_dir else None,
                           seconds=round(time.perf_counter() - t0, 3))
        self._record_root(result)
        self.emit({"type": "run_finished", "step_id": None, "progress": 1.0,
                   "message": f"{sum(r.status == 'ok' for r in ordered)}/{len(steps)} steps ok",
                   "result": result.model_dump(mode="json")})
        return result

    def _record_root(self, result: RunResult) -> None:
        """The run's own generation: parents are the deliverables, so --tree shows the whole graph."""
        from genloom.store.db import get_store

        deliverable = {s.id for s in self.plan.steps if s.deliverable}
        parents = [r.generation_id for r in result.steps if r.generation_id and r.step_id in deliverable]
        if self.done:
            # A resumed run may have died after recording itself: record it once.
            from genloom.errors import NotFound

            try:
                get_store().generation(self.run_id)
                return
            except NotFound:
                pass
        summary = {"run_id": self.run_id, "deliverables": self.plan.deliverables,
                   "steps": [{"id": r.step_id, "kind": r.kind, "status": r.status, "generation_id": r.generation_id,
                              "paths": r.paths, "error": r.error} for r in result.steps]}
        try:
            get_store().record_generation(
                generation_id=self.run_id, kind="text", task="run", model_id="genloom-brain",
                prompt=self.plan.request, output=json.dumps(summary, indent=2), parent_ids=parents or None,
                params={"steps": len(self.plan.steps)}, duration_ms=result.seconds * 1000,
                extra={"plan": self.plan.model_dump(mode="json")},
            )
        except Exception as exc:  # the outputs exist already; say the record failed rather than lose them
            self.plan.notes.append(f"could not record the run: {exc}")


def execute(plan: Plan, *, output_dir: Path | None = None, on_event: OnEvent | None = None,
            cancel: threading.Event | None = None, use_llm: bool = True, max_workers: int | None = None,
            ray_address: str | None = None, done: dict[str, StepResult] | None = None,
            run_id: str | None = None) -> RunResult:
    """Run ``plan``; every step's outcome is in the result, failed ones with their error.

    Resuming an interrupted run: ``done`` maps step ids to the ``ok`` results of
    steps that already finished (they are not run again; their outputs feed
    the steps that read them, and a ``step_finished`` event with
    ``"resumed": true`` is emitted for each), and ``run_id`` is the run's id
    from the first attempt, so every generation of the run shares one id.
    """
    from genloom.config import default_threads

    # One more worker than cores: one thread mostly waits on the LLM lock while media steps run.
    workers = max_workers or max(2, min(4, default_threads() + 1))
    return _Run(plan, Path(output_dir) if output_dir else None, on_event, cancel, use_llm,
                ray_address, done=done, run_id=run_id).run(workers)
