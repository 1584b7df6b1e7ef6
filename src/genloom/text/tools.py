"""Tool (function) calling on top of JSON-schema constrained decoding, for any backend.

The model never writes free text when it may call a tool: it writes one JSON
object, constrained to the schema :meth:`ToolPlan.schema` builds from the
functions' own parameter schemas, so the arguments always parse and validate::

    {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}
    {"content": "It is 18 °C and sunny in Paris."}          (tool_choice "auto" only)

``tool_choice``: ``"auto"`` allows both shapes, ``"required"`` only calls, a
named function only calls of that function, ``"none"`` no tools at all.
``parallel_tool_calls=False`` caps a reply at one call.

The conversation the model sees is plain system/user/assistant text: the
tools are described in the system message, earlier calls are shown in the
same JSON the model writes, and ``role: "tool"`` results become a user turn
naming the function they answer (:func:`render_messages`). Any backend with
``supports_schema`` can therefore call tools; nothing here is model-specific.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from genloom.errors import InvalidInput

Mode = Literal["auto", "required", "none"]
MAX_PARALLEL = 8
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class Function:
    name: str
    description: str
    parameters: dict[str, Any]

    def signature(self) -> str:
        props = self.parameters.get("properties") or {}
        required = set(self.parameters.get("required") or [])
        args = []
        for key, spec in props.items():
            kind = spec.get("type", "any") if isinstance(spec, dict) else "any"
            if isinstance(spec, dict) and spec.get("enum"):
                kind = "|".join(json.dumps(v) for v in spec["enum"])
            args.append(f"{key}{'' if key in required else '?'}: {kind}")
        return f"{self.name}({', '.join(args)})"


@dataclass
class ToolCall:
    name: str
    arguments: str  # a JSON object, as OpenAI sends it
    id: str = field(default_factory=lambda: f"call_{uuid.uuid4().hex[:24]}")

    def to_openai(self) -> dict[str, Any]:
        return {"id": self.id, "type": "function", "function": {"name": self.name, "arguments": self.arguments}}


@dataclass
class Reply:
    content: str | None
    calls: list[ToolCall]


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
        """The JSON schema the reply is decoded under."""
        calls = [{"type": "object", "properties": {"name": {"const": f.name}, "arguments": f.parameters},
                  "required": ["name", "arguments"], "additionalProperties": False} for f in self.callable]
        items = calls[0] if len(calls) == 1 else {"anyOf": calls}
        array = {"type": "array", "items": items, "minItems": 1, "maxItems": MAX_PARALLEL if self.parallel else 1}
        with_calls = {"type": "object", "properties": {"tool_calls": array}, "required": ["tool_calls"],
                      "additionalProperties": False}
        if self.mode == "required":
            return with_calls
        answer = {"type": "object", "properties": {"content": {"type": "string"}}, "required": ["content"],
                  "additionalProperties": False}
        return {"anyOf": [with_calls, answer]}

    def instructions(self) -> str:
        """The system-message text that tells the model what it may call and how to answer."""
        lines = ["You can call these functions:"]
        for f in self.functions:
            lines.append(f"- {f.signature()}: {f.description}".rstrip(": "))
            lines.append(f"  parameters: {json.dumps(f.parameters, ensure_ascii=False)}")
        names = ", ".join(f.name for f in self.callable)
        many = " (several calls in one list when the request needs several)" if self.parallel else ""
        lines.append("")
        lines.append("Reply with exactly one JSON object.")
        lines.append(f'To call functions ({names}): {{"tool_calls": [{{"name": "...", "arguments": {{...}}}}]}}{many}.')
        if self.mode == "auto":
            lines.append('To answer the user yourself: {"content": "your answer"}.')
            lines.append("Call a function when the user asks for something it provides and its result is not in the "
                         "conversation yet. When the results you need are in the conversation, or no function "
                         "fits, answer with content.")
        else:
            lines.append(f"You must call {'this function' if len(self.callable) == 1 else 'a function'} now.")
        return "\n".join(lines)


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

def _calls_json(calls: list[dict[str, Any]]) -> str:
    shown = []
    for c in calls:
        fn = c.get("function") or {}
        raw = fn.get("arguments") or "{}"
        try:
            args = json.loads(raw) if isinstance(raw, str) else raw
        except json.JSONDecodeError:
            args = raw
        shown.append({"name": fn.get("name"), "arguments": args})
    return json.dumps({"tool_calls": shown}, ensure_ascii=False)


def render_messages(messages: list[dict[str, Any]], plan: ToolPlan | None) -> list[dict[str, str]]:
    """OpenAI messages (with ``tool_calls`` and ``role: "tool"``) as plain system/user/assistant turns.

    ``messages`` are dicts with ``role``, ``content`` (text), and optionally
    ``tool_calls``, ``tool_call_id`` and ``name``.
    """
    names: dict[str, str] = {}
    out: list[dict[str, str]] = []
    for m in messages:
        role, content = m["role"], m.get("content") or ""
        if role == "assistant" and m.get("tool_calls"):
            for c in m["tool_calls"]:
                names[c.get("id", "")] = (c.get("function") or {}).get("name", "")
            out.append({"role": "assistant", "content": _calls_json(m["tool_calls"])})
        elif role == "assistant" and plan is not None:
            # Earlier answers in the same JSON shape keep the model in its format.
            out.append({"role": "assistant", "content": json.dumps({"content": content}, ensure_ascii=False)})
        elif role in ("tool", "function"):
            name = m.get("name") or names.get(m.get("tool_call_id") or "", "") or "a function"
            text = f"Result of {name}: {content}"
            if out and out[-1]["role"] == "user" and out[-1].get("_results"):
                out[-1]["content"] += "\n" + text
            else:
                out.append({"role": "user", "content": text, "_results": "1"})
        else:
            out.append({"role": role, "content": content})
    cleaned = [{"role": m["role"], "content": m["content"]} for m in out]
    if plan is not None:
        guide = plan.instructions()
        if cleaned and cleaned[0]["role"] == "system":
            cleaned[0] = {"role": "system", "content": f"{cleaned[0]['content']}\n\n{guide}"}
        else:
            cleaned.insert(0, {"role": "system", "content": guide})
    return cleaned


# -- reading the reply ------------------------------------------------------------------------

def parse_reply(text: str) -> Reply | None:
    """The model's JSON reply as content or calls; None when it is not valid (cut off by max_tokens)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("tool_calls"), list):
        calls = [ToolCall(c["name"], json.dumps(c.get("arguments", {}), ensure_ascii=False))
                 for c in data["tool_calls"] if isinstance(c, dict) and isinstance(c.get("name"), str)]
        if calls:
            return Reply(None, calls)
    if isinstance(data.get("content"), str):
        return Reply(data["content"], [])
    return None


