"""Audio commands: ``speak`` (text to speech), ``compose`` (music), ``transcribe`` (speech to text)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from genloom.cli.common import echo_json, read_input

_STEPS = 1000


@contextmanager
def _progress(description: str, enabled: bool = True) -> Iterator[Callable[[float, str], None] | None]:
    """A rich bar driven by a runner's ``progress(fraction, message)`` callback."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from genloom.cli.common import progress_bar

    with progress_bar(description, total=_STEPS) as update:
        yield lambda fraction, message: update(int(max(0.0, min(1.0, fraction)) * _STEPS), _STEPS)


def _report(result: Any, as_json: bool, summary: str) -> None:
    if as_json:
        echo_json(result.to_dict())
        return
    for path in result.paths:
        click.echo(str(path))
    click.echo(summary, err=True)


@click.command()
@click.argument("text", required=False)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Audio file to write (.wav, .flac, .ogg, .mp3). Without it, audio goes to stdout when piped.")
@click.option("-v", "--voice", help="Voice name (heart, joe, ...); see --list-voices.")
@click.option("-m", "--model", help="Speech model id (hibari, piper-joe, or one you added).")
@click.option("--speed", type=float, default=1.0, show_default=True, help="0.5 (slow) to 2.0 (fast).")
@click.option("--seconds", type=float, help="Fit the clip to this length (speaking rate 0.75-1.35x, then silence).")
@click.option("--traits", help="Choose the voice by how it sounds: 'gender=male,pitch=low,accent=uk' "
                               "(or an OpenAI voice name: onyx, nova, ...).")
@click.option("--language", help="Language of the text (ISO 639-1); the voice must speak it.")
@click.option("-f", "--format", "fmt", type=click.Choice(["wav", "flac", "ogg", "mp3"]),
              help="Output format (default: from the file extension, else wav).")
@click.option("--seed", type=int, help="Seed for reproducible audio (hibari voices).")
@click.option("--stream", is_flag=True, help="Write a WAV stream to stdout sentence by sentence (for a player).")
@click.option("--sidecar", is_flag=True, help="Also write OUTPUT.json with the AI label and provenance.")
@click.option("--list-voices", is_flag=True, help="List the voices and exit.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def speak(text: str | None, output: Path | None, voice: str | None, model: str | None, speed: float,
          seconds: float | None, traits: str | None, language: str | None, fmt: str | None, seed: int | None,
          stream: bool, sidecar: bool, list_voices: bool, as_json: bool) -> None:
    """Speak TEXT (argument and/or stdin) with an offline voice.

    \b
    genloom speak "Hello there." -o hello.wav
    cat story.txt | genloom speak -o story.mp3 --voice joe
    genloom speak "Streaming." --stream | aplay
    genloom speak "Welcome aboard." --traits gender=male,pitch=low --seconds 3 -o w.wav
    """
    if list_voices:
        from genloom.audio.voices import all_voices

        rows = [{**v.to_dict(), "description": v.describe()} for v in all_voices()]
        if as_json:
            echo_json(rows)
        else:
            for r in rows:
                state = "installed" if r["installed"] else "not installed"
                click.echo(f"{r['voice']:<10} {r['model']:<22} {state:<14} {r['description']}")
        return
    body = read_input(text)
    if stream:
        from genloom.audio.speech import stream as stream_speech

        if sys.stdout.isatty():
            raise click.UsageError("--stream writes WAV bytes: pipe it into a player (| aplay) or a file")
        out = sys.stdout.buffer
        for chunk in stream_speech(body, voice=voice, model=model, speed=speed, seed=seed):
            out.write(chunk)
            out.flush()
        return
    to_stdout = output is None
    if to_stdout and sys.stdout.isatty():
        raise click.UsageError("Give -o FILE (or pipe stdout, or use --stream)")
    from genloom import api

    params: dict[str, Any] = {"voice": voice, "speed": speed, "seed": seed, "sidecar": sidecar}
    if fmt:
        params["format"] = fmt
    if seconds is not None:
        params["seconds"] = seconds
    if language:
        params["language"] = language
    if traits:
        params["voice_traits"] = _parse_traits(traits)
    with _progress("Speaking", enabled=not as_json) as progress:
        result = api.create("speech", body, model=model, params=params, output=output, progress=progress)
    if to_stdout:
        sys.stdout.buffer.write(Path(result.paths[0]).read_bytes())
        return
    meta = result.meta
    why = f"\n{meta['voice_reason']}" if meta.get("voice_reason") else ""
    fit = f"\n{meta['fit_note']}" if meta.get("fit_note") else ""
    _report(result, as_json, f"{meta['duration_s']:.1f} s of speech, voice {meta['voice']} ({result.model_id}), "
                             f"generation {result.generation_id}{why}{fit}")


def _parse_traits(text: str) -> dict[str, str]:
    """'gender=male,pitch=low' -> a traits dict; a bare word is a voice name ('onyx')."""
    out: dict[str, str] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep:
            out["name"] = key
        elif key.strip() in ("gender", "age", "pitch", "tone", "accent", "name"):
            out[key.strip()] = value.strip()
        else:
            raise click.BadParameter(f"unknown trait {key!r}: use gender, age, pitch, tone, accent or name",
                                     param_hint="--traits")
    return out


