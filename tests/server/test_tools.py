"""Tool calling on /v1/chat/completions, as the official ``openai`` SDK sees it.

A schema-capable fake model replays JSON replies to check the wire format
(ids, finish reasons, streamed deltas, follow-up tool messages); the e2e test
runs the same two-turn weather exchange on the default embedded model.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

openai = pytest.importorskip("openai")

WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Current weather in a city.",
    "parameters": {"type": "object", "properties": {
        "city": {"type": "string", "description": "City name"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}, "required": ["city"]}}}
TIME = {"type": "function", "function": {
    "name": "get_time", "description": "Current local time in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}


@pytest.fixture
def schema_model(fake_model: Any) -> Any:
    fake_model.supports_schema = True
    return fake_model


def client_for(server: Any) -> Any:
    return openai.OpenAI(base_url=f"{server.url}/v1", api_key="unused", max_retries=0, timeout=120)


def _stream_reply(stream: Any) -> tuple[str, dict[int, dict[str, str]], str | None]:
    """Accumulate a streamed reply the way agent frameworks do: content, tool calls by index, finish."""
    content, calls, finish = [], {}, None
    for chunk in stream:
        if not chunk.choices:
            continue
        choice = chunk.choices[0]
        if choice.delta.content:
            content.append(choice.delta.content)
        for tc in choice.delta.tool_calls or []:
            slot = calls.setdefault(tc.index, {"id": "", "name": "", "arguments": ""})
            slot["id"] += tc.id or ""
            if tc.function:
                slot["name"] += tc.function.name or ""
                slot["arguments"] += tc.function.arguments or ""
        finish = choice.finish_reason or finish
    return "".join(content), calls, finish


def _weather_exchange(client: Any, model: str, stream: bool) -> tuple[Any, str]:
    """Turn 1: the model calls get_weather; turn 2: given the result, it answers in words."""
    messages: list[dict[str, Any]] = [{"role": "user", "content": "What's the weather like in Paris today?"}]
    if stream:
        _, calls, finish = _stream_reply(client.chat.completions.create(
            model=model, messages=messages, tools=[WEATHER], stream=True, temperature=0))
        assert finish == "tool_calls"
        call = calls[0]
        call_id, name, arguments = call["id"], call["name"], call["arguments"]
    else:
        out = client.chat.completions.create(model=model, messages=messages, tools=[WEATHER], temperature=0)
        assert out.choices[0].finish_reason == "tool_calls"
        tc = out.choices[0].message.tool_calls[0]
        call_id, name, arguments = tc.id, tc.function.name, tc.function.arguments
    assert call_id.startswith("call_") and name == "get_weather"
    args = json.loads(arguments)
    assert "paris" in args["city"].lower()
    messages.append({"role": "assistant", "content": None, "tool_calls": [
        {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}]})
    messages.append({"role": "tool", "tool_call_id": call_id,
                     "content": json.dumps({"city": "Paris", "temperature_c": 18, "sky": "sunny"})})
    if stream:
        text, calls, finish = _stream_reply(client.chat.completions.create(
            model=model, messages=messages, tools=[WEATHER], stream=True, temperature=0))
        assert finish == "stop" and not calls
        return None, text
    out = client.chat.completions.create(model=model, messages=messages, tools=[WEATHER], temperature=0)
    assert out.choices[0].finish_reason == "stop" and not out.choices[0].message.tool_calls
    return out, out.choices[0].message.content


@pytest.mark.parametrize("stream", [False, True])
def test_two_turn_weather_exchange_with_the_sdk(live_server: Any, schema_model: Any, stream: bool) -> None:
    # Turn 1: a draft that starts like a call (dropped), then the constrained call; turn 2: words.
    schema_model.enqueue('<tool_call> {"name": "get_weather"', '[{"name": "get_weather", "arguments": {"city": "Paris"}}]',
                         "It is 18 °C and sunny in Paris.")
    _, text = _weather_exchange(client_for(live_server), "fake", stream)
    assert text == "It is 18 °C and sunny in Paris."
    (draft, p1), (call, p2), (answer, p3) = schema_model.history[-3:]
    assert p1.json_schema is None and p3.json_schema is None  # drafts and answers are free text
    assert "get_weather" in json.dumps(p2.json_schema)  # the call is decoded under the schema
    assert "<tools>" in draft[0].content and '"get_weather"' in draft[0].content
    # The second turn showed the model its own call and the tool's result.
    seen = "\n".join(m.content for m in answer)
    assert "<tool_call>" in seen and "<tool_response>" in seen and "temperature_c" in seen


def test_parallel_calls_get_distinct_ids(client: Any, schema_model: Any) -> None:
    schema_model.enqueue('[{"name": "get_weather", "arguments": {"city": "Oslo"}}, '
                         '{"name": "get_time", "arguments": {"city": "Oslo"}}]')
    r = client.post("/v1/chat/completions", json={
        "model": "fake", "messages": [{"role": "user", "content": "Weather and time in Oslo?"}],
        "tools": [WEATHER, TIME], "tool_choice": "required"})
    assert r.status_code == 200, r.text
    msg = r.json()["choices"][0]["message"]
    assert [c["function"]["name"] for c in msg["tool_calls"]] == ["get_weather", "get_time"]
    assert len({c["id"] for c in msg["tool_calls"]}) == 2 and msg["content"] is None


def test_tool_choice_shapes_the_schema(client: Any, schema_model: Any) -> None:
    def schema_for(**extra: Any) -> dict[str, Any] | None:
        if "tool_choice" not in extra:
            schema_model.enqueue('{"name": "get_ti')  # auto: the free draft, dropped once it looks like a call
        schema_model.enqueue('{"name": "get_time", "arguments": {"city": "Rome"}}')
        r = client.post("/v1/chat/completions", json={
            "model": "fake", "messages": [{"role": "user", "content": "Time in Rome?"}],
            "tools": [WEATHER, TIME], **extra})
        assert r.status_code == 200, r.text
        assert r.json()["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "get_time"
        return schema_model.history[-1][1].json_schema

    auto = schema_for()  # the draft starts with {"name": that is a call, made under the schema
    assert auto["type"] == "array" and "get_weather" in json.dumps(auto) and len(schema_model.history) == 2
    required = schema_for(tool_choice="required")
    assert required["type"] == "array" and len(schema_model.history) == 3  # no draft
    named = schema_for(tool_choice={"type": "function", "function": {"name": "get_time"}})
    assert "get_weather" not in json.dumps(named) and "get_time" in json.dumps(named)
    single = schema_for(tool_choice="required", parallel_tool_calls=False)  # one call, of either function
    assert [c["properties"]["name"] for c in single["anyOf"]] == [{"const": "get_weather"}, {"const": "get_time"}]
    schema_model.enqueue("Rome is one hour ahead of London.")
    r = client.post("/v1/chat/completions", json={
        "model": "fake", "messages": [{"role": "user", "content": "hi"}], "tools": [WEATHER]})
    msg = r.json()["choices"][0]
    assert msg["message"]["content"] == "Rome is one hour ahead of London." and msg["finish_reason"] == "stop"
    schema_model.enqueue("Plain words.")
    r = client.post("/v1/chat/completions", json={
        "model": "fake", "messages": [{"role": "user", "content": "hi"}], "tools": [WEATHER], "tool_choice": "none"})
    assert r.json()["choices"][0]["message"]["content"] == "Plain words."
    assert schema_model.history[-1][1].json_schema is None


def test_tool_errors_are_400s_naming_the_field(client: Any, schema_model: Any) -> None:
    def err(**body: Any) -> dict[str, Any]:
        r = client.post("/v1/chat/completions", json={
            "model": "fake", "messages": [{"role": "user", "content": "hi"}], **body})
        assert r.status_code == 400, r.text
        return r.json()["error"]

    assert err(tools=[WEATHER], tool_choice={"type": "function", "function": {"name": "nope"}})["param"] == \
        "tool_choice.function.name"
    assert err(tool_choice="required")["param"] == "tool_choice"
    assert err(tools=[{"type": "function", "function": {"name": "bad name!"}}])["param"] == "tools[0].function.name"
    assert err(logit_bias={"50256": -100})["param"] == "logit_bias"
    assert err(audio={"voice": "alloy", "format": "wav"}, modalities=["text", "audio"])["param"] == "audio"
    assert err(logprobs=True)["param"] == "logprobs"
    assert err(functions=[WEATHER["function"]])["param"] == "functions"
    assert err(frobnicate=1)["param"] == "frobnicate"


def test_tools_need_a_model_with_constrained_decoding(client: Any, fake_model: Any) -> None:
    r = client.post("/v1/chat/completions", json={
        "model": "fake", "messages": [{"role": "user", "content": "hi"}], "tools": [WEATHER]})
    assert r.status_code == 400 and r.json()["error"]["param"] == "tools"


def test_harmless_bookkeeping_fields_are_accepted(client: Any, fake_model: Any) -> None:
    fake_model.enqueue("ok")
    r = client.post("/v1/chat/completions", json={
        "model": "fake", "messages": [{"role": "user", "content": "hi"}], "user": "u1", "store": False,
        "metadata": {"a": "b"}, "logit_bias": {}, "logprobs": False})
    assert r.status_code == 200, r.text


@pytest.mark.e2e
@pytest.mark.parametrize("stream", [False, True])
def test_default_model_calls_the_weather_tool(live_server: Any, stream: bool) -> None:
    # The default text model (the live_server fixture makes a fake the default).
    from genloom.backends.embedded import QWEN_15B as card

    if card.installed_status() not in ("installed", "installable"):
        pytest.fail("the default text model is not installed: run 'make setup'")
    _, text = _weather_exchange(client_for(live_server), card.id, stream)
    assert "18" in text


@pytest.mark.parametrize(("head", "kind"), [
    ("", "undecided"), ("  ", "undecided"), ("<too", "undecided"), ("<tool_call>", "call"),
    ('{\n  "na', "undecided"), ('{\n  "name": "x"', "call"), ('[\n {"name"', "call"),
    ("```", "undecided"), ("```js", "undecided"), ("```json\n{\n  \"name\"", "call"), ("```\n{\"name\"", "call"),
    ("```python\nprint(1)", "answer"), ("The weather", "answer"), ('{"city": "Paris"}', "answer"),
    ("<b>bold</b>", "answer"), ('<tools>\n{"name": "get_weather"', "call"), ("<to", "undecided"),
])
def test_a_draft_is_told_apart_from_a_call(head: str, kind: str) -> None:
    from genloom.text.tools import draft_kind

    assert draft_kind(head) == kind
