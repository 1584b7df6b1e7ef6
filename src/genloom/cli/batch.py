"""``genloom batch requests.jsonl -o DIR [--ray [ADDRESS]]``: many generations, resumable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click


@click.command("batch")
@click.argument("requests", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output-dir", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the outputs and the batch.jsonl manifest (re-run to resume).")
@click.option("--ray", "ray_address", is_flag=False, flag_value="local", default=None, metavar="[ADDRESS]",
              help="Run on Ray: alone starts a local cluster; 'auto' or HOST:PORT joins one. "
                   "Put it after REQUESTS (or write --ray=ADDRESS).")
@click.option("--max-in-flight", type=int, help="With --ray: requests running at once (default: the cluster's CPU count).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary instead of a table.")
@click.pass_context
def batch(ctx: click.Context, requests: Path, out_dir: Path, ray_address: str | None, max_in_flight: int | None,
          as_json: bool) -> None:
    """Generate every request in a JSONL file into DIR; done items are skipped on re-run.

    \b
    Each line: {"kind": "image", "prompt": "...", "params": {...}, "id": "..."}
           or: {"request": "a blog post about tea with a header image"}
    \b
    genloom batch requests.jsonl -o out
    genloom batch requests.jsonl -o out --ray            # local Ray cluster
    genloom batch requests.jsonl -o out --ray auto       # the cluster of 'ray start'
    """
    from genloom.batch import run_batch
    from genloom.cli.common import echo_json, progress_bar
    from genloom.cli.console import err_console

    console = err_console()
    state: dict[str, Any] = {"update": None, "done": 0, "total": 0}

    with progress_bar("Batch", total=0) as update:
        def on_event(kind: str, item: Any, record: dict[str, Any] | None) -> None:
            if kind == "start" and record:
                state["total"] = record["total"]
                update(record["skipped"], record["total"])
                state["done"] = record["skipped"]
            elif kind == "done" and record:
                state["done"] += 1
                update(state["done"], state["total"])
                if record["status"] != "ok":
                    console.print(f"[red]failed[/] {record['id']} (line {record['line']}): {record['error']}",
                                  markup=True, highlight=False)

        try:
            report = run_batch(requests, out_dir, ray_address=ray_address, on_event=on_event,
                               max_in_flight=max_in_flight)
        finally:
            if ray_address is not None:
                from genloom.distributed import shutdown

                shutdown()

    if as_json:
        echo_json(report.to_dict())
    else:
        for bad in report.bad_lines:
            click.echo(f"{requests}:{bad.line}: {bad.error}", err=True)
        click.echo(f"{len(report.done)} done, {len(report.skipped)} already done (skipped), "
                   f"{len(report.failed)} failed, {len(report.bad_lines)} bad line(s) in {report.seconds:.1f}s; "
                   f"manifest: {out_dir / 'batch.jsonl'}")
    if not report.ok:
        ctx.exit(1)
