"""Tool (function) calling on top of JSON-schema constrained decoding, for any backend.

The tools are described to the model in the widely trained "Hermes" layout
(Qwen2.5, Hermes, many fine-tunes): signatures inside ``<tools></tools>`` in the
system message, calls written as ``<tool_call>{"name": ..., "arguments": ...}</tool_call>``,
results handed back inside ``<tool_response></tool_response>``. A reply is made
in two phases (:func:`reply_with_tools`):

1. **Decide** (``tool_choice: "auto"`` only): the model answers freely. If its
   reply starts like a tool call (``<tool_call>``, ``{"name"``, a list of those,
   or any of them in a Markdown ``json`` fence: :func:`draft_kind`), that draft is
   dropped after a few tokens; otherwise it *is* the answer and streams as it
   comes.
2. **Call**: the same conversation is decoded again under the JSON schema
   :meth:`ToolPlan.schema` builds from the offered functions' own parameter
   schemas, so the arguments always parse and validate. With prefix caching the
   second pass re-reads nothing but the last turn.

``tool_choice: "required"`` or a named function go straight to phase 2;
``"none"`` never calls. ``parallel_tool_calls=False`` caps a reply at one call.
Only ``supports_schema`` is needed from the backend: nothing here is model-specific.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from genloom.errors import InvalidInput

Mode = Literal["auto", "required"]
MAX_PARALLEL = 8
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# How a draft reply that is really a tool call begins, once whitespace and a ```json fence are set aside.
# Any tag opening with "<tool" counts: small models slip into "<tools>" or "<tool>" for "<tool_call>".
CALL_STARTS = ("<tool", "<function", '{"name"', '[{"name"')
_SPACE = re.compile(r"\s+")


def draft_kind(head: str) -> Literal["call", "answer", "undecided"]:
    """Whether a draft reply beginning with ``head`` is a tool call, an answer, or too short to tell.

    Models write calls bare, in Hermes tags, or in a Markdown ``json`` fence
    (code models especially), with any whitespace inside the braces.
    """
    h = _SPACE.sub("", head)
    if h.startswith("```json"):
        h = h[len("```json"):]
    elif "```json".startswith(h):
        return "undecided"
    elif h.startswith("```"):
        h = h[3:]
    if any(h.startswith(s) for s in CALL_STARTS):
        return "call"
    if any(s.startswith(h) for s in CALL_STARTS):
        return "undecided"
    return "answer"


@dataclass(frozen=True)
class Function:
    name: str
    description: str
    parameters: dict[str, Any]

    def openai(self) -> dict[str, Any]:
        return {"type": "function", "function": {"name": self.name, "description": self.description,
                                                 "parameters": self.parameters}}


@dataclass
class ToolCall:
    name: str
    arguments: str  # a JSON object, as OpenAI sends it
    id: str = field(default_factory=lambda: f"call_{uuid.uuid4().hex[:24]}")

    def to_openai(self) -> dict[str, Any]:
        return {"id": self.id, "type": "function", "function": {"name": self.name, "arguments": self.arguments}}


def _parameters(schema: Any, name: str) -> dict[str, Any]:
    if schema is None:
        return {"type": "object", "properties": {}}
    if not isinstance(schema, dict) or schema.get("type", "object") != "object":
        raise InvalidInput(f"Function {name!r}: parameters must be a JSON schema of type object",
                           param="tools", hint='e.g. {"type": "object", "properties": {"city": {"type": "string"}}}')
    return {"type": "object", **schema}


def parse_functions(tools: list[dict[str, Any]]) -> list[Function]:
    """OpenAI ``tools`` entries to :class:`Function`s; a bad entry is an ``InvalidInput`` naming it."""
    out: list[Function] = []
    for i, tool in enumerate(tools):
        if not isinstance(tool, dict) or tool.get("type", "function") != "function":
            raise InvalidInput(f"tools[{i}]: only type 'function' is supported", param=f"tools[{i}].type")
        fn = tool.get("function") or {}
        name = fn.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise InvalidInput(f"tools[{i}].function.name must be 1-64 letters, digits, _ or -, got {name!r}",
                               param=f"tools[{i}].function.name")
        if any(f.name == name for f in out):
            raise InvalidInput(f"Two tools are named {name!r}", param="tools")
        out.append(Function(name, str(fn.get("description") or ""), _parameters(fn.get("parameters"), name)))
    return out


@dataclass
class ToolPlan:
    """Which functions the model may call now, and how."""

    functions: list[Function]  # every declared tool (described to the model)
    callable: list[Function]  # those this reply may call (one, for a named tool_choice)
    mode: Mode
    parallel: bool = True

    def schema(self) -> dict[str, Any]:
        """The JSON schema phase 2 decodes under: a list of calls (one call when not parallel)."""
        calls = [{"type": "object", "properties": {"name": {"const": f.name}, "arguments": f.parameters},
                  "required": ["name", "arguments"], "additionalProperties": False} for f in self.callable]
        one = calls[0] if len(calls) == 1 else {"anyOf": calls}
        if not self.parallel:
            return one
        return {"type": "array", "items": one, "minItems": 1, "maxItems": MAX_PARALLEL}

    def instructions(self) -> str:
        """The system-message text describing the tools, in the Hermes layout."""
        listed = "\n".join(json.dumps(f.openai(), ensure_ascii=False) for f in self.functions)
        text = ("# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
                "You are provided with function signatures within <tools></tools> XML tags:\n"
                f"<tools>\n{listed}\n</tools>\n\n"
                "For each function call, return a json object with function name and arguments within "
                "<tool_call></tool_call> XML tags:\n<tool_call>\n"
                '{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call>')
        if self.mode == "auto":
            text += ("\n\nCall a function whenever the user asks for something a function provides (live data, "
                     "actions, exact results) and its result is not in the conversation yet; never make up what a "
                     "function would return. Once the results are in the conversation, answer the user in plain "
                     "words. If no function fits, just answer.")
        return text


def plan_tools(tools: list[dict[str, Any]] | None, tool_choice: Any = None,
               parallel_tool_calls: bool | None = None) -> ToolPlan | None:
    """The tool plan for a request, or None when the reply is plain text (no tools, or ``"none"``)."""
    if tool_choice is not None and not tools and tool_choice != "none":
        raise InvalidInput("tool_choice needs tools", param="tool_choice", hint="send tools, or drop tool_choice")
    if not tools:
        return None
    functions = parse_functions(tools)
    parallel = True if parallel_tool_calls is None else bool(parallel_tool_calls)
    if tool_choice in (None, "auto"):
        return ToolPlan(functions, functions, "auto", parallel)
    if tool_choice == "none":
        return None
    if tool_choice == "required":
        return ToolPlan(functions, functions, "required", parallel)
    if isinstance(tool_choice, dict) and tool_choice.get("type") == "function":
        name = (tool_choice.get("function") or {}).get("name")
        chosen = [f for f in functions if f.name == name]
        if not chosen:
            raise InvalidInput(f"tool_choice names {name!r}, which is not in tools", param="tool_choice.function.name",
                               hint=f"one of {', '.join(f.name for f in functions)}")
        return ToolPlan(functions, chosen, "required", parallel)
    raise InvalidInput(f"tool_choice must be 'auto', 'none', 'required' or a named function, got {tool_choice!r}",
                       param="tool_choice")


# -- the conversation, as the model sees it ------------------------------------------------

def _call_text(call: dict[str, Any]) -> str:
    fn = call.get("function") or {}
    raw = fn.get("arguments") or "{}"
    try:
        args = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        args = raw
    body = json.dumps({"name": fn.get("name"), "arguments": args}, ensure_ascii=False)
    return f"<tool_call>\n{body}\n</tool_call>"


def render_messages(messages: list[dict[str, Any]], plan: ToolPlan | None) -> list[dict[str, str]]:
    """OpenAI messages (with ``tool_calls`` and ``role: "tool"``) as plain system/user/assistant turns.

    ``messages`` are dicts with ``role``, ``content`` (text), and optionally
    ``tool_calls``, ``tool_call_id`` and ``name``. Consecutive tool results share
    one user turn, each in its ``<tool_response>`` block, as Hermes-trained models expect.
    """
    names: dict[str, str] = {}
    out: list[dict[str, str]] = []
    results = False  # the last turn is a user turn made of tool results
    for m in messages:
        role, content = m["role"], m.get("content") or ""
        if role == "assistant" and m.get("tool_calls"):
            for c in m["tool_calls"]:
                names[c.get("id", "")] = (c.get("function") or {}).get("name", "")
            calls = "\n".join(_call_text(c) for c in m["tool_calls"])
            out.append({"role": "assistant", "content": f"{content}\n{calls}".strip()})
            results = False
        elif role in ("tool", "function"):
            name = m.get("name") or names.get(m.get("tool_call_id") or "", "")
            body = json.dumps({"name": name, "content": content}, ensure_ascii=False) if name else content
            block = f"<tool_response>\n{body}\n</tool_response>"
            if results:
                out[-1]["content"] += "\n" + block
            else:
                out.append({"role": "user", "content": block})
            results = True
        else:
            out.append({"role": role, "content": content})
            results = False
    if plan is not None:
        guide = plan.instructions()
        if out and out[0]["role"] == "system":
            out[0] = {"role": "system", "content": f"{out[0]['content']}\n\n{guide}"}
        else:
            out.insert(0, {"role": "system", "content": guide})
    return out


# -- reading the model --------------------------------------------------------------------------

def parse_calls(text: str, plan: ToolPlan) -> list[ToolCall] | None:
    """Phase 2's JSON as calls; None when it is not valid (cut off by max_tokens)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None
    items = data if isinstance(data, list) else [data]
    allowed = {f.name for f in plan.callable}
    calls = [ToolCall(c["name"], json.dumps(c.get("arguments", {}), ensure_ascii=False))
             for c in items if isinstance(c, dict) and c.get("name") in allowed]
    return calls or None


