"""Generate many requests from a JSONL file, resumable after an interruption.

Each line is one of::

    {"kind": "image", "prompt": "a red fox", "params": {"seed": 1}, "model": "...", "id": "fox", "output": "fox.png"}
    {"request": "a blog post about tea with a header image", "id": "tea"}

``kind`` lines go through :func:`genloom.api.create`; ``request`` lines are
planned and executed by the brain. Outputs land in ``DIR/<id>/``. Every
finished item is appended (and fsynced) to ``DIR/batch.jsonl``, so running
the same batch again skips the items already done; failed items are retried.
A bad line is reported with its line number and never stops the batch.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from genloom.errors import GenloomError, InvalidInput, NotFound

MANIFEST = "batch.jsonl"
FIELDS = {"kind", "prompt", "params", "model", "id", "output", "request"}
CODE_EXT = {"python": ".py", "javascript": ".js", "typescript": ".ts", "html": ".html", "css": ".css",
            "bash": ".sh", "sh": ".sh", "sql": ".sql", "rust": ".rs", "go": ".go", "json": ".json"}


@dataclass
class Item:
    line: int
    id: str
    kind: str  # an output kind, or "request" for a free-form request handled by the brain
    prompt: str
    params: dict[str, Any] = field(default_factory=dict)
    model: str | None = None
    output: str | None = None


@dataclass
class BadLine:
    line: int
    error: str


@dataclass
class BatchReport:
    out_dir: Path
    done: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    bad_lines: list[BadLine] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed and not self.bad_lines

    def to_dict(self) -> dict[str, Any]:
        return {"out_dir": str(self.out_dir), "done": len(self.done), "failed": self.failed,
                "skipped": len(self.skipped), "bad_lines": [b.__dict__ for b in self.bad_lines],
                "seconds": round(self.seconds, 3)}


def _safe_id(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", value).strip("._")[:80]


def parse_line(text: str, line: int) -> Item:
    from genloom.models.card import KINDS

    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not valid JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(data, dict):
        raise InvalidInput(f"expected a JSON object, got {type(data).__name__}")
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        raise InvalidInput(f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(FIELDS))}")
    params = data.get("params") or {}
    if not isinstance(params, dict):
        raise InvalidInput("'params' must be a JSON object")
    for key in ("model", "output"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise InvalidInput(f"'{key}' must be a string")
    output = data.get("output")
    if output and (Path(output).is_absolute() or ".." in Path(output).parts):
        raise InvalidInput(f"'output' must be a file name inside the output folder, got {output!r}")
    if "request" in data:
        if "kind" in data or "prompt" in data:
            raise InvalidInput("give either 'request' or 'kind' + 'prompt', not both")
        if not isinstance(data["request"], str) or not data["request"].strip():
            raise InvalidInput("'request' must be a non-empty string")
        kind, prompt = "request", data["request"].strip()
    else:
        kind, prompt = data.get("kind"), data.get("prompt")
        if kind not in KINDS:
            raise InvalidInput(f"'kind' must be one of {', '.join(KINDS)} (or use 'request'), got {kind!r}")
        if not isinstance(prompt, str) or not prompt.strip():
            raise InvalidInput("'prompt' must be a non-empty string")
    raw_id = data.get("id")
    if raw_id is not None:
        if not isinstance(raw_id, str | int) or not _safe_id(str(raw_id)):
            raise InvalidInput(f"'id' must be a non-empty string of letters, digits, '.', '_' or '-', got {raw_id!r}")
        item_id = _safe_id(str(raw_id))
    else:
        # Derived from the content, not the line number, so editing the file keeps ids stable.
        canon = json.dumps({k: data[k] for k in sorted(data)}, sort_keys=True, ensure_ascii=False)
        item_id = f"{kind}-{hashlib.sha256(canon.encode()).hexdigest()[:10]}"
    return Item(line=line, id=item_id, kind=kind, prompt=prompt, params=params, model=data.get("model"),
                output=output)


def read_requests(path: Path) -> tuple[list[Item], list[BadLine]]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFound(f"No requests file {str(path)!r}", hint="give a JSONL file, one request per line") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not UTF-8 text", hint="give a JSONL file, one request per line") from None
    items: list[Item] = []
    bad: list[BadLine] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        try:
            item = parse_line(raw, n)
        except GenloomError as exc:
            bad.append(BadLine(n, str(exc)))
            continue
        if item.id in seen:
            if "id" in json.loads(raw):
                bad.append(BadLine(n, f"duplicate id {item.id!r} (first on line {seen[item.id]})"))
                continue
            # The same request twice without ids: a second, distinct item.
            base, k = item.id, 2
            while f"{base}-{k}" in seen:
                k += 1
            item.id = f"{base}-{k}"
        seen[item.id] = n
        items.append(item)
    return items, bad


class Manifest:
    """Append-only record of finished items; one fsynced JSON line each, so a crash loses at most the last."""

    def __init__(self, out_dir: Path):
        self.path = Path(out_dir) / MANIFEST

    def load(self) -> dict[str, dict[str, Any]]:
        records: dict[str, dict[str, Any]] = {}
        if not self.path.exists():
            return records
        for raw in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                rec = json.loads(raw)
            except json.JSONDecodeError:  # a line cut short by a crash
                continue
            if isinstance(rec, dict) and "id" in rec:
                records[rec["id"]] = rec
        return records

    def done_ids(self, out_dir: Path) -> set[str]:
        # Done = recorded ok and every file it listed still there.
        return {i for i, r in self.load().items()
                if r.get("status") == "ok" and all((Path(out_dir) / f).exists() for f in r.get("files", []))}

    def append(self, record: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode())
            os.fsync(fd)
        finally:
            os.close(fd)


def _item_output(item: Item, out_dir: Path) -> Path:
    folder = out_dir / item.id
    if item.kind == "request":
        return folder
    return folder / item.output if item.output else folder / item.id


def _finish_files(item: Item, result: Any, out_dir: Path) -> list[str]:
    """Put the item's files in ``DIR/<id>/`` (copies of stored assets) and return them relative to DIR."""
    from genloom.store.files import atomic_copy
    from genloom.text.label import deliver

    folder = out_dir / item.id
    folder.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    for n, p in enumerate(Path(p) for p in result.paths):
        if not p.exists():
            continue
        if p.resolve().is_relative_to(folder.resolve()):
            files.append(p)
            continue
        name = f"{item.id}{'' if n == 0 else f'-{n + 1}'}{p.suffix}"
        atomic_copy(p, folder / name)
        files.append(folder / name)
    if not files and result.text is not None:
        meta = result.meta or {}
        if item.kind == "code" and meta.get("code"):
            ext = CODE_EXT.get(str(meta.get("language") or "").lower(), ".txt")
            body = meta["code"]
        else:
            ext, body = ".md", result.text
        # Labelled like every delivered text; the item may turn the label off with params.label = false.
        deliver(folder / f"{item.id}{ext}", body, model=result.model_id, generation_id=result.generation_id,
                label=bool((item.params or {}).get("label", True)))
        files.append(folder / f"{item.id}{ext}")
    return sorted({str(f.resolve().relative_to(out_dir.resolve())) for f in files})


