"""End-to-end tests on the real embedded GGUF models, on each installed llama.cpp runtime."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from genloom.backends.embedded import SMOLLM2, target_path
from genloom.backends.gguf_runtime import RUNTIMES, installed
from genloom.cli import cli
from genloom.errors import ContextOverflow, CorruptWeights
from genloom.models.registry import add_user_model
from genloom.store.db import get_store
from genloom.text.api import chat, generate

pytestmark = pytest.mark.e2e
TINY = "smollm2-135m"
AVAILABLE = [r for r in RUNTIMES if installed(r)]


@pytest.fixture(autouse=True, params=RUNTIMES)
def runtime(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test runs on xllamacpp and on llama-cpp-python, where installed."""
    if request.param not in AVAILABLE:
        pytest.skip(f"{request.param} is not installed")
    monkeypatch.setenv("GENLOOM_LLAMA_RUNTIME", request.param)
    return request.param


def test_chat_streams_pieces_and_records_usage():
    response = chat("Say hello.", model=TINY, max_tokens=16, seed=1)
    pieces = list(response)
    assert len(pieces) > 1 and "".join(pieces).strip()
    assert response.prompt_tokens and response.prompt_tokens > 3
    assert 1 <= response.completion_tokens <= 17
    row = get_store().generation(response.generation_id)
    assert row["output"] == "".join(pieces) and row["model_id"] == TINY
    assert row["ttft_ms"] > 0 and row["duration_ms"] >= row["ttft_ms"]


def test_same_seed_same_text_different_seed_differs():
    texts = [chat("Write a sentence about the sea.", model=TINY, max_tokens=24, seed=s, temperature=1.0).text()
             for s in (7, 7, 8)]
    assert texts[0] == texts[1]
    assert texts[0] != texts[2]


def test_reproducible_mode_evaluates_every_prompt_afresh(monkeypatch: pytest.MonkeyPatch, runtime: str):
    from genloom.backends import gguf_runtime

    monkeypatch.setenv("GENLOOM_REPRODUCIBLE", "on")
    model = gguf_runtime.factory(SMOLLM2)
    try:
        assert model.reproducible is True
        batches: list[int] = []
        if runtime == "llama-cpp-python":  # it would resume from the previous prompt's cached prefix
            evaluate = model.llm.eval
            monkeypatch.setattr(model.llm, "eval", lambda tokens: (batches.append(len(tokens)), evaluate(tokens))[1])
        prompt = "Describe the harbour at dawn. " * 8
        texts = [chat(prompt, model=model, max_tokens=16, seed=5, temperature=0.8).text() for _ in range(2)]
        assert texts[0] == texts[1]
        if runtime == "llama-cpp-python":
            assert len([n for n in batches if n > 1]) == 2  # the whole prompt, twice
    finally:
        model.close()


def test_stop_sequence_and_max_tokens():
    response = generate("1, 2, 3, 4, 5,", model=TINY, max_tokens=8, temperature=0, stop=["9"])
    text = response.text()
    assert "9" not in text and response.completion_tokens <= 8


def test_json_schema_is_enforced():
    schema = {"type": "object", "properties": {"colour": {"type": "string"}, "count": {"type": "integer"}},
              "required": ["colour", "count"]}
    text = chat("Give a colour and a count as JSON.", model=TINY, json_schema=schema, max_tokens=60, seed=3).text()
    data = json.loads(text)
    assert isinstance(data["colour"], str) and isinstance(data["count"], int)


def test_context_overflow_is_caught_before_generation():
    with pytest.raises(ContextOverflow, match="context window"):
        list(chat("word " * 9000, model=TINY))
    assert get_store().generations() == []


def test_truncated_gguf_gives_clear_error(tmp_path: Path):
    src = target_path(SMOLLM2)
    bad = tmp_path / "truncated.gguf"
    with open(src, "rb") as fh:
        bad.write_bytes(fh.read(2_000_000))
    add_user_model(bad, model_id="truncated")
    result = CliRunner().invoke(cli, ["text", "-m", "truncated", "hi"])
    assert result.exit_code == 1
    assert "truncated or corrupted" in result.output and len(result.output.strip().splitlines()) == 1
    assert get_store().generations() == []


def test_not_a_gguf_file(tmp_path: Path):
    bad = tmp_path / "fake.gguf"
    bad.write_bytes(b"NOPE" + b"\x00" * 100)
    add_user_model(bad, model_id="fake-gguf")
    from genloom.models.registry import get_registry

    with pytest.raises(CorruptWeights, match="not a GGUF file"):
        get_registry().load("fake-gguf")


def test_user_gguf_by_path_generates(tmp_path: Path):
    copy = tmp_path / "my-smol.gguf"
    shutil.copy(target_path(SMOLLM2), copy)
    card = add_user_model(copy)
    response = chat("Hi", model=card.id, max_tokens=8, seed=1)
    assert response.text()
    row = get_store().generation(response.generation_id)
    # Provenance carries the weights' sha256, computed once and cached.
    from genloom.store.files import sha256_file

    assert row["model_sha256"] == sha256_file(copy)


def test_cli_text_on_tiny_model():
    result = CliRunner().invoke(cli, ["text", "-m", TINY, "Name a fruit.", "--max-tokens", "10", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["model"] == TINY


@pytest.mark.slow
def test_default_model_writes_working_code(tmp_path: Path, runtime: str):
    """The default 1.5B model, end to end: code that actually runs."""
    if runtime != AVAILABLE[0]:
        pytest.skip("the 1.5B model runs once, on the default runtime")
    out = tmp_path / "fib.py"
    result = CliRunner().invoke(cli, ["code", "A Python function fib(n) returning the n-th Fibonacci number "
                                      "(fib(0)=0, fib(1)=1). Only the function.", "-o", str(out),
                                      "--seed", "1", "--max-tokens", "200"])
    assert result.exit_code == 0, result.output
    namespace: dict = {}
    exec(compile(out.read_text(), str(out), "exec"), namespace)
    assert namespace["fib"](10) == 55
    row = get_store().generations(limit=1)[0]
    assert row["model_id"] == "qwen2.5-coder-1.5b"
    assert row["model_sha256"] == "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
