"""Built-in text tasks: a system prompt and a user template each.

Prompts are short and explicit: small models follow one clear instruction
far better than a long list of rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from genloom.errors import InvalidInput
from genloom.models.card import Kind
from genloom.text.api import Response, chat


@dataclass(frozen=True)
class Task:
    name: str
    kind: Kind
    system: str
    template: str
    description: str
    temperature: float = 0.7


TASKS: dict[str, Task] = {
    t.name: t
    for t in [
        Task("chat", Kind.text, "You are a helpful assistant.", "{text}", "Free conversation."),
        Task(
            "summarize",
            Kind.text,
            "You summarize texts faithfully and concisely. Keep key facts, names and numbers. No preamble.",
            "Summarize the following text{length}.\n\n{text}",
            "Summarize a text.",
            0.3,
        ),
        Task(
            "translate",
            Kind.text,
            "You are a professional translator. Output only the translation, nothing else.",
            "Translate the following text into {language}.\n\n{text}",
            "Translate into a target language.",
            0.2,
        ),
        Task(
            "rewrite",
            Kind.text,
            "You are an editor. Rewrite texts in the requested tone, keeping their meaning. Output only the rewritten text.",
            "Rewrite the following text in a {tone} tone.\n\n{text}",
            "Rewrite in a given tone.",
            0.7,
        ),
        Task(
            "answer",
            Kind.text,
            "You answer questions accurately and briefly. If context is given, answer from it; if the answer is not there, say so.",
            "{context}Question: {text}",
            "Answer a question, optionally from a context.",
            0.3,
        ),
        Task(
            "code",
            Kind.code,
            "You are an expert programmer. Reply with one complete, runnable code block in a fenced ```language block, then at most two sentences of explanation.",
            "{text}",
            "Write code; the code block is returned apart from the prose.",
            0.2,
        ),
    ]
}


def run_task(name: str, text: str, *, model: str | None = None, **kwargs: Any) -> Response:
    task = TASKS.get(name)
    if task is None:
        raise InvalidInput(f"Unknown task {name!r}", hint=f"one of {', '.join(TASKS)}", param="task")
    fields = {"language": "", "tone": "", "context": "", "length": ""}
    for key in list(fields):
        if key in kwargs:
            value = kwargs.pop(key)
            fields[key] = value or ""
    if name == "translate" and not fields["language"]:
        raise InvalidInput("translate needs a target language", hint="pass --to LANGUAGE", param="language")
    if name == "rewrite" and not fields["tone"]:
        fields["tone"] = "clear, friendly"
    if fields["context"]:
        fields["context"] = f"Context:\n{fields['context']}\n\n"
    if fields["length"]:
        fields["length"] = f" in {fields['length']}"
    if not text or not text.strip():
        from genloom.errors import EmptyPrompt

        raise EmptyPrompt(f"Nothing to {name}: the text is empty", hint="pass text or pipe it on stdin", param="prompt")
    system = kwargs.pop("system", None) or task.system
    kwargs.setdefault("temperature", task.temperature)
    return chat(
        task.template.format(text=text, **fields),
        system=system,
        model=model,
        task=name,
        kind=task.kind,
        **kwargs,
    )


_FENCE = re.compile(r"```([\w+#.-]*)[ \t]*\n(.*?)(?:```|\Z)", re.S)


@dataclass
class CodeResult:
    code: str
    language: str
    prose: str


def split_code(text: str) -> CodeResult:
    """Separate the first fenced code block from the surrounding prose."""
    match = _FENCE.search(text)
    if not match:
        return CodeResult(code=text.strip(), language="", prose="")
    prose = (text[: match.start()] + text[match.end():]).strip()
    return CodeResult(code=match.group(2).rstrip() + "\n", language=match.group(1).lower(), prose=prose)
