from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from genloom.cli import cli
from genloom.store.db import get_store


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


def test_text_streams_and_logs(run, fake_model):
    fake_model.enqueue("Hello there friend")
    result = run("text", "Say hi", "--seed", "5")
    assert result.exit_code == 0
    assert result.output.strip() == "Hello there friend"
    (row,) = get_store().generations()
    assert row["prompt"] == "Say hi" and row["model_id"] == "fake" and row["seed"] == 5
    assert row["output"] == "Hello there friend" and row["model_sha256"] == "0" * 64
    assert row["completion_tokens"] == 3


def test_text_reads_stdin_with_system_prompt(run, fake_model):
    fake_model.enqueue("summary")
    result = run("text", "-s", "Summarize", input="long document text")
    assert result.exit_code == 0
    messages, _ = fake_model.history[-1]
    assert messages[0].role == "system" and messages[0].content == "Summarize"
    assert messages[-1].content == "long document text"


def test_text_few_shot_examples_go_before_prompt(run, fake_model):
    run("text", "--example", "cat", "chat", "--example", "dog", "chien", "bird")
    messages, _ = fake_model.history[-1]
    assert [m.role for m in messages] == ["user", "assistant", "user", "assistant", "user"]
    assert messages[1].content == "chat" and messages[-1].content == "bird"


def test_text_json_output(run, fake_model):
    fake_model.enqueue("forty two")
    result = run("text", "answer?", "--json", "--temperature", "0.1", "--max-tokens", "20", "--stop", "###")
    data = json.loads(result.output)
    assert data["text"] == "forty two" and data["usage"]["completion_tokens"] == 2
    _, params = fake_model.history[-1]
    assert params.temperature == 0.1 and params.max_tokens == 20 and params.stop == ["###"]


def test_raw_completion(run, fake_model):
    fake_model.enqueue("continued")
    run("text", "--raw", "Once upon a time")
    prompt, _ = fake_model.history[-1]
    assert prompt == "Once upon a time"


def test_no_log_records_nothing(run, fake_model):
    run("text", "hi", "--no-log")
    assert get_store().generations() == []


def test_code_separates_code_from_prose(run, fake_model, tmp_path):
    reply = "Here you go:\n```python\ndef f():\n    return 1\n```\nIt returns one."
    fake_model.enqueue(reply, reply, reply)
    data = json.loads(run("code", "a function", "--json").output)
    assert data["language"] == "python"
    assert data["code"] == "def f():\n    return 1\n"
    assert "returns one" in data["prose"] and "def f" not in data["prose"]
    assert run("code", "a function", "-x").output == "def f():\n    return 1\n"
    out = tmp_path / "f.py"
    result = run("code", "a function", "-o", str(out))
    assert out.read_text() == "def f():\n    return 1\n"
    assert "returns one" in result.output
    assert get_store().generations(limit=1)[0]["task"] == "code"


@pytest.mark.parametrize(
    "args,field",
    [
        (["summarize", "some text", "--length", "one sentence"], "one sentence"),
        (["translate", "--to", "French", "good morning"], "French"),
        (["rewrite", "--tone", "formal", "hey u"], "formal"),
    ],
)
def test_tasks_put_their_fields_in_the_prompt(run, fake_model, args, field):
    result = run(*args)
    assert result.exit_code == 0
    messages, _ = fake_model.history[-1]
    assert field in messages[-1].content
    assert get_store().generations(limit=1)[0]["task"] == args[0]


def test_answer_with_context_file(run, fake_model, tmp_path):
    ctx = tmp_path / "faq.txt"
    ctx.write_text("The office opens at 9.")
    run("answer", "--context", str(ctx), "When does the office open?")
    messages, _ = fake_model.history[-1]
    assert "The office opens at 9." in messages[-1].content


def test_chat_session_keeps_history(run, fake_model):
    fake_model.enqueue("first answer", "second answer")
    result = run("chat", input="hello\nand then?\nexit\n")
    assert "first answer" in result.output and "second answer" in result.output
    messages, _ = fake_model.history[-1]
    assert [m.content for m in messages] == ["hello", "first answer", "and then?"]
    rows = get_store().generations()
    assert len(rows) == 2 and rows[0]["run_id"] == rows[1]["run_id"]


def test_log_list_and_show(run, fake_model):
    fake_model.enqueue("logged output")
    run("text", "remember me")
    data = json.loads(run("log", "--json").output)
    assert data[0]["prompt"] == "remember me"
    shown = run("log", "show", data[0]["id"])
    assert "logged output" in shown.output and "remember me" in shown.output
    assert json.loads(run("log", "show", data[0]["id"], "--json").output)["output"] == "logged output"
    assert "remember me" in run("log").output


def test_models_list_json_and_table(run):
    data = json.loads(run("models", "--json").output)
    ids = {m["id"] for m in data}
    assert {"qwen2.5-coder-1.5b", "smollm2-135m"} <= ids
    for m in data:
        assert {"id", "kind", "tasks", "backend", "size_bytes", "license", "source", "installed"} <= set(m)
    assert "smollm2-135m" in CliRunner().invoke(cli, ["models"], env={"COLUMNS": "200"}).output
    text_only = json.loads(run("models", "--json", "--kind", "embedding").output)
    assert [m["id"] for m in text_only] == ["minilm-l6"]


def test_models_add_show_remove(run, tmp_path):
    gguf = tmp_path / "tiny-coder.gguf"
    gguf.write_bytes(b"GGUF\x03\x00\x00\x00" + b"\x00" * 64)
    assert run("models", "add", str(gguf)).exit_code == 0
    assert json.loads(run("models", "show", "tiny-coder", "--json").output)["kind"] == "code"
    assert run("models", "remove", "tiny-coder").exit_code == 0


# -- errors: one line, non-zero exit, nothing recorded ------------------------

def _err(args, input=None):
    result = CliRunner().invoke(cli, args, input=input)
    assert result.exit_code != 0, result.output
    lines = [line for line in result.output.strip().splitlines() if line]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert get_store().generations() == []
    return lines[0]


def test_error_unknown_model(fake_model):
    assert "Unknown model 'nope'" in _err(["text", "-m", "nope", "hi"])


def test_error_empty_prompt(fake_model):
    assert "prompt is empty" in _err(["text", ""], input="")
    assert "prompt is empty" in _err(["text", "   "], input="")


def test_error_invalid_parameters(fake_model):
    assert "temperature" in _err(["text", "hi", "--temperature", "9"])
    assert "max_tokens" in _err(["text", "hi", "--max-tokens", "0"])
    assert "top_p" in _err(["text", "hi", "--top-p", "0"])
    assert "threads" in _err(["text", "hi", "--threads", "0"])


def test_error_context_overflow(fake_model):
    assert "context window" in _err(["text", "word " * 5000])


def test_error_translate_needs_language(fake_model):
    assert "--to" in CliRunner().invoke(cli, ["translate", "hi"]).output


def test_error_missing_context_file(fake_model, tmp_path):
    assert "Cannot read context file" in _err(["answer", "--context", str(tmp_path / "none.txt"), "q"])


def test_error_unwritable_code_output(fake_model, tmp_path):
    assert "does not exist" in _err(["code", "x", "-o", str(tmp_path / "no" / "dir" / "f.py")])


def test_error_models_add_bad_path(tmp_path):
    assert "No such file" in _err(["models", "add", str(tmp_path / "missing.gguf")])


def test_error_unknown_log_id():
    assert "No generation" in _err(["log", "show", "gen_doesnotexist"])


def test_error_models_bad_kind():
    assert "Unknown kind" in _err(["models", "--kind", "smell"])
