"""`genloom run` off a terminal: one plain line per step start and finish, with the output path."""

from __future__ import annotations

import io
from types import SimpleNamespace

from genloom.cli.progress import LiveTable, PlainLines, run_display


def _plan() -> SimpleNamespace:
    steps = [SimpleNamespace(id="tagline", kind="text", task="write"), SimpleNamespace(id="hero", kind="image",
                                                                                         task="draw")]
    return SimpleNamespace(steps=steps, deliverables=["text", "image"])


def test_lines_name_each_step_and_where_its_file_went() -> None:
    out = io.StringIO()
    with run_display(_plan(), stream=out) as display:
        assert isinstance(display, PlainLines)  # a StringIO is not a terminal
        display.on_event({"type": "step_started", "step_id": "tagline", "message": "text: write"})
        display.on_event({"type": "step_progress", "step_id": "tagline", "progress": 0.5, "message": "generating"})
        display.on_event({"type": "step_started", "step_id": "hero", "message": "image: draw"})
        display.on_event({"type": "step_finished", "step_id": "tagline",
                          "result": {"paths": ["out/kit/01-tagline.md"]}})
        display.on_event({"type": "step_failed", "step_id": "hero", "message": "ValueError: no art",
                          "result": {"status": "failed"}})
        display.on_event({"type": "run_finished", "step_id": None})
    lines = out.getvalue().splitlines()
    assert len(lines) == 4  # progress ticks and the run summary draw nothing
    assert lines[0].startswith("[1/2] started  tagline (text)")
    assert lines[2].startswith("[1/2] done     tagline (text) in ") and lines[2].endswith(": out/kit/01-tagline.md")
    assert lines[3].startswith("[2/2] failed   hero (image)") and "no art" in lines[3]
    assert all("\x1b" not in line and "│" not in line for line in lines)


def test_a_terminal_gets_the_live_table() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert isinstance(run_display(_plan(), stream=Tty()), LiveTable)
