"""``genloom log``: recorded generations and their provenance."""

from __future__ import annotations

from typing import Any

import click

from genloom.cli.common import echo_json


@click.group(invoke_without_command=True)
@click.option("-n", "--count", default=20, show_default=True, help="How many to show.")
@click.option("--kind", help="Only this output kind.")
@click.option("-m", "--model", help="Only this model.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def log(ctx: click.Context, count: int, kind: str | None, model: str | None, as_json: bool) -> None:
    """List recent generations, newest first."""
    if ctx.invoked_subcommand is not None:
        return
    from genloom.errors import InvalidInput
    from genloom.store.db import get_store

    if count < 1:
        raise InvalidInput(f"--count must be at least 1, got {count}", param="count")
    rows = get_store().generations(limit=count, kind=kind, model_id=model)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("No generations recorded yet.", err=True)
        return
    from rich.table import Table

    from genloom.cli.console import console

    table = Table()
    table.add_column("id", no_wrap=True)
    table.add_column("when", no_wrap=True)
    table.add_column("task / model", overflow="fold")
    table.add_column("prompt", overflow="fold", ratio=1)
    for r in rows:
        prompt = (r["prompt"] or "").replace("\n", " ")
        prompt = prompt[:80] + ("…" if len(prompt) > 80 else "")
        stats = f"{r['completion_tokens']} tok" if r["completion_tokens"] else ""
        table.add_row(r["id"], r["created_at"].strftime("%m-%d %H:%M"),
                      f"{r['kind']}/{r['task']}\n{r['model_id']} {stats}".strip(), prompt)
    console().print(table)


@log.command()
@click.argument("generation_id")
@click.option("--json", "as_json", is_flag=True)
@click.option("--tree", is_flag=True, help="Show the provenance graph: parents, recursively.")
def show(generation_id: str, as_json: bool, tree: bool) -> None:
    """Show one generation with its prompt, parameters, output and assets."""
    from genloom.store.db import get_store

    store = get_store()
    data = store.tree(generation_id) if tree else store.generation(generation_id)
    if tree and not data.get("parents"):
        data["children"] = store.children(data["id"])
    if as_json:
        echo_json(data)
        return
    if tree:
        _print_tree(data)
        return
    for key in ("id", "created_at", "kind", "task", "model_id", "model_sha256", "seed", "params", "system",
                "prompt", "prompt_tokens", "completion_tokens", "ttft_ms", "duration_ms", "parent_ids", "run_id"):
        value = data.get(key)
        if value not in (None, "", []):
            click.echo(f"{key}: {value}")
    for asset in data.get("assets", []):
        click.echo(f"asset: {asset['id']} {asset['kind']} {asset['mime']} {asset['size']} bytes "
                   f"{store.asset_path(asset)}")
    if data.get("output"):
        click.echo("output:")
        click.echo(data["output"])


def _print_tree(data: dict[str, Any]) -> None:
    from rich.tree import Tree

    from genloom.cli.console import console

    def label(node: dict[str, Any]) -> str:
        if node.get("cycle"):  # a shared parent (a DAG, e.g. one headline feeding three steps): shown once
            return f"[bold]{node['id']}[/] [dim](shown above)[/]"
        assets = ", ".join(f"{a['kind']}:{a['id']}" for a in node.get("assets", []))
        return f"[bold]{node['id']}[/] {node.get('kind')}/{node.get('task')} by {node.get('model_id')}" + (
            f" → {assets}" if assets else "")

    def add(branch: Any, node: dict[str, Any]) -> None:
        for parent in node.get("parents", []):
            add(branch.add(label(parent)), parent)

    root = Tree(label(data))
    add(root, data)
    for child in data.get("children", []):
        root.add(label({**child, "assets": []}))
    console().print(root)
