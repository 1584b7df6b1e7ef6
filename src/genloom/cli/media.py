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
              help="Write the PNG (or editable .svg) here (several images: NAME-1.png, NAME-2.png, ...).")
@click.option("--size", help="WIDTHxHEIGHT (e.g. 1280x720), an aspect (16:9) or a format name.")
@click.option("--format", "fmt", help="Named format: instagram-post, instagram-story, link-banner, youtube-thumbnail, "
              "favicon, app-icon, logo, a4-poster, letter-poster, slide, twitter-post, facebook-cover, ...")
@click.option("--aspect", help="Aspect ratio, e.g. 16:9, 9:16, 4:5, 1.91:1 (long side 1280 unless --size/width).")
@click.option("--seed", type=int, help="Random seed: the same seed gives the same image.")
@click.option("-n", "--count", "n", type=int, default=1, show_default=True,
              help="How many images: variations with different layout, palette and art.")
@click.option("-m", "--model", help="Image model id, a diffusers pipeline directory, or a hub id.")
@click.option("--style", help="Layout (poster, banner, logo, thumbnail, icon, story, card, sticker, illustration, "
              "pixel) or a look word (photo, minimal, ...).")
@click.option("--layout", type=click.Choice(["poster", "banner", "logo", "thumbnail", "icon", "story", "card",
                                             "sticker", "illustration", "pixel"]),
              help="Layout family (default: from --format, --style or the prompt).")
@click.option("--headline", help="Words to print large (default: from the prompt on posters, banners, logos...).")
@click.option("--subline", help="A smaller line under the headline.")
@click.option("--cta", help="Call to action, drawn as a button (e.g. 'Book now').")
@click.option("--transparent", is_flag=True, help="Transparent background (stickers and icons).")
@click.option("--negative", "negative_prompt", help="Negative prompt (diffusion models).")
@click.option("--steps", type=int, help="Denoising steps (diffusion models).")
@click.option("--guidance", type=float, help="Classifier-free guidance scale (diffusion models).")
@click.option("--scheduler", help="Scheduler: euler, euler-a, ddim, dpm++, unipc, pndm, lms, heun, lcm.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def image(prompt: str | None, output: Path | None, size: str | None, fmt: str | None, aspect: str | None,
          seed: int | None, n: int, model: str | None, style: str | None, layout: str | None, headline: str | None,
          subline: str | None, cta: str | None, transparent: bool, negative_prompt: str | None, steps: int | None,
          guidance: float | None, scheduler: str | None, as_json: bool) -> None:
    """Make an image from PROMPT, e.g. genloom image "a poster for a jazz night" -o jazz.png"""
    body = read_input(prompt)
    params: dict[str, Any] = {"n": n}
    for key, value in (("size", size), ("format", fmt), ("aspect", aspect), ("seed", seed), ("style", style),
                       ("layout", layout), ("headline", headline), ("subline", subline), ("cta", cta),
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
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the clip here (.mp4 or .gif); captions go beside it as .srt.")
@click.option("--seconds", type=float, help="Length (default: the narration plus a short tail, else 6 s).")
@click.option("--size", help="WIDTHxHEIGHT, even numbers (default 1280x720).")
@click.option("--aspect", help="9:16, 1:1 or 16:9 (platform-standard size).")
@click.option("--format", "named_format",
              help="instagram-reel, tiktok, youtube-short (1080x1920), youtube (1920x1080), square (1080x1080).")
@click.option("--captions/--no-captions", default=None,
              help="Burn the narration in as captions (default: on for vertical social formats).")
@click.option("--shot", "shots", multiple=True, help="One shot's description (repeatable): one still each.")
@click.option("--image", "images", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Your photo (repeatable): a slideshow giving each a fair share of the time.")
@click.option("--clip", type=click.Path(exists=True, dir_okay=False),
              help="Your video: keep its picture and length, add narration and/or music.")
@click.option("--name", help="The name on the title and end cards.")
@click.option("--cta", help="A line under the name on the end card (e.g. 'Order at crumb.co').")
@click.option("--narrate", "narration", help="Narration text to speak over the clip.")
@click.option("--narrate-prompt", is_flag=True, help="Speak the prompt as narration.")
@click.option("--voice", help="Voice id for the narration (see 'genloom voices').")
@click.option("--music/--no-music", default=None, help="Music bed (default: on when nothing is narrated).")
@click.option("--fps", type=int, help="Frames per second (default 24; GIF 12).")
@click.option("--seed", type=int, help="Random seed.")
@click.option("-m", "--model", help="Video model, or an image model / pipeline dir to draw the stills.")
@click.option("--mode", type=click.Choice(["auto", "animate", "slideshow"]), default="auto", show_default=True,
              help="animate one composed scene, or a slideshow of stills ('a; b; c' = one still each).")
@click.option("--motion", type=click.Choice(["float", "bounce", "spin", "move", "pulse"]),
              help="How the subject moves when animating (default: from the prompt).")
@click.option("--style", type=click.Choice(["poster", "sticker", "icon", "banner", "illustration", "pixel"]))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def video(prompt: str | None, output: Path | None, seconds: float | None, size: str | None, aspect: str | None,
          named_format: str | None, captions: bool | None, shots: tuple[str, ...], images: tuple[str, ...],
          clip: str | None, name: str | None, cta: str | None, narration: str | None, narrate_prompt: bool,
          voice: str | None, music: bool | None, fps: int | None, seed: int | None, model: str | None, mode: str,
          motion: str | None, style: str | None, as_json: bool) -> None:
    """Make a short clip from PROMPT, e.g. genloom video "a bouncing basketball" -o ball.mp4 --seconds 8"""
    body = read_input(prompt)
    params: dict[str, Any] = {"mode": mode}
    for key, value in (("seconds", seconds), ("size", size), ("aspect", aspect), ("format", named_format),
                       ("captions", captions), ("music", music), ("clip", clip), ("name", name), ("cta", cta),
                       ("voice", voice), ("fps", fps), ("seed", seed), ("motion", motion), ("style", style)):
        if value is not None:
            params[key] = value
    if shots:
        params["shots"] = list(shots)
    if images:
        params["images"] = list(images)
    if narration or narrate_prompt:
        params["narration"] = narration or True
    result = _run("video", body, model, params, output, "Rendering")
    _report(result, as_json)
