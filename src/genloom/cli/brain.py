"""``genloom plan``, ``genloom run``, ``genloom recipe`` and ``genloom explain``: the language brain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from genloom.cli.common import echo_json, no_label_option, read_input


def _input_option(fn: Any) -> Any:
    return click.option("-i", "--input", "inputs", multiple=True, metavar="FILE",
                        help="A file the request works on (text, audio, video or image; typed by its content). "
                             "Repeatable. Files the request names that exist are used too.")(fn)


def _plan_request(text: str, inputs: tuple[str, ...], *, use_llm: bool, model: str | None, **opts: Any) -> Any:
    """Type the inputs (a missing or unreadable one stops here, before anything runs), then plan."""
    from genloom.brain import plan as make_plan
    from genloom.errors import InvalidInput
    from genloom.inputs import gather, missing_inputs

    files = gather(text, inputs)
    result = make_plan(text, inputs=files, use_llm=use_llm, model=model, **opts)
    # A file the request names but that is not there: an error, unless the request asks for a
    # program (which reads files when it runs, not now).
    missing = missing_inputs(text)
    if missing and "code" not in result.deliverables:
        raise InvalidInput(f"Input file {missing[0]} does not exist", param="inputs",
                           hint=f"looked for {Path(missing[0]).expanduser().absolute()}")
    return result


def _llm_option(fn: Any) -> Any:
    fn = click.option("--no-llm", is_flag=True, help="Plan with rules and embeddings only (no language model).")(fn)
    return click.option("-m", "--model", help="Text model for planning and prompt writing.")(fn)


@click.command()
@click.argument("request", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON (the stable format in docs/brain.md).")
@click.option("--prompts", is_flag=True, help="Also write the image/speech/music/video prompts now (slower).")
@_input_option
@_llm_option
def plan(request: str | None, as_json: bool, prompts: bool, inputs: tuple[str, ...], no_llm: bool,
         model: str | None) -> None:
    """Show how genloom would fulfil REQUEST, without running it."""
    text = read_input(request)
    _prepare_llm(model, no_llm)
    result = _plan_request(text, inputs, use_llm=not no_llm, model=model, write_prompts=prompts)
    if as_json:
        echo_json(result.model_dump(mode="json"))
        return
    _print_plan(result)


def _print_plan(p: Any) -> None:
    from rich.table import Table

    from genloom.cli.console import console

    title = f"Deliverables: {', '.join(p.deliverables)}" + (f"  (recipe {p.recipe})" if p.recipe else "")
    table = Table(title=title, title_justify="left")
    for col in ("step", "kind", "model", "inputs", "what"):
        table.add_column(col, overflow="fold")
    for s in p.steps:
        what = s.instruction + (f"\n[dim]prompt ({s.prompt_by}): {s.prompt}[/]" if s.prompt and s.prompt_by != "request"
                                else "")
        settings = {k: v for k, v in s.params.items() if k not in ("max_tokens", "temperature")}
        if settings:
            what += "\n[dim]params: " + ", ".join(f"{k}={v}" for k, v in settings.items()) + "[/]"
        if s.operation:
            what += f"\n[dim]operation: {s.operation}[/]"
        table.add_row(s.id, s.kind, s.model or "-", ", ".join(s.inputs), what)
    console().print(table)
    _print_inputs_and_notes(p)


def _print_inputs_and_notes(p: Any) -> None:
    from genloom.cli.console import console

    out = console()
    for f in getattr(p, "inputs", []) or []:
        size = f" {f.width}x{f.height}" if f.width and f.height else ""
        length = f" {f.seconds:.1f} s" if f.seconds else ""
        out.print(f"input {f.id}: {f.named_as} ({f.kind}{length}{size})", highlight=False, markup=False)
    for note in p.notes:
        out.print(f"[yellow]note:[/] {' '.join(str(note).split())}", highlight=False)


@click.command()
@click.argument("request", required=False)
@click.option("-o", "--output-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also copy every result into this directory.")
@click.option("--json", "as_json", is_flag=True, help="Print the run result as JSON.")
@click.option("--ray", "ray_address", is_flag=False, flag_value="local", default=None, metavar="[ADDRESS]",
              help="Run the steps on Ray: a local cluster, or ADDRESS ('auto', HOST:PORT, ray://...). "
                   "Write --ray=ADDRESS to name one.")
@_input_option
@_llm_option
@no_label_option
def run(request: str | None, output_dir: Path | None, as_json: bool, ray_address: str | None,
        inputs: tuple[str, ...], no_llm: bool, model: str | None, no_label: bool) -> None:
    """Make what REQUEST asks for: plan it, run every step, show where results are.

    Exits 1 when any deliverable failed (the parts that succeeded are kept and listed).
    """
    text = read_input(request)
    _prepare_llm(model, no_llm)
    p = _plan_request(text, inputs, use_llm=not no_llm, model=model)
    _run_plan(p, output_dir, as_json, use_llm=not no_llm, ray_address=ray_address, label=not no_label)


def _prepare_llm(model: str | None, no_llm: bool) -> None:
    """Assemble the embedded LLM with a progress bar now, rather than silently inside a step."""
    if no_llm:
        return
    from genloom.cli.common import ensure_model_ready
    from genloom.errors import GenloomError

    try:
        ensure_model_ready(model, "text")
    except GenloomError:  # no usable text model: steps that need one report it themselves
        pass


def _run_plan(p: Any, output_dir: Path | None, as_json: bool, *, use_llm: bool = True,
              ray_address: str | None = None, label: bool = True) -> None:
    import threading

    from genloom.brain import execute
    from genloom.cli.console import console
    from genloom.cli.progress import run_display

    if output_dir is not None and output_dir.exists() and not output_dir.is_dir():
        from genloom.errors import InvalidInput

        raise InvalidInput(f"{output_dir} exists and is not a directory", param="output_dir")
    cancel = threading.Event()
    with run_display(p, transient=as_json) as display:
        try:
            result = execute(p, output_dir=output_dir, on_event=display.on_event, cancel=cancel, use_llm=use_llm,
                             ray_address=ray_address, label=label)
        except KeyboardInterrupt:
            cancel.set()
            raise
    deliverable = {s.id for s in p.steps if s.deliverable}
    failed = [r for r in result.steps if r.status != "ok"]
    if as_json:
        echo_json(result.model_dump(mode="json"))
    else:
        out = console()
        _print_inputs_and_notes(p)
        users = {s.id: [t.id for t in p.steps if s.id in t.inputs] for s in p.steps}
        for r in result.steps:
            if r.status != "ok":
                continue
            if r.step_id in deliverable:
                where = ", ".join(r.paths) if r.paths else ""
                out.print(f"[green]✓[/] {r.step_id} ({r.kind}, {r.model}): {where}", highlight=False)
            else:  # made only to feed another step: in the store, not in the output folder
                made_for = ", ".join(users.get(r.step_id) or []) or "the other steps"
                out.print(f"[dim]·[/] {r.step_id} ({r.kind}, {r.model}): made for {made_for}; "
                          f"genloom log show {r.generation_id}", highlight=False)
            if r.kind in ("text", "code", "transcript") and r.text:
                out.print(r.text.strip(), markup=False, highlight=False)
            if r.error:
                out.print(f"  [yellow]note:[/] {' '.join(r.error.split())}", highlight=False)
        out.print(f"Run {result.run_id} in {result.seconds:.1f} s — provenance: genloom log show {result.run_id} "
                  f"--tree", highlight=False)
    # One line per failure, on stderr, also under --json (stdout stays parseable).
    for r in failed:
        click.echo(f"✗ {r.step_id} ({r.kind}) {r.status}: {' '.join((r.error or 'no reason given').split())}",
                   err=True)
    if any(r.step_id in deliverable for r in failed):
        raise SystemExit(1)


@click.group()
def recipe() -> None:
    """Named workflows (YAML): list, show and run them."""


@recipe.command("list")
@click.option("--json", "as_json", is_flag=True)
def recipe_list(as_json: bool) -> None:
    """List built-in and user recipes."""
    from genloom.brain.recipes import list_recipes, user_dir

    recipes = list_recipes()
    if as_json:
        echo_json([r.model_dump() for r in recipes])
        return
    for r in recipes:
        inputs = " ".join(f"{k}=" + ("…" if v.required else repr(v.default)) for k, v in r.inputs.items())
        click.echo(f"{r.name:<20} {r.title} [{', '.join(r.deliverables)}]  {inputs}")
    click.echo(f"(user recipes: {user_dir()}/*.yaml)", err=True)


@recipe.command("show")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True)
def recipe_show(name: str, as_json: bool) -> None:
    """Show a recipe's inputs and steps."""
    from genloom.brain.recipes import load_recipe

    r = load_recipe(name)
    if as_json:
        echo_json(r.model_dump())
        return
    click.echo(f"{r.name}: {r.title}\n{r.description}\nsource: {r.source}\ninputs:")
    for k, v in r.inputs.items():
        click.echo(f"  {k}: {v.description}" + (" (required)" if v.required else f" (default {v.default!r})"))
    click.echo("steps:")
    for s in r.steps:
        inputs = ", ".join(s.inputs)
        click.echo(f"  {s.id} [{s.kind}] <- {inputs}: {s.instruction}")