@click.command()
@click.argument("prompt", required=False)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Audio file to write (.wav, .flac, .ogg, .mp3), or .mid for MIDI only.")
@click.option("--midi", "midi_out", type=click.Path(dir_okay=False, path_type=Path), help="Also write the MIDI file here.")
@click.option("-m", "--model", help="Music model id (default: bach-composer).")
@click.option("--genre", help="pop, rock, lofi, edm, ambient, cinematic, jazz, folk or chorale (default: from the prompt).")
@click.option("--key", help="Key, e.g. 'D minor', 'F#', 'Eb major' (overrides the prompt).")
@click.option("--mode", type=click.Choice(["major", "minor"]), help="Major or minor.")
@click.option("--tempo", type=int, help="Tempo in beats per minute.")
@click.option("--seconds", "--duration", "seconds", type=float, help="Length in seconds.")
@click.option("--instruments", help="General MIDI names, comma-separated: 'piano', 'acoustic guitar, fiddle'.")
@click.option("--drums/--no-drums", default=None, help="With or without drums (default: the genre's).")
@click.option("--mood", help="e.g. calm, sad, happy, energetic, dramatic.")
@click.option("--seed", type=int, help="Seed for a reproducible piece.")
@click.option("--soundfont", type=click.Path(dir_okay=False), help="A General MIDI .sf2 soundfont for FluidSynth.")
@click.option("--engine", type=click.Choice(["auto", "fluidsynth", "builtin"]), default="auto", show_default=True,
              help="Audio renderer.")
@click.option("-f", "--format", "fmt", type=click.Choice(["wav", "flac", "ogg", "mp3"]), help="Audio format.")
@click.option("--sidecar", is_flag=True, help="Also write FILE.json with the AI label and provenance.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def compose(prompt: str | None, output: Path | None, midi_out: Path | None, model: str | None, genre: str | None,
            key: str | None, mode: str | None, tempo: int | None, seconds: float | None, instruments: str | None,
            drums: bool | None, mood: str | None, seed: int | None, soundfont: str | None, engine: str,
            fmt: str | None, sidecar: bool, as_json: bool) -> None:
    """Compose music from a description: genre, key, mode, tempo, length, instruments, drums and mood.

    The MIDI file is written beside the audio (out.wav -> out.mid) unless --midi names another path.

    \b
    genloom compose "a lo-fi beat in F minor, 30 seconds" -o beat.wav
    genloom compose "a rock riff, 140 bpm, 20 seconds" -o riff.ogg
    genloom compose "a calm piece in D minor" --genre ambient --seconds 45 -o calm.wav
    """
    from genloom import api

    body = read_input(prompt, required=False) or "a piece of music"
    parts = [p.strip() for p in instruments.split(",") if p.strip()] if instruments else None
    params: dict[str, Any] = {"genre": genre, "key": key, "mode": mode, "tempo": tempo, "seconds": seconds,
                              "instruments": parts, "drums": drums, "mood": mood, "seed": seed, "midi": midi_out,
                              "soundfont": soundfont, "engine": engine, "sidecar": sidecar}
    if fmt:
        params["format"] = fmt
    params = {k: v for k, v in params.items() if v is not None}
    with _progress("Composing", enabled=not as_json) as progress:
        result = api.create("music", body, model=model, params=params, output=output, progress=progress)
    m = result.meta
    _report(result, as_json, f"{m['genre']} in {m['key']}, {m['tempo']} bpm, {m['instruments']}"
                             f"{', drums' if m['drums'] else ''}, {m['duration_s']:.1f} s "
                             f"(render: {m['render']}), generation {result.generation_id}")


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-m", "--model", help="Transcription model id (default: faster-whisper-base; pocketsphinx-en-us, "
                                    "faster-whisper-tiny.en).")
@click.option("-l", "--language", help="Spoken language (ISO 639-1, e.g. fr); default: detected.")
@click.option("--translate", is_flag=True, help="Translate the speech into English text.")
@click.option("--srt", "fmt", flag_value="srt", help="Write SubRip subtitles (to -o, else stdout).")
@click.option("--vtt", "fmt", flag_value="vtt", help="Write WebVTT subtitles (to -o, else stdout).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "verbose_json", "srt", "vtt"]),
              help="Output format (default text).")
@click.option("--words", is_flag=True, help="With --json: word timestamps.")
@click.option("--prompt", help="Earlier text or spellings to bias Whisper towards.")
@click.option("--expect", "lm_text", help="Text the audio is expected to say: restricts recognition to its words.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the transcript here.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def transcribe(file: Path, model: str | None, language: str | None, translate: bool, fmt: str | None, words: bool,
               prompt: str | None, lm_text: str | None, output: Path | None, as_json: bool) -> None:
    """Transcribe the speech in FILE (WAV, FLAC, OGG or MP3) to text, or subtitles.

    \b
    genloom transcribe talk.wav
    genloom transcribe talk.mp3 --srt -o talk.srt
    genloom transcribe interview.ogg --translate --vtt
    """
    from genloom import api

    params: dict[str, Any] = {"lm_text": lm_text, "language": language, "prompt": prompt,
                              "task": "translate" if translate else None, "format": fmt,
                              "word_timestamps": words or None}
    params = {k: v for k, v in params.items() if v is not None}
    with _progress("Transcribing", enabled=not as_json) as progress:
        result = api.create("transcript", str(file), model=model, params=params, output=output, progress=progress)
    if as_json:
        echo_json(result.to_dict())
    elif output is not None:
        click.echo(str(output))
    elif fmt:
        click.echo(result.meta["rendered"], nl=False)
    else:
        click.echo(result.text)
