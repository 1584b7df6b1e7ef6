"""Text and code commands: text, code, chat and the built-in tasks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from genloom.cli.common import (
    echo_json,
    ensure_model_ready,
    generation_options,
    no_label_option,
    read_input,
    sampling_kwargs,
    stream_to_stdout,
)


def _emit(response: Any, as_json: bool, extra: dict[str, Any] | None = None) -> None:
    if as_json:
        text = response.text()
        echo_json(
            {
                "id": response.generation_id,
                "model": response.model.card.id,
                "text": text,
                "finish_reason": response.finish_reason,
                "usage": response.usage(),
                "seed": response.params.seed,
                **(extra or {}),
            }
        )
    else:
        stream_to_stdout(response)


@click.command()
@click.argument("prompt", required=False)
@click.option("-s", "--system", help="System prompt.")
@click.option("--example", "examples", nargs=2, multiple=True, metavar="INPUT OUTPUT",
              help="A few-shot example pair shown to the model before the prompt (repeatable).")
@click.option("--raw", is_flag=True, help="Plain completion of the prompt, no chat template.")
@generation_options
def text(prompt: str | None, system: str | None, examples: tuple[tuple[str, str], ...], raw: bool,
         model: str | None, as_json: bool, no_log: bool, **kw: Any) -> None:
    """Generate text from PROMPT (and/or stdin), streaming tokens as they come."""
    from genloom.text.api import chat, generate

    body = read_input(prompt)
    opts = sampling_kwargs(kw)
    model_id = ensure_model_ready(model, "text")
    if raw:
        response = generate(body, model=model_id, log=not no_log, **opts)
    else:
        shots = []
        for inp, out in examples:
            shots += [{"role": "user", "content": inp}, {"role": "assistant", "content": out}]
        response = chat(body, system=system, messages=shots, model=model_id, log=not no_log, **opts)
    _emit(response, as_json)


@click.command()
@click.argument("prompt", required=False)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the code block to this file.")
@click.option("-x", "--extract", is_flag=True, help="Print only the code block, not the explanation.")
@no_label_option
@generation_options
def code(prompt: str | None, output: Path | None, extract: bool, no_label: bool, model: str | None, as_json: bool,
         no_log: bool, **kw: Any) -> None:
    """Generate code for PROMPT. The code block is returned apart from the prose.

    With -o, the file starts with a one-line "AI-generated" comment in the
    language's syntax (--no-label leaves it bare).
    """
    from genloom.text import label
    from genloom.text.tasks import run_task, split_code

    if output:
        # Fail before generating: a finished generation must not be lost to a bad path.
        _check_writable(output)
    body = read_input(prompt)
    opts = sampling_kwargs(kw)
    model_id = ensure_model_ready(model, "code")
    response = run_task("code", body, model=model_id, log=not no_log, **opts)
    if as_json or extract or output:
        result = split_code(response.text())
        if output:
            label.deliver(output, result.code, model=model_id, generation_id=response.generation_id,
                          label=not no_label)
        if as_json:
            echo_json({"id": response.generation_id, "model": model_id, "language": result.language,
                       "code": result.code, "prose": result.prose, "usage": response.usage(),
                       "seed": response.params.seed})
        elif extract:
            click.echo(result.code, nl=False)
        else:
            if result.prose:
                click.echo(result.prose)
            click.echo(f"Wrote {output}", err=True)
    else:
        stream_to_stdout(response)


def _check_writable(path: Path) -> None:
    from genloom.errors import InvalidInput

    parent = path.expanduser().resolve().parent
    if not parent.is_dir():
        raise InvalidInput(f"Cannot write {path}: directory {parent} does not exist", param="output")
    import os

    if not os.access(parent, os.W_OK):
        raise InvalidInput(f"Cannot write {path}: directory {parent} is not writable", param="output")


def _task_command(name: str, doc: str, extra_options: list[Any]) -> click.Command:
    @click.argument("text", required=False)
    @generation_options
    def command(text: str | None, model: str | None, as_json: bool, no_log: bool, **kw: Any) -> None:
        from genloom.text.tasks import run_task

        fields: dict[str, Any] = {}
        for key in ("language", "tone", "length"):
            if key in kw:
                fields[key] = kw.pop(key)
        context_file = kw.pop("context_file", None)
        if context_file is not None:
            try:
                fields["context"] = Path(context_file).read_text()
            except (OSError, UnicodeDecodeError) as exc:
                from genloom.errors import InvalidInput

                raise InvalidInput(f"Cannot read context file {context_file}: {exc}", param="context") from None
        body = read_input(text)
        opts = sampling_kwargs(kw)
        model_id = ensure_model_ready(model, "text")
        response = run_task(name, body, model=model_id, log=not no_log, **fields, **opts)
        _emit(response, as_json)

    command.__doc__ = doc
    for option in reversed(extra_options):
        command = option(command)
    return click.command(name=name)(command)


summarize = _task_command(
    "summarize", "Summarize TEXT (or stdin).",
    [click.option("--length", help="Target length, e.g. 'one sentence' or '3 bullet points'.")],
)
translate = _task_command(
    "translate", "Translate TEXT (or stdin) into another language.",
    [click.option("--to", "language", required=True, help="Target language, e.g. French.")],
)
rewrite = _task_command(
    "rewrite", "Rewrite TEXT (or stdin) in another tone.",
    [click.option("--tone", default="clear, friendly", show_default=True, help="Tone to write in.")],
)
answer = _task_command(
    "answer", "Answer the question TEXT, optionally from a context file.",
    [click.option("--context", "context_file", type=click.Path(), help="File whose content the answer must come from.")],
)


@click.command(name="chat")
@click.option("-s", "--system", help="System prompt.")
@generation_options
def chat_cmd(system: str | None, model: str | None, as_json: bool, no_log: bool, **kw: Any) -> None:
    """Interactive chat. Type 'exit' or press Ctrl-D to leave; '!reset' forgets the conversation."""
    from genloom.errors import GenloomError
    from genloom.store.db import new_id
    from genloom.text.api import chat
    from genloom.text.params import Message

    opts = sampling_kwargs(kw)
    model_id = ensure_model_ready(model, "text")
    conversation = new_id("conv_")
    history: list[Message] = []
    import sys

    interactive = sys.stdin.isatty()
    if interactive:
        click.echo(f"Chatting with {model_id}. Type 'exit' or Ctrl-D to quit, '!reset' to start over.", err=True)
    while True:
        try:
            line = click.prompt("", prompt_suffix="> ", default="", show_default=False) if interactive else input()
        except (EOFError, click.Abort):
            break
        line = line.strip()
        if not line:
            continue
        if line in ("exit", "quit"):
            break
        if line == "!reset":
            history = []
            continue
        try:
            response = chat(line, system=system, messages=history, model=model_id, log=not no_log,
                            run_id=conversation, **opts)
            stream_to_stdout(response)
        except GenloomError as exc:
            # One bad turn (e.g. too long) must not end the session.
            click.echo(f"Error: {exc}", err=True)
            continue
        history += [Message(role="user", content=line), Message(role="assistant", content=response.text())]
