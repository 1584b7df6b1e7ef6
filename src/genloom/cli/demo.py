"""``genloom demo``: the main job on the embedded defaults, end to end."""

from __future__ import annotations

import time

import click

from genloom.cli.common import ensure_model_ready, stream_to_stdout


@click.command()
@click.option("-m", "--model", help="Text model to use (default: the embedded default).")
def demo(model: str | None) -> None:
    """Write a product tagline, a short ad and a code snippet with the default models."""
    from genloom.text.tasks import run_task, split_code

    model_id = ensure_model_ready(model, "text")
    click.secho(f"== genloom demo on {model_id} ==", bold=True, err=True)
    steps = [
        ("Headline", "chat", "Write one catchy headline (max 10 words) for a solar-powered camping lantern. "
                             "Reply with the headline only."),
        ("Ad copy", "chat", "Write a two-sentence ad for a solar-powered camping lantern called GlowTrail."),
        ("Code", "code", "Write a Python function that converts Celsius to Fahrenheit, with a docstring."),
    ]
    for title, task, prompt in steps:
        click.secho(f"\n-- {title} --", bold=True, err=True)
        start = time.perf_counter()
        response = run_task(task, prompt, model=model_id, max_tokens=200, seed=42)
        if task == "code":
            result = split_code(response.text())
            click.echo(result.code, nl=False)
        else:
            stream_to_stdout(response)
        rate = response.tokens_per_second()
        click.echo(
            f"[{response.completion_tokens} tokens in {time.perf_counter() - start:.1f}s"
            + (f", {rate:.1f} tok/s" if rate else "") + f"; logged as {response.generation_id}]",
            err=True,
        )
    click.echo("\nSee everything recorded with: genloom log", err=True)
