"""How ``genloom run`` shows a plan's progress on stderr.

On a terminal: a live table redrawn in place. Anywhere else (CI logs,
``genloom run ... 2>&1 | tee log``): a redrawn table is noise squeezed into
empty columns, so each step gets one plain line when it starts and one when
it finishes, with where its output went::

    [1/5] started  hero_image (image): image: hero_image
    [1/5] done     hero_image (image) in 3.2 s: out/launch-kit/03-hero_image.png
"""

from __future__ import annotations

import sys
import threading
import time
from typing import IO, Any

Event = dict[str, Any]


class PlainLines:
    """One line per step start and finish; nothing redrawn."""

    def __init__(self, plan: Any, stream: IO[str] | None = None):
        self.stream = stream or sys.stderr
        self.order = {s.id: i + 1 for i, s in enumerate(plan.steps)}
        self.kinds = {s.id: s.kind for s in plan.steps}
        self.total = len(plan.steps)
        self.started: dict[str, float] = {}
        self.lock = threading.Lock()

    def __enter__(self) -> PlainLines:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stream.flush()

    def line(self, sid: str, word: str, detail: str) -> None:
        text = f"[{self.order[sid]}/{self.total}] {word:<9}{sid} ({self.kinds[sid]}){detail}"
        with self.lock:
            print(text, file=self.stream, flush=True)

    def on_event(self, event: Event) -> None:
        sid = event.get("step_id")
        if sid not in self.order:
            return
        kind = event["type"]
        if kind == "step_started":
            self.started[sid] = time.perf_counter()
            self.line(sid, "started", f": {event.get('message') or ''}".rstrip(": "))
        elif kind in ("step_finished", "step_failed"):
            result = event.get("result") or {}
            took = time.perf_counter() - self.started[sid] if sid in self.started else result.get("seconds")
            when = f" in {took:.1f} s" if isinstance(took, float) else ""
            if kind == "step_finished":
                where = ", ".join(result.get("paths") or []) or "(no file)"
                word = "resumed" if event.get("resumed") else "done"
                self.line(sid, word, f"{when}: {where}")
            else:
                self.line(sid, result.get("status") or "failed", f"{when}: {event.get('message') or ''}")


class LiveTable:
    """The rich table, redrawn four times a second while the run goes on."""

    def __init__(self, plan: Any, *, transient: bool = False):
        from rich.live import Live

        from genloom.cli.console import err_console

        self.plan = plan
        self.state: dict[str, dict[str, Any]] = {
            s.id: {"kind": s.kind, "status": "waiting", "progress": 0.0, "message": s.task} for s in plan.steps}
        self.lock = threading.Lock()
        self.live = Live(self.render(), console=err_console(), refresh_per_second=4, transient=transient)

    def render(self) -> Any:
        from rich.table import Table

        table = Table(title=f"genloom: {', '.join(self.plan.deliverables)}", title_justify="left", expand=False)
        for col in ("step", "kind", "status", "", "detail"):
            table.add_column(col, overflow="ellipsis", no_wrap=True, max_width=70 if col == "detail" else None)
        icons = {"waiting": "[dim]waiting[/]", "running": "[cyan]running[/]", "ok": "[green]done[/]",
                 "failed": "[red]failed[/]", "cancelled": "[yellow]cancelled[/]"}
        with self.lock:
            for sid, st in self.state.items():
                bar = "█" * int(st["progress"] * 10) + "·" * (10 - int(st["progress"] * 10))
                table.add_row(sid, st["kind"], icons.get(st["status"], st["status"]), bar, st["message"])
        return table

    def on_event(self, event: Event) -> None:
        sid = event.get("step_id")
        if sid not in self.state:
            return
        with self.lock:
            st = self.state[sid]
            kind = event["type"]
            if kind == "step_started":
                st["status"] = "running"
            elif kind == "step_finished":
                st["status"] = "ok"
            elif kind == "step_failed":
                st["status"] = event.get("result", {}).get("status", "failed")
            st["progress"] = float(event.get("progress") or st["progress"])
            if event.get("message"):
                st["message"] = " ".join(str(event["message"]).split())
        self.live.update(self.render())

    def __enter__(self) -> LiveTable:
        self.live.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.live.update(self.render())
        self.live.__exit__(*exc)


def run_display(plan: Any, *, transient: bool = False, stream: IO[str] | None = None) -> PlainLines | LiveTable:
    """The live table on a terminal, plain lines anywhere else."""
    stream = stream or sys.stderr
    if stream.isatty():
        return LiveTable(plan, transient=transient)
    return PlainLines(plan, stream)
