"""Options and helpers shared by CLI commands."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any

import click


def generation_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Model choice and sampling options shared by every text command."""
    options = [
        click.option("-m", "--model", "model", help="Model id or alias (see 'genloom models')."),
        click.option("--temperature", type=float, help="Sampling temperature, 0 = greedy."),
        click.option("--top-p", type=float, help="Nucleus sampling mass."),
        click.option("--top-k", type=int, help="Sample from the k most likely tokens."),
        click.option("--max-tokens", type=int, help="Maximum tokens to generate."),
        click.option("--stop", multiple=True, help="Stop sequence (repeatable)."),
        click.option("--seed", type=int, help="Random seed for reproducible output."),
        click.option("--repeat-penalty", type=float, help="Penalty for repeated tokens (default 1.1)."),
        click.option("--threads", type=int, help="CPU threads (default: physical cores)."),
        click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of streaming."),
        click.option("--no-log", is_flag=True, help="Do not record this generation."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def no_label_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--no-label", is_flag=True,
        help="Leave text and code files bare (no AI-generated front matter, comment or line); "
             "the provenance stays in the store and 'genloom verify' still knows them.")(fn)


def sampling_kwargs(kw: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key in ("temperature", "top_p", "top_k", "max_tokens", "seed", "repeat_penalty"):
        if kw.get(key) is not None:
            out[key] = kw[key]
    if kw.get("stop"):
        out["stop"] = list(kw["stop"])
    threads = kw.get("threads")
    if threads is not None:
        if threads < 1:
            from genloom.errors import InvalidInput

            raise InvalidInput(f"--threads must be at least 1, got {threads}", param="threads")
        os.environ["GENLOOM_THREADS"] = str(threads)
    return out


def read_input(text: str | None, *, required: bool = True) -> str:
    """The argument, stdin, or both (stdin first, like ``cat f | llm 'summarize'``)."""
    piped = ""
    stdin = sys.stdin
    if stdin is not None and not stdin.isatty():
        try:
            piped = stdin.read()
        except UnicodeDecodeError:
            from genloom.errors import InvalidInput

            raise InvalidInput("stdin is not valid UTF-8 text", hint="pipe a text file") from None
    parts = [p for p in (piped.strip(), (text or "").strip()) if p]
    result = "\n\n".join(parts)
    if required and not result:
        from genloom.errors import EmptyPrompt

        raise EmptyPrompt("The prompt is empty", hint="pass text as an argument or pipe it on stdin")
    return result


def ensure_model_ready(model_id: str | None, kind: str = "text") -> str:
    """Resolve the model and assemble embedded weights with a progress bar."""
    from genloom.models.registry import get_registry

    registry = get_registry()
    card = registry.card(model_id) if model_id else registry.default_card(kind)
    if card.installed_status() == "installable" and card.options.get("parts"):
        from genloom.backends.embedded import ensure_installed

        with progress_bar(f"Assembling {card.id}", total=card.size_bytes or 0, unit="bytes") as update:
            ensure_installed(card, progress=lambda done, total: update(done, total))
    return card.id


class _Progress:
    def __init__(self, description: str, total: int, unit: str):
        self.description = description
        self.total = total
        self.unit = unit
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> Callable[[int, int], None]:
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        from genloom.cli.console import err_console

        count = DownloadColumn() if self.unit == "bytes" else MofNCompleteColumn()
        self._progress = Progress(
            TextColumn("{task.description}"), BarColumn(), count, TimeRemainingColumn(),
            console=err_console(), transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task(self.description, total=self.total or None)

        def update(done: int, total: int | None = None) -> None:
            self._progress.update(self._task, completed=done, total=total or self.total or None)

        return update

    def __exit__(self, *exc: Any) -> None:
        self._progress.stop()


def progress_bar(description: str, total: int, unit: str = "steps") -> _Progress:
    return _Progress(description, total, unit)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str, ensure_ascii=False))


def stream_to_stdout(pieces: Any) -> None:
    out = sys.stdout
    for piece in pieces:
        out.write(piece)
        out.flush()
    out.write("\n")
    out.flush()
