"""Recipes (YAML data, user-extensible) and the plan/run/recipe/explain CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from genloom.brain.recipes import list_recipes, load_recipe, plan_recipe, user_dir
from genloom.cli import cli
from genloom.errors import InvalidInput, NotFound


def test_builtin_recipes() -> None:
    names = {r.name for r in list_recipes()}
    assert {"launch-kit", "illustrated-story", "blog-post", "podcast-intro"} <= names
    kit = load_recipe("launch-kit")
    assert set(kit.deliverables) == {"text", "image", "speech", "music", "video"}
    assert {s.kind for s in kit.steps} == {"text", "image", "speech", "music", "video"}


def test_plan_recipe_fills_values_and_validates(fake_model) -> None:
    p = plan_recipe("launch-kit", {"topic": "the Aurora lamp", "seconds": "10"})
    assert p.recipe == "launch-kit" and p.topic == "the Aurora lamp"
    headline = p.step("headline")
    assert "the Aurora lamp" in headline.prompt and "{topic}" not in headline.prompt
    assert "{headline}" in p.step("voiceover_script").prompt  # filled at run time from the headline step
    assert "10-second" in p.step("promo_video").instruction
    with pytest.raises(InvalidInput, match="topic"):
        plan_recipe("launch-kit", {})
    with pytest.raises(InvalidInput, match="colour"):
        plan_recipe("launch-kit", {"topic": "x", "colour": "red"})
    with pytest.raises(NotFound, match="did you mean"):
        load_recipe("launch-kits")


def test_user_recipes_are_loaded_and_checked() -> None:
    d = user_dir()
    d.mkdir(parents=True, exist_ok=True)
    (d / "haiku-card.yaml").write_text(
        "title: Haiku card\ninputs:\n  topic: {required: true}\ndeliverables: [text, image]\nsteps:\n"
        "  - {id: poem, kind: text, task: haiku, instruction: 'A haiku about {topic}'}\n"
        "  - {id: card, kind: image, task: card, instruction: 'A card for the haiku', inputs: [poem]}\n")
    (d / "broken.yaml").write_text("steps: [")
    assert "haiku-card" in {r.name for r in list_recipes()}  # the broken file does not hide the others
    p = plan_recipe("haiku-card", {"topic": "snow"})
    assert p.steps[0].instruction == "A haiku about snow" and p.steps[1].inputs == ["poem"]
    with pytest.raises(InvalidInput, match="broken.yaml"):
        load_recipe("broken")
    (d / "loop.yaml").write_text(
        "title: Loop\ndeliverables: [text]\nsteps:\n  - {id: a, kind: text, task: a, instruction: x, inputs: [b]}\n")
    with pytest.raises(InvalidInput, match="valid plan"):
        plan_recipe("loop", {})


def test_cli_plan_json(fake_model) -> None:
    out = CliRunner().invoke(cli, ["plan", "write the SVG for an icon of a rocket", "--json", "--no-llm"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["deliverables"] == ["code"] and data["steps"][0]["kind"] == "code"


def test_cli_explain(fake_model) -> None:
    out = CliRunner().invoke(cli, ["explain", "ChatGPT, write me a logo for my bakery"])
    assert out.exit_code == 0, out.output
    assert "Deliverables: image" in out.output and "text model cannot make image" in out.output
    out = CliRunner().invoke(cli, ["explain", "describe a logo for my bakery", "--json"])
    data = json.loads(out.output)
    assert data["deliverables"] == ["text"] and any("logo" in n for n in data["notes"])


def test_cli_run_and_default_command(fake_model, fake_runners, tmp_path: Path) -> None:
    fake_model.enqueue("A tiny poem about tea.")
    out = CliRunner().invoke(cli, ["run", "write a poem about tea and read it aloud", "-o", str(tmp_path / "o"),
                                   "--no-llm"])
    assert out.exit_code == 0, out.output
    assert "A tiny poem about tea." in out.output and "--tree" in out.output
    names = sorted(p.name for p in (tmp_path / "o").iterdir())
    assert names[0].endswith(".md") and names[1].endswith(".wav")
    # Plain `genloom "REQUEST"` is `genloom run "REQUEST"`.
    fake_model.enqueue("Another poem.")
    out = CliRunner().invoke(cli, ["write a poem about coffee", "--no-llm", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output[out.output.index("{"):])
    assert data["steps"][0]["text"] == "Another poem."
    run_id = data["run_id"]
    tree = CliRunner().invoke(cli, ["log", "show", run_id, "--tree"])
    assert tree.exit_code == 0 and run_id in tree.output and "text/chat" in tree.output


def test_cli_recipe_commands(fake_model, fake_runners, tmp_path: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(cli, ["recipe", "list"])
    assert out.exit_code == 0 and "launch-kit" in out.output
    out = runner.invoke(cli, ["recipe", "show", "podcast-intro"])
    assert out.exit_code == 0 and "welcome" in out.output
    out = runner.invoke(cli, ["recipe", "run", "podcast-intro", "--set", "topic=Tea Time", "--no-llm"])
    assert out.exit_code == 0, out.output
    assert "✓ welcome" in out.output and "· jingle" in out.output and "made for welcome" in out.output
    out = runner.invoke(cli, ["recipe", "run", "podcast-intro", "--set", "oops"])
    assert out.exit_code == 1 and "key=value" in out.output
    out = runner.invoke(cli, ["recipe", "run", "nope"])
    assert out.exit_code == 1 and "Unknown recipe" in out.output
