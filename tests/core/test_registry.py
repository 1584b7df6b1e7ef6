from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from genloom.errors import InvalidInput, ModelNotFound
from genloom.models.card import Kind, ModelCard
from genloom.models.registry import add_user_model, get_registry, remove_user_model
from genloom.plugins import get_plugin_manager, hookimpl


def test_builtin_models_have_complete_cards():
    cards = {c.id: c for c in get_registry().cards()}
    for mid in ("qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b", "smollm2-135m", "minilm-l6"):
        card = cards[mid]
        assert card.license == "Apache-2.0"
        assert card.size_bytes and card.size_bytes > 1_000_000
        assert card.source.startswith("pypi:")
        assert card.tasks
        assert card.installed_status() in {"installed", "installable", "missing"}


def test_default_text_and_code_model_is_qwen_15b():
    registry = get_registry()
    assert registry.default_card("text").id == "qwen2.5-coder-1.5b"
    assert registry.default_card(Kind.code).id == "qwen2.5-coder-1.5b"
    assert registry.default_card("embedding").id == "minilm-l6"


def test_aliases_and_kind_names_resolve():
    registry = get_registry()
    assert registry.card("tiny").id == "smollm2-135m"
    assert registry.card("text").id == registry.default_card("text").id


def test_unknown_model_suggests_close_names():
    with pytest.raises(ModelNotFound) as err:
        get_registry().card("smollm2-13m")
    assert "smollm2-135m" in str(err.value)


def test_default_model_can_be_overridden_by_env(monkeypatch):
    monkeypatch.setenv("GENLOOM_DEFAULT_TEXT_MODEL", "smollm2-135m")
    assert get_registry().default_card("text").id == "smollm2-135m"


def test_plugin_registers_models_through_hook(monkeypatch):
    card = ModelCard(id="plugin-model", kind=Kind.music, backend="plugin-backend", license="MIT")

    class Plugin:
        @hookimpl
        def register_models(self, register):
            register(card, lambda c: "loaded!")

    get_plugin_manager().register(Plugin(), name="test-plugin")
    from genloom.models.registry import reset_registry

    reset_registry()
    registry = get_registry()
    assert registry.card("plugin-model").kind == Kind.music
    assert registry.load("plugin-model") == "loaded!"
    assert "plugin-model" in {c.id for c in registry.cards("music")}
    monkeypatch.setenv("GENLOOM_DEFAULT_MUSIC_MODEL", "plugin-model")
    assert registry.default_card("music").id == "plugin-model"


def test_entry_point_group_is_declared():
    from importlib.metadata import entry_points

    names = {ep.name: ep.value for ep in entry_points(group="genloom")}
    assert names.get("builtin") == "genloom.backends.builtin"


def test_add_gguf_by_path_persists_and_removes(tmp_path: Path):
    from genloom.backends.embedded import SMOLLM2, target_path

    gguf = tmp_path / "My-Model.Q4.gguf"
    gguf.write_bytes(target_path(SMOLLM2).read_bytes()[:4096])  # detect() only reads the header
    card = add_user_model(gguf)
    assert card.id == "my-model.q4"
    assert card.backend == "llama-cpp"
    from genloom import config

    saved = json.loads((config.home() / "models.json").read_text())
    assert saved["models"][0]["path"] == str(gguf.resolve())
    from genloom.models.registry import reset_registry

    reset_registry()
    assert get_registry().card("my-model.q4").path == str(gguf.resolve())
    remove_user_model("my-model.q4")
    with pytest.raises(ModelNotFound):
        get_registry().card("my-model.q4")


def test_add_rejects_missing_path_and_unknown_format(tmp_path: Path):
    with pytest.raises(InvalidInput, match="No such file"):
        add_user_model(tmp_path / "nope.gguf")
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    with pytest.raises(InvalidInput, match="Don't know how to load"):
        add_user_model(junk)


def test_add_cannot_shadow_builtin(tmp_path: Path):
    gguf = tmp_path / "x.gguf"
    gguf.write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + b"\x00" * 40)
    with pytest.raises(InvalidInput, match="already taken"):
        add_user_model(gguf, model_id="smollm2-135m")


def test_help_does_not_import_heavy_modules():
    code = (
        "import sys; from genloom.cli import cli\n"
        "try:\n    cli.main(['--help'], standalone_mode=False)\nexcept SystemExit: pass\n"
        "heavy = [m for m in ('numpy', 'sqlalchemy', 'rich', 'llama_cpp', 'xllamacpp', 'torch', 'pydantic') if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "HEAVY="