def _run_local(item: Item, out_dir: Path) -> Any:
    output = _item_output(item, out_dir)
    if item.kind == "request":
        from genloom.distributed.capture import run_request

        return run_request(item.prompt, model=item.model, params=item.params, output=output, parent_ids=None,
                           run_id=None)
    from genloom.api import create

    output.parent.mkdir(parents=True, exist_ok=True)
    return create(item.kind, item.prompt, model=item.model, params=dict(item.params),
                  output=output if item.output else None)


def run_batch(path: Path, out_dir: Path, *, ray_address: str | None = None,
              on_event: Callable[[str, Item | None, dict[str, Any] | None], None] | None = None,
              max_in_flight: int | None = None) -> BatchReport:
    """Run every request in ``path`` not already done in ``out_dir``.

    ``on_event(type, item, record)`` is called with "start" (record = {"total": n}),
    "skip", and "done" (record = the manifest record, status "ok" or "failed").
    ``ray_address``: None runs in this process; "" or "local" starts a local Ray
    cluster; "auto"/"HOST:PORT" joins one.
    """
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    items, bad = read_requests(Path(path))
    out_dir.mkdir(parents=True, exist_ok=True)
    report = BatchReport(out_dir=out_dir, bad_lines=bad)
    manifest = Manifest(out_dir)
    done = manifest.done_ids(out_dir)
    todo = [i for i in items if i.id not in done]
    report.skipped = [i.id for i in items if i.id in done]

    def emit(kind: str, item: Item | None, record: dict[str, Any] | None) -> None:
        if on_event is not None:
            on_event(kind, item, record)

    emit("start", None, {"total": len(items), "todo": len(todo), "skipped": len(report.skipped)})
    for item_id in report.skipped:
        emit("skip", None, {"id": item_id})

    def finish(item: Item, started: float, result: Any = None, error: BaseException | None = None) -> None:
        record: dict[str, Any] = {"id": item.id, "line": item.line, "kind": item.kind,
                                  "finished_at": datetime.now(UTC).isoformat(),
                                  "seconds": round(time.perf_counter() - started, 3)}
        if error is None:
            try:
                files = _finish_files(item, result, out_dir)
                record.update(status="ok", generation_id=result.generation_id, model=result.model_id,
                              asset_ids=list(result.asset_ids), files=files)
            except Exception as exc:
                error = exc
        if error is not None:
            record.update(status="failed", error=str(error) or type(error).__name__)
        manifest.append(record)
        (report.done if record["status"] == "ok" else report.failed).append(record)
        emit("done", item, record)

    if ray_address is None:
        for item in todo:
            started = time.perf_counter()
            try:
                result = _run_local(item, out_dir)
            except Exception as exc:
                finish(item, started, error=exc)
            else:
                finish(item, started, result)
    elif todo:  # nothing left to do: no cluster to start
        _run_on_ray(todo, out_dir, ray_address, finish, max_in_flight)
    report.seconds = time.perf_counter() - t0
    return report


def _run_on_ray(todo: list[Item], out_dir: Path, address: str, finish: Callable[..., None],
                max_in_flight: int | None) -> None:
    from genloom.distributed import get_ray_runner

    runner = get_ray_runner(address or "local")
    window = max_in_flight or runner.default_in_flight()
    queue = list(todo)
    running: list[Any] = []
    started: dict[str, float] = {}
    while queue or running:
        while queue and len(running) < window:
            item = queue.pop(0)
            started[item.id] = time.perf_counter()
            output = _item_output(item, out_dir)
            try:
                running.append(runner.submit(item.kind, item.prompt, model=item.model, params=item.params,
                                             output=output if (item.output or item.kind == "request") else None,
                                             tag=item))
            except Exception as exc:
                finish(item, started[item.id], error=exc)
        if not running:
            continue
        ready, running = runner.wait(running)
        for pending in ready:
            item = pending.tag
            try:
                result = runner.result(pending)
            except Exception as exc:
                finish(item, started[item.id], error=exc)
            else:
                finish(item, started[item.id], result)