_OPEN_CONTENT = re.compile(r'^\s*\{\s*"content"\s*:\s*"')
_FIRST_KEY = re.compile(r'^\s*\{\s*"(?P<key>[^"]*)"')


class ContentStream:
    """Streams the text of a ``{"content": "..."}`` reply as it is generated, unescaped.

    ``feed(piece)`` returns the answer text that became certain with this piece
    ('' while undecided, always '' for a tool-call reply).
    """

    def __init__(self) -> None:
        self.raw = ""
        self.kind: Literal["undecided", "content", "calls"] = "undecided"
        self._start = 0  # where the string's unread raw text begins
        self._closed = False

    def feed(self, piece: str) -> str:
        self.raw += piece
        if self.kind == "undecided":
            m = _OPEN_CONTENT.match(self.raw)
            if m:
                self.kind, self._start = "content", m.end()
            else:
                key = _FIRST_KEY.match(self.raw)
                if (key and key["key"] != "content") or self.raw.lstrip()[:1] not in ("", "{"):
                    self.kind = "calls"
        if self.kind != "content" or self._closed:
            return ""
        return self._drain()

    def _drain(self) -> str:
        raw, i, end = self.raw, self._start, self._start
        while i < len(raw):
            ch = raw[i]
            if ch == '"':
                self._closed = True
                break
            if ch == "\\":
                need = 6 if raw[i + 1:i + 2] == "u" else 2
                if i + need > len(raw):
                    break  # an escape still being written: wait for the rest
                i += need
            else:
                i += 1
            end = i
        piece = raw[self._start:end]
        self._start = end
        return json.loads(f'"{piece}"') if piece else ""