def _parse_sets(pairs: tuple[str, ...]) -> dict[str, str]:
    from genloom.errors import InvalidInput

    values = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(f"--set expects key=value, got {pair!r}", param="set", hint="e.g. --set topic='solar lamp'")
        values[key.strip()] = value
    return values


@recipe.command("run")
@click.argument("name")
@click.option("--set", "sets", multiple=True, help="Recipe input as key=value (repeatable).")
@click.option("-o", "--output-dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@click.option("--dry-run", is_flag=True, help="Print the plan instead of running it.")
@click.option("--no-llm", is_flag=True, help="Use template prompts instead of LLM-written ones.")
@no_label_option
def recipe_run(name: str, sets: tuple[str, ...], output_dir: Path | None, as_json: bool, dry_run: bool,
               no_llm: bool, no_label: bool) -> None:
    """Run recipe NAME with its inputs set by --set key=value."""
    from genloom.brain.recipes import plan_recipe

    p = plan_recipe(name, _parse_sets(sets))
    if not dry_run:
        _prepare_llm(None, no_llm)
    if dry_run:
        echo_json(p.model_dump(mode="json")) if as_json else _print_plan(p)
        return
    _run_plan(p, output_dir, as_json, use_llm=not no_llm, label=not no_label)


@click.command()
@click.argument("request", required=False)
@click.option("--json", "as_json", is_flag=True)
@click.option("--llm", "use_llm", is_flag=True, help="Let the LLM decide requests the fast stages cannot.")
def explain(request: str | None, as_json: bool, use_llm: bool) -> None:
    """Why this tool: which generator REQUEST goes to, and why."""
    from genloom.brain import explain as why

    result = why(read_input(request), use_llm=use_llm)
    if as_json:
        echo_json(result.to_dict())
        return
    for line in result.lines():
        click.echo(line)
