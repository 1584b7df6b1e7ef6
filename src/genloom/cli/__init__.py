"""The ``genloom`` command line.

Subcommands live in their own modules and are imported only when invoked, so
``genloom --help`` stays fast. Errors become one line on stderr and exit 1;
with ``GENLOOM_DEBUG=1`` the traceback is shown instead.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

# name -> (module, attribute, one-line help shown by --help without importing)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "text": ("genloom.cli.text", "text", "Generate text from a prompt (streams)."),
    "code": ("genloom.cli.text", "code", "Generate code; the code block is kept apart from prose."),
    "chat": ("genloom.cli.text", "chat_cmd", "Interactive chat with a text model."),
    "summarize": ("genloom.cli.text", "summarize", "Summarize text (argument or stdin)."),
    "translate": ("genloom.cli.text", "translate", "Translate text into another language."),
    "rewrite": ("genloom.cli.text", "rewrite", "Rewrite text in another tone."),
    "answer": ("genloom.cli.text", "answer", "Answer a question, optionally from a context file."),
    "models": ("genloom.cli.models", "models", "List, add, install and remove models."),
    "pull": ("genloom.cli.catalog", "pull", "Download a model from the catalogue (resumable, verified)."),
    "rm": ("genloom.cli.catalog", "rm", "Delete a pulled model from the cache."),
    "log": ("genloom.cli.log", "log", "Show recorded generations and their provenance."),
    "demo": ("genloom.cli.demo", "demo", "Run the demo on the embedded default models."),
    "image": ("genloom.cli.media", "image", "Make an image (poster, sticker, icon, banner, ...) from a prompt."),
    "video": ("genloom.cli.media", "video", "Make a short MP4/GIF clip from a prompt or stills."),
    "plan": ("genloom.cli.brain", "plan", "Show the plan for a request (routing, steps, models) without running it."),
    "run": ("genloom.cli.brain", "run", "Make what a request asks for: plan, run every step, show the results."),
    "recipe": ("genloom.cli.brain", "recipe", "Named workflows (launch kit, story, ...): list, show, run."),
    "explain": ("genloom.cli.brain", "explain", "Why this tool: which generator a request goes to, and why."),
    "speak": ("genloom.cli.audio", "speak", "Speak text with an offline voice (WAV/FLAC/OGG/MP3, streaming)."),
    "compose": ("genloom.cli.audio", "compose", "Compose music (MIDI + audio) from a description."),
    "transcribe": ("genloom.cli.audio", "transcribe", "Transcribe speech in an audio file to text."),
    "sound": ("genloom.cli.sound", "sound", "Make an ambience, noise or sound effect (rain, waves, chime, ...), loopable."),
    "serve": ("genloom.cli.serve", "serve", "Serve the OpenAI-compatible API and the web studio."),
    "verify": ("genloom.cli.verify", "verify", "Check a file's AI label and whether it is the file genloom made."),
    "batch": ("genloom.cli.batch", "batch", "Generate every request in a JSONL file (resumable; --ray to scale out)."),
}

# Commands that plain ``genloom "REQUEST"`` falls through to, when present.
DEFAULT_COMMAND = "run"


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(super().list_commands(ctx)))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS:
            import importlib

            module, attr, _ = COMMANDS[name]
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None and DEFAULT_COMMAND in COMMANDS:
            return DEFAULT_COMMAND, self.get_command(ctx, DEFAULT_COMMAND), args
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in sorted(COMMANDS)]
        rows += [(n, c.get_short_help_str()) for n, c in sorted(self.commands.items()) if n not in COMMANDS]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        from genloom.errors import GenloomError

        try:
            return super().invoke(ctx)
        except GenloomError as exc:
            if os.environ.get("GENLOOM_DEBUG"):
                raise
            raise click.ClickException(str(exc)) from exc
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="genloom", message="genloom %(version)s")
def cli() -> None:
    """genloom: local-first generative AI. Text, code, images, speech, music, video.

    \b
    genloom text "Write a haiku about rain"
    cat notes.txt | genloom summarize
    genloom code "a Python function that parses ISO dates"
    genloom models
    """


def register_plugin_commands() -> None:
    # Plugins may add commands; loading them costs an import of each plugin,
    # so it only happens when a command is actually being dispatched.
    try:
        from genloom.plugins import get_plugin_manager

        get_plugin_manager().hook.register_commands(cli=cli)
    except Exception as exc:  # pragma: no cover - a broken plugin must not break the CLI
        click.echo(f"Warning: a plugin failed to register commands: {exc}", err=True)


def main() -> None:
    args = sys.argv[1:]
    if args and args[0] not in COMMANDS and not args[0].startswith("-"):
        register_plugin_commands()
    try:
        cli.main(prog_name="genloom")
    except BrokenPipeError:  # e.g. `genloom text ... | head -1`
        sys.stderr.close()
        sys.exit(0)