class Draft:
    """Phase 1: tells an answer from the start of a tool call, holding back only what could be either.

    ``feed(piece)`` returns the answer text now certain; :attr:`calling` turns True
    once the draft starts like a tool call (the caller then stops it).
    """

    def __init__(self) -> None:
        self.raw = ""
        self.sent = 0
        self.calling = False
        self.answering = False

    def feed(self, piece: str) -> str:
        self.raw += piece
        if not self.answering and not self.calling:
            kind = draft_kind(self.raw)
            if kind == "call":
                self.calling = True
                return ""
            if kind == "undecided":
                return ""  # still could be either: wait for more
            self.answering = True
        if self.calling:
            return ""
        text, self.sent = self.raw[self.sent:], len(self.raw)
        return text

    def rest(self) -> str:
        """What is still held back when the draft ends (a short reply that looked like a tag's start)."""
        if self.calling:
            return ""
        text, self.sent = self.raw[self.sent:], len(self.raw)
        return text


# Events of one reply: ("text", str), ("calls", [ToolCall]), ("finish", reason, response-or-None)
Event = tuple[Any, ...]


def reply_with_tools(chat: Callable[..., Any], turns: list[dict[str, str]], plan: ToolPlan,
                     options: dict[str, Any]) -> Iterator[Event]:
    """One assistant reply that may call tools; ``chat(messages=, **options)`` returns a Response.

    Yields ``("text", piece)`` while an answer streams, ``("calls", calls)`` once
    the calls are decoded, then ``("finish", finish_reason, responses)`` where
    responses are the recorded generations (for usage and provenance).
    """
    if plan.mode == "auto":
        draft = Draft()
        resp = chat(messages=turns, **options)
        pieces = iter(resp)
        try:
            for piece in pieces:
                text = draft.feed(piece)
                if text:
                    yield ("text", text)
                if draft.calling:
                    break
        finally:
            if draft.calling:
                pieces.close()  # abandoned: the engine stops, nothing is recorded
        if not draft.calling:
            tail = draft.rest()
            if tail:
                yield ("text", tail)
            yield ("finish", resp.finish_reason or "stop", [resp])
            return
    resp = chat(messages=turns, **{**options, "json_schema": plan.schema()})
    text = resp.text()
    calls = parse_calls(text, plan)
    if calls is None:  # cut off mid-JSON (max_tokens): hand back what there is
        yield ("text", text)
        yield ("finish", "length", [resp])
        return
    yield ("calls", calls)
    yield ("finish", "tool_calls", [resp])
