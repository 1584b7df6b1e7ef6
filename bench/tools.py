"""How often the default model calls the right function with valid arguments.

    .venv/bin/python bench/tools.py [--model qwen2.5-coder-1.5b] [--limit N] [--only WORDS] [--json]

Sends 36 varied tool requests (weather, time, currency, e-mail, calendar,
maths, translation, timers, stocks, web search; terse, chatty, indirect and
non-English phrasings) through the official ``openai`` SDK to the genloom app,
all ten tools offered each time, ``tool_choice`` auto. Prints:

* right function: the model called the expected function (goal >= 90 %);
* valid arguments: every call's arguments parse and validate against the
  function's JSON schema (100 % by construction: constrained decoding);
* right values: the arguments hold the expected values (city, amount, ...);
* baseline: a model that always calls the most frequent function.

Plus the abstentions: 4 requests that need no tool should be answered in words.
Greedy decoding, so a rerun gives the same figures on the same machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from typing import Any


def fn(name: str, description: str, props: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name, "description": description, "parameters": {
        "type": "object", "properties": props, "required": required}}}


S = {"type": "string"}
N = {"type": "number"}
TOOLS = [
    fn("get_weather", "Current weather and forecast for a city.",
       {"city": S, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}, ["city"]),
    fn("get_time", "Current local time in a city or time zone.", {"city": S}, ["city"]),
    fn("convert_currency", "Convert an amount of money from one currency to another (ISO codes like USD, EUR).",
       {"amount": N, "from_currency": S, "to_currency": S}, ["amount", "from_currency", "to_currency"]),
    fn("send_email", "Send an e-mail.", {"to": S, "subject": S, "body": S}, ["to", "subject", "body"]),
    fn("create_event", "Add an event to the user's calendar.",
       {"title": S, "date": {"type": "string", "description": "YYYY-MM-DD or a day name"}, "time": S},
       ["title", "date"]),
    fn("calculate", "Evaluate an arithmetic expression exactly.", {"expression": S}, ["expression"]),
    fn("translate", "Translate text into another language.", {"text": S, "target_language": S},
       ["text", "target_language"]),
    fn("set_timer", "Start a countdown timer.", {"minutes": N, "label": S}, ["minutes"]),
    fn("get_stock_price", "Latest price of a stock by ticker symbol.", {"symbol": S}, ["symbol"]),
    fn("search_web", "Search the web for recent information.", {"query": S}, ["query"]),
]

# (request, expected function, {argument: substring or number it must hold})
CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("What's the weather in Paris right now?", "get_weather", {"city": "paris"}),
    ("Is it going to rain in Tokyo today?", "get_weather", {"city": "tokyo"}),
    ("weather berlin fahrenheit", "get_weather", {"city": "berlin", "unit": "fahrenheit"}),
    ("I'm flying to Lisbon tomorrow, should I pack a jacket? Check the forecast.", "get_weather", {"city": "lisbon"}),
    ("Quel temps fait-il à Montréal ?", "get_weather", {"city": "montr"}),
    ("What time is it in Sydney?", "get_time", {"city": "sydney"}),
    ("My sister lives in Nairobi, is it too late to call her now?", "get_time", {"city": "nairobi"}),
    ("current time new york", "get_time", {"city": "new york"}),
    ("How much is 250 US dollars in euros?", "convert_currency",
     {"amount": 250, "from_currency": "usd", "to_currency": "eur"}),
    ("Convert 1200 JPY to GBP", "convert_currency", {"amount": 1200, "from_currency": "jpy", "to_currency": "gbp"}),
    ("I have 80 Swiss francs left, what's that in US dollars?", "convert_currency",
     {"amount": 80, "from_currency": "chf", "to_currency": "usd"}),
    ("Email bob@example.com that the meeting moved to 3pm, subject 'Meeting moved'.", "send_email",
     {"to": "bob@example.com"}),
    ("Send a note to anna@corp.io thanking her for the report.", "send_email", {"to": "anna@corp.io"}),
    ("Write to team@startup.dev: subject Launch, body We ship on Friday.", "send_email", {"to": "team@startup.dev"}),
    ("Put 'dentist appointment' in my calendar for 2025-03-14 at 10:30.", "create_event",
     {"title": "dentist", "date": "2025-03-14"}),
    ("Schedule a team lunch on Friday at noon.", "create_event", {"title": "lunch", "date": "friday"}),
    ("Remind me of mum's birthday party on 2025-06-01 by adding it to the calendar.", "create_event",
     {"date": "2025-06-01"}),
    ("What is 1234 * 5678?", "calculate", {"expression": "1234"}),
    ("Compute (17 + 25) / 6 exactly.", "calculate", {"expression": "17"}),
    ("what's 15% of 240", "calculate", {"expression": "240"}),
    ("Translate 'good morning, how are you?' into Spanish.", "translate", {"target_language": "span"}),
    ("How do you say 'thank you very much' in Japanese?", "translate", {"target_language": "japan"}),
    ("Put this into German: The train leaves at eight.", "translate", {"text": "train", "target_language": "germ"}),
    ("Set a timer for 10 minutes.", "set_timer", {"minutes": 10}),
    ("Start a 25 minute pomodoro timer called focus.", "set_timer", {"minutes": 25}),
    ("Time my eggs, 7 minutes please.", "set_timer", {"minutes": 7}),
    ("What's Apple's stock price? Ticker AAPL.", "get_stock_price", {"symbol": "aapl"}),
    ("How is MSFT trading today?", "get_stock_price", {"symbol": "msft"}),
    ("price of NVDA shares", "get_stock_price", {"symbol": "nvda"}),
    ("Search the web for the latest Python release notes.", "search_web", {"query": "python"}),
    ("Who won the most recent Tour de France? Look it up online.", "search_web", {"query": "tour de france"}),
    ("Find recent news about the James Webb telescope.", "search_web", {"query": "webb"}),
    ("Wie spät ist es in Berlin?", "get_time", {"city": "berlin"}),
    ("Convert 99.5 euros to Canadian dollars.", "convert_currency",
     {"amount": 99.5, "from_currency": "eur", "to_currency": "cad"}),
    ("Is it sunny in Cape Town? Use celsius.", "get_weather", {"city": "cape town", "unit": "celsius"}),
    ("Set a timer: 3 minutes for the tea.", "set_timer", {"minutes": 3}),
]
NO_TOOL = [
    "Hi! How are you today?",
    "Write a haiku about autumn leaves.",
    "What does the word 'ephemeral' mean?",
    "Thanks, that's all I needed.",
]


def value_ok(actual: Any, expected: Any) -> bool:
    if isinstance(expected, (int, float)):
        try:
            return abs(float(actual) - float(expected)) < 1e-6
        except (TypeError, ValueError):
            return False
    return str(expected).lower() in str(actual).lower()


def client_for(app: Any) -> Any:
    import openai
    from fastapi.testclient import TestClient

    http = TestClient(app, base_url="http://genloom.test/v1")
    http.__enter__()
    return openai.OpenAI(base_url="http://genloom.test/v1", api_key="unused", http_client=http, max_retries=0,
                         timeout=600)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="qwen2.5-coder-1.5b", help="model id (default: the default text model)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N tool requests (quick check)")
    ap.add_argument("--only", action="append", default=[], metavar="WORDS",
                    help="only the tool requests containing WORDS (repeatable; re-check misses quickly)")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = ap.parse_args()

    import jsonschema

    from genloom.server.app import create_app
    from genloom.server.settings import Settings

    client = client_for(create_app(Settings.from_env()))
    schemas = {t["function"]["name"]: t["function"]["parameters"] for t in TOOLS}
    cases = CASES[: args.limit] if args.limit else CASES
    if args.only:
        cases = [c for c in cases if any(w.lower() in c[0].lower() for w in args.only)]
    right = valid = values = 0
    misses: list[str] = []
    started = time.perf_counter()
    for text, expected, want in cases:
        out = client.chat.completions.create(model=args.model, messages=[{"role": "user", "content": text}],
                                             tools=TOOLS, temperature=0, seed=1, max_tokens=200)
        calls = out.choices[0].message.tool_calls or []
        ok_args = bool(calls)
        for c in calls:
            try:
                jsonschema.validate(json.loads(c.function.arguments), schemas[c.function.name])
            except (json.JSONDecodeError, jsonschema.ValidationError, KeyError):
                ok_args = False
        called = calls[0].function.name if calls else None
        hit = called == expected
        right += hit
        valid += ok_args
        got = json.loads(calls[0].function.arguments) if calls else {}
        good_values = hit and all(value_ok(got.get(k), v) for k, v in want.items())
        values += good_values
        what = f"{called}({calls[0].function.arguments})" if calls else repr(out.choices[0].message.content)[:80]
        if not (hit and good_values):
            misses.append(f"  {text!r}: expected {expected}, got {what}")
        if not args.json:
            print(f"  {'ok ' if hit else 'MISS'} {text[:50]!r} -> {what[:90]}", flush=True)
    abstained = 0
    for text in [] if args.only else NO_TOOL:
        out = client.chat.completions.create(model=args.model, messages=[{"role": "user", "content": text}],
                                             tools=TOOLS, temperature=0, seed=1, max_tokens=120)
        if not out.choices[0].message.tool_calls:
            abstained += 1
        else:
            misses.append(f"  {text!r}: expected words, got {out.choices[0].message.tool_calls[0].function.name}")
    seconds = time.perf_counter() - started
    n = len(cases)
    baseline = Counter(e for _, e, _ in cases).most_common(1)[0][1]
    n_words = 0 if args.only else len(NO_TOOL)
    figures = {"model": args.model, "requests": n, "right_function": right / n, "valid_arguments": valid / n,
               "right_values": values / n, "baseline_most_frequent": baseline / n,
               "no_tool_answered_in_words": f"{abstained}/{n_words}", "seconds": round(seconds, 1)}
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"{args.model}: {n} tool requests, 10 tools offered, tool_choice auto, greedy")
        print(f"  right function:   {right}/{n} = {right / n:.0%}  (goal >= 90 %; always-the-commonest baseline "
              f"{baseline / n:.0%}, ratio {right / baseline:.1f}x)")
        print(f"  valid arguments:  {valid}/{n} = {valid / n:.0%}  (by construction)")
        print(f"  right values:     {values}/{n} = {values / n:.0%}")
        print(f"  no-tool requests answered in words: {abstained}/{n_words}")
        print(f"  {seconds:.0f} s in all")
        if misses:
            print("misses:")
            print("\n".join(misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
