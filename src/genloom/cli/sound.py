"""``genloom sound "the sound of rain" -o rain.wav --seconds 60``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from genloom.cli.common import echo_json, read_input


@click.command()
@click.argument("prompt", required=False)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Audio file to write (.wav, .flac, .ogg, .mp3).")
@click.option("-s", "--seconds", type=float, help="Length in seconds (default: 30 for ambiences, natural for effects).")
@click.option("--sound", "sound_id", help="Sound id(s) instead of words, e.g. rain or rain+thunder; see --list.")
@click.option("--loop/--no-loop", default=None,
              help="Seamless loop point (default: on for ambiences); --no-loop fades an ambience in and out.")
@click.option("--intensity", type=float, help="0.2 (faint) to 3 (violent); default from the words (gentle, heavy).")
@click.option("--rate", type=float, help="Pulse per minute for sounds with one (heartbeat bpm, clock ticks).")
@click.option("--pitch", type=float, help="Tone in Hz for beeps and chimes.")
@click.option("--seed", type=int, help="Seed for a reproducible sound.")
@click.option("-m", "--model", help="Sound model id (default: genloom-sounds).")
@click.option("-f", "--format", "fmt", type=click.Choice(["wav", "flac", "ogg", "mp3"]), help="Audio format.")
@click.option("--sidecar", is_flag=True, help="Also write FILE.json with the AI label and provenance.")
@click.option("--list", "list_sounds", is_flag=True, help="List the sounds genloom can make and exit.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def sound(prompt: str | None, output: Path | None, seconds: float | None, sound_id: str | None, loop: bool | None,
          intensity: float | None, rate: float | None, pitch: float | None, seed: int | None, model: str | None,
          fmt: str | None, sidecar: bool, list_sounds: bool, as_json: bool) -> None:
    """Make an ambience or sound effect, procedurally (no weights), at any length.

    \b
    genloom sound "the sound of rain" -o rain.wav --seconds 60
    genloom sound "gentle ocean waves" -o waves.ogg -s 300
    genloom sound "a notification chime" -o ding.wav
    genloom sound --sound rain+thunder -o storm.flac -s 120
    """
    if list_sounds:
        from genloom.sound.catalog import SOUNDS

        if as_json:
            echo_json([{"id": s.id, "ambience": s.ambience, "made": s.made} for s in SOUNDS.values()])
        else:
            for s in SOUNDS.values():
                click.echo(f"{s.id:<12} {'ambience' if s.ambience else 'effect  '}  {s.made}")
        return
    if output is None:
        raise click.UsageError("Give -o FILE (e.g. -o rain.wav)")
    body = read_input(prompt, required=sound_id is None) or ""
    params: dict[str, Any] = {"sound": sound_id, "seconds": seconds, "loop": loop, "intensity": intensity,
                              "rate": rate, "pitch": pitch, "seed": seed, "sidecar": sidecar, "format": fmt}
    params = {k: v for k, v in params.items() if v is not None}
    from genloom import api
    from genloom.cli.audio import _progress, _report

    with _progress("Synthesizing", enabled=not as_json) as progress:
        result = api.create("sound", body, model=model, params=params, output=output, progress=progress)
    m = result.meta
    _report(result, as_json, f"{m['sound']}, {m['seconds']:.1f} s{', loops seamlessly' if m['loop'] else ''} "
                             f"(seed {m['seed']}), generation {result.generation_id}")
