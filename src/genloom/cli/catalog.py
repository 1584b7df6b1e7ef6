"""``genloom pull``, ``genloom rm`` and ``genloom models --available``."""

from __future__ import annotations

from typing import Any

import click

from genloom.cli.common import echo_json


@click.command()
@click.argument("model_id")
@click.option("--force", is_flag=True, help="Download again even if the files are there.")
@click.option("--json", "as_json", is_flag=True, help="Print the registered card as JSON.")
def pull(model_id: str, force: bool, as_json: bool) -> None:
    """Download a model from the catalogue (see 'genloom models --available').

    Uses HF_ENDPOINT, HF_TOKEN, HF_HOME and HF_HUB_OFFLINE like other Hugging
    Face tools; an interrupted pull resumes where it stopped.
    """
    from genloom.catalog import load_catalog
    from genloom.catalog.pull import pull as do_pull
    from genloom.cli.common import progress_bar

    entry = load_catalog().entry(model_id)
    with progress_bar(f"Pulling {entry.id}", total=entry.size_bytes or 0, unit="bytes") as update:
        card = do_pull(entry.id, force=force, progress=lambda done, total, name: update(done, total))
    if as_json:
        echo_json(card.summary())
        return
    click.echo(f"Pulled {card.id} ({card.kind.value}, backend {card.backend}): installed at {card.path}")
    click.echo(f"Use it with: genloom {_verb(card.kind.value)} -m {card.id} ...")


def _verb(kind: str) -> str:
    return {"text": "text", "code": "code", "image": "image", "speech": "speak", "music": "compose", "sound": "sound",
            "transcript": "transcribe", "embedding": "models show", "video": "video"}.get(kind, kind)


@click.command(name="rm")
@click.argument("model_id")
def rm(model_id: str) -> None:
    """Delete a pulled model's files (or a half-finished pull) from the cache."""
    from genloom.catalog.pull import remove

    path = remove(model_id)
    click.echo(f"Removed {model_id} ({path})")


def available_rows() -> list[dict[str, Any]]:
    from genloom.catalog import load_catalog, machine, placement, speed_on
    from genloom.catalog.pull import status

    m = machine()
    rows = []
    for e in load_catalog().models:
        where = placement(e.ram_gb, e.vram_gb, m)
        rows.append({
            "id": e.id, "name": e.name, "kind": e.kind.value, "also": [a.value for a in e.also],
            "backend": e.backend, "size_bytes": e.size_bytes, "license": e.license, "ram_gb": e.ram_gb,
            "vram_gb": e.vram_gb, "quality": e.quality, "speed": speed_on(e, m), "fits": where is not None,
            "runs_on": where, "installed": status(e), "source": e.source.describe(), "notes": e.notes,
        })
    return rows


def show_available(as_json: bool, kind: str | None) -> None:
    """Print the catalogue, marking what is installed and what fits this machine."""
    from genloom.catalog import machine
    from genloom.models.card import human_size

    rows = [r for r in available_rows() if kind is None or r["kind"] == kind or kind in r["also"]]
    if as_json:
        echo_json(rows)
        return
    from rich.table import Table

    from genloom.cli.console import console

    m = machine()
    gpu = f", GPU {m.gpu_name} {m.gpu_total_gb:.0f} GiB" if m.has_gpu else ", no GPU"
    table = Table(title=f"Model catalogue (this machine: {m.ram_total_gb:.0f} GiB RAM{gpu})")
    for col in ("id", "kind", "size", "memory", "speed", "quality", "licence", "fits", "installed"):
        table.add_column(col, no_wrap=col != "licence", overflow="fold")
    marks = {"installed": "[green]yes[/]", "partial": "[yellow]partial[/]"}
    for r in rows:
        kinds = r["kind"] + ("+" + "+".join(r["also"]) if r["also"] else "")
        memory = f"{r['ram_gb']:g} GB" + (f" / {r['vram_gb']:g} GPU" if r["vram_gb"] else "")
        fits = f"[green]yes ({r['runs_on']})[/]" if r["fits"] else "[red]no[/]"
        table.add_row(r["id"], kinds, human_size(r["size_bytes"]), memory, r["speed"], str(r["quality"]),
                      r["license"], fits, marks.get(r["installed"], "no"))
    console().print(table)
    from genloom.models.choose import better_available

    for k in sorted({r["kind"] for r in rows}):
        better = better_available(k)
        if better is not None:
            console().print(f"Better {k} model that fits here: [bold]{better.id}[/] ({better.notes})")
    console().print("Pull one with: genloom pull ID")


@click.command(name="add-remote")
@click.argument("name")
@click.option("--base-url", required=True, help="The endpoint's base URL, e.g. http://127.0.0.1:11434/v1.")
@click.option("--kind", required=True, help="What it serves: text, code, image, speech, embedding or transcript.")
@click.option("--model", "remote_model", required=True, help="The model name the remote expects.")
@click.option("--key-env", help="Environment variable holding the API key (else keys.json in GENLOOM_HOME).")
@click.option("--also", multiple=True, help="Another kind it serves (repeatable), e.g. --also code.")
@click.option("--voice", help="Default voice (speech remotes).")
def add_remote(name: str, base_url: str, kind: str, remote_model: str, key_env: str | None,
               also: tuple[str, ...], voice: str | None) -> None:
    """Register an OpenAI-compatible endpoint (Ollama, vLLM, LocalAI, genloom, a hosted API) as a model."""
    from genloom.backends.openai_remote import add_remote as do_add

    card = do_add(name, base_url=base_url, kind=kind, model=remote_model, key_env=key_env, also=list(also),
                  options={"voice": voice} if voice else None)
    click.echo(f"Added remote {card.id} ({card.kind.value}) -> {card.source}")


@click.command(name="remove-remote")
@click.argument("name")
def remove_remote(name: str) -> None:
    """Forget a remote registered with 'genloom models add-remote'."""
    from genloom.backends.openai_remote import remove_remote as do_remove

    do_remove(name)
    click.echo(f"Removed remote {name}")
