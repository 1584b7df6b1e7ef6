"""Image and video commands: ``genloom image`` and ``genloom video``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from genloom.cli.common import echo_json, progress_bar, read_input

_STEPS = 1000


def _run(kind: str, prompt: str, model: str | None, params: dict[str, Any], output: Path | None,
         description: str) -> Any:
    from genloom.api import create

    with progress_bar(description, total=_STEPS) as update:
        return create(kind, prompt, model=model, params=params, output=output,
                      progress=lambda fraction, message: update(int(fraction * _STEPS)))


def _report(result: Any, as_json: bool) -> None:
    if as_json:
        data = result.to_dict()
        for img in data["meta"].get("images", []):
            img.pop("png", None)
        echo_json(data)
        return
    for path in result.paths:
        click.echo(str(path))
    credits = sorted({a["attribution"] for a in result.meta.get("attribution", []) if a.get("attribution")})
    for line in credits:
        click.echo(f"Art: {line}", err=True)
    for note in result.meta.get("notes", []):
        click.echo(f"Note: {note}", err=True)
    click.echo(f"Recorded as {result.generation_id} (AI-generated, model {result.model_id})", err=True)


@click.command()
@click.argument("prompt", required=False)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the PNG here (several images: NAME-1.png, NAME-2.png, ...).")
@click.option("--size", help="WIDTHxHEIGHT, e.g. 768x512 (default 512x512; banner 1024x384, poster 512x704).")
@click.option("--seed", type=int, help="Random seed: the same seed gives the same image.")
@click.option("-n", "--count", "n", type=int, default=1, show_default=True, help="How many images.")
@click.option("-m", "--model", help="Image model id, a diffusers pipeline directory, or a hub id.")
@click.option("--style", type=click.Choice(["poster", "sticker", "icon", "banner", "illustration", "pixel"]),
              help="Composer style (default: from the prompt, else illustration).")
@click.option("--headline", help="Text to set on posters and banners (default: from the prompt).")
@click.option("--transparent", is_flag=True, help="Transparent background (stickers and icons).")
@click.option("--negative", "negative_prompt", help="Negative prompt (diffusion models).")
@click.option("--steps", type=int, help="Denoising steps (diffusion models).")
@click.option("--guidance", type=float, help="Classifier-free guidance scale (diffusion models).")
@click.option("--scheduler", help="Scheduler: euler, euler-a, ddim, dpm++, unipc, pndm, lms, heun, lcm.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def image(prompt: str | None, output: Path | None, size: str | None, seed: int | None, n: int, model: str | None,
          style: str | None, headline: str | None, transparent: bool, negative_prompt: str | None,
          steps: int | None, guidance: float | None, scheduler: str | None, as_json: bool) -> None:
    """Make an image from PROMPT, e.g. genloom image "a poster for a jazz night" -o jazz.png"""
    body = read_input(prompt)
    params: dict[str, Any] = {"n": n}
    for key, value in (("size", size), ("seed", seed), ("style", style), ("headline", headline),
                       ("negative_prompt", negative_prompt), ("steps", steps), ("guidance", guidance),
                       ("scheduler", scheduler)):
        if value is not None:
            params[key] = value
    if transparent:
        params["transparent"] = True
    result = _run("image", body, model, params, output, "Drawing")
    _report(result, as_json)


@click.command()
@click.argument("prompt", required=False)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the clip here (.mp4 or .gif).")
@click.option("--seconds", type=float, default=6.0, show_default=True, help="Clip length.")
@click.option("--fps", type=int, help="Frames per second (default 24; GIF 12).")
@click.option("--size", default="512x512", show_default=True, help="WIDTHxHEIGHT (even numbers).")
@click.option("--seed", type=int, help="Random seed.")
@click.option("-m", "--model", help="Video model, or an image model / pipeline dir to draw the stills.")
@click.option("--mode", type=click.Choice(["auto", "animate", "slideshow"]), default="auto", show_default=True,
              help="animate one composed scene, or a Ken Burns slideshow of stills ('a; b; c' = one still each).")
@click.option("--motion", type=click.Choice(["float", "bounce", "spin", "move", "pulse"]),
              help="How the subject moves when animating (default: from the prompt).")
@click.option("--style", type=click.Choice(["poster", "sticker", "icon", "banner", "illustration", "pixel"]))
@click.option("--image", "images", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Use this still (repeatable) instead of drawing new ones.")
@click.option("--narrate", "narration", help="Narration text to speak over the clip (needs a speech model).")
@click.option("--narrate-prompt", is_flag=True, help="Speak the prompt as narration.")
@click.option("--music", is_flag=True, help="Add a generated soundtrack (needs a music model).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def video(prompt: str | None, output: Path | None, seconds: float, fps: int | None, size: str, seed: int | None,
          model: str | None, mode: str, motion: str | None, style: str | None, images: tuple[str, ...],
          narration: str | None, narrate_prompt: bool, music: bool, as_json: bool) -> None:
    """Make a short clip from PROMPT, e.g. genloom video "a bouncing basketball" -o ball.mp4 --seconds 8"""
    body = read_input(prompt)
    params: dict[str, Any] = {"seconds": seconds, "size": size, "mode": mode}
    for key, value in (("fps", fps), ("seed", seed), ("motion", motion), ("style", style)):
        if value is not None:
            params[key] = value
    if images:
        params["images"] = list(images)
    if narration or narrate_prompt:
        params["narration"] = narration or True
    if music:
        params["music"] = True
    result = _run("video", body, model, params, output, "Rendering")
    _report(result, as_json)
