"""Recipes: named, reusable workflows declared as YAML data, not code.

Built-in recipes ship beside this module (``*.yaml``); users add or override
them in ``$GENLOOM_HOME/recipes/*.yaml`` (same format, same name wins).
A recipe declares its inputs (``{name}`` placeholders, with defaults) and its
steps in the plan format; ``{STEP_ID}`` placeholders are filled at run time
with that step's output. See docs/brain.md.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from genloom.brain.graph import OutputKind, Plan, Step
from genloom.errors import InvalidInput, NotFound

BUILTIN_DIR = Path(__file__).parent


class RecipeInput(BaseModel):
    description: str = ""
    required: bool = False
    default: str | None = None


class RecipeStep(BaseModel):
    id: str
    kind: OutputKind
    task: str
    instruction: str
    inputs: list[str] = Field(default_factory=lambda: ["request"])
    prompt: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    model: str | None = None
    deliverable: bool = True


class Recipe(BaseModel):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,40}$")
    title: str
    description: str = ""
    match: str | None = None
    inputs: dict[str, RecipeInput] = Field(default_factory=dict)
    deliverables: list[OutputKind]
    steps: list[RecipeStep] = Field(min_length=1)
    source: str = ""

    def main_input(self) -> str | None:
        return next((k for k, v in self.inputs.items() if v.required), next(iter(self.inputs), None))


def user_dir() -> Path:
    from genloom.config import home

    return home() / "recipes"


# Parsed recipe files by path, valid while the file's mtime and size are unchanged: understanding
# checks every recipe's match pattern on each request, and parsing YAML costs ~20 ms a file.
_PARSED: dict[Path, tuple[tuple[float, int], Recipe]] = {}


def _read(path: Path) -> Recipe:
    try:
        st = path.stat()
    except OSError as exc:
        raise InvalidInput(f"Recipe file {path} cannot be read: {exc}", hint="check the path") from None
    stamp = (st.st_mtime, st.st_size)
    cached = _PARSED.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    recipe = _parse(path)
    _PARSED[path] = (stamp, recipe)
    return recipe


def _parse(path: Path) -> Recipe:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InvalidInput(f"Recipe file {path} cannot be read: {exc}", hint="fix the YAML syntax") from None
    if not isinstance(data, dict):
        raise InvalidInput(f"Recipe file {path} is not a mapping", hint="see docs/brain.md for the format")
    data.setdefault("name", path.stem)
    try:
        recipe = Recipe.model_validate({**data, "source": str(path)})
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise InvalidInput(f"Recipe file {path}: {where}: {err['msg']}", hint="see docs/brain.md for the format") \
            from None
    if recipe.match:
        try:
            re.compile(recipe.match)
        except re.error as exc:
            raise InvalidInput(f"Recipe file {path}: invalid match pattern: {exc}") from None
    return recipe


def _all(strict: bool = False) -> dict[str, Recipe]:
    found: dict[str, Recipe] = {}
    dirs = [BUILTIN_DIR, user_dir()]
    for d in dirs:
        for path in sorted(d.glob("*.yaml")) + sorted(d.glob("*.yml")):
            try:
                recipe = _read(path)
            except InvalidInput:
                if strict:
                    raise
                continue  # a broken user file must not hide the others; `recipe show` reports it
            found[recipe.name] = recipe
    return found


def list_recipes() -> list[Recipe]:
    return sorted(_all().values(), key=lambda r: r.name)


def load_recipe(name: str) -> Recipe:
    recipes = _all()
    if name in recipes:
        return recipes[name]
    for d in (user_dir(), BUILTIN_DIR):  # surface the parse error of a broken file of that name
        for ext in (".yaml", ".yml"):
            if (d / f"{name}{ext}").exists():
                return _read(d / f"{name}{ext}")
    import difflib

    close = difflib.get_close_matches(name, list(recipes), n=3, cutoff=0.4)
    raise NotFound(f"Unknown recipe {name!r}", param="name",
                   hint=f"did you mean {', '.join(close)}?" if close else "see 'genloom recipe list'")


def _fill(text: str, values: dict[str, str]) -> str:
    return re.sub(r"\{([A-Za-z][\w-]*)\}", lambda m: values.get(m.group(1), m.group(0)), text)


def _fill_params(params: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    """Recipe inputs in string params ("{seconds}" -> 15.0); ``{STEP_ID}`` placeholders stay for the executor."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, str):
            value = _fill(value, values)
            try:
                value = float(value) if key == "seconds" else value
            except ValueError:
                raise InvalidInput(f"Recipe param {key!r} must be a number of seconds, got {value!r}",
                                   param=key) from None
        out[key] = value
    return out


def plan_recipe(name: str, values: dict[str, Any], *, request: str | None = None) -> Plan:
    """The plan of recipe ``name`` with its ``{input}`` placeholders filled from ``values``."""
    from genloom.brain.planner import choose_model

    recipe = load_recipe(name)
    unknown = sorted(set(values) - set(recipe.inputs))
    if unknown:
        raise InvalidInput(f"Recipe {name!r} has no input {unknown[0]!r}", param=unknown[0],
                           hint=f"its inputs: {', '.join(recipe.inputs) or 'none'}")
    filled: dict[str, str] = {}
    for key, spec in recipe.inputs.items():
        value = values.get(key, spec.default)
        if value is None or not str(value).strip():
            if spec.required:
                raise InvalidInput(f"Recipe {name!r} needs a value for {key!r} ({spec.description})", param=key,
                                   hint=f"pass --set {key}=...")
            value = ""
        filled[key] = str(value).strip()
    steps = []
    for rs in recipe.steps:
        model, reason = (rs.model, f"model {rs.model} chosen by the recipe") if rs.model else choose_model(rs.kind)
        steps.append(Step(
            id=rs.id, kind=rs.kind, task=rs.task, instruction=_fill(rs.instruction, filled), model=model,
            reason=f"recipe {recipe.name!r} step; {reason}", inputs=rs.inputs, params=_fill_params(rs.params, filled),
            prompt=_fill(rs.prompt, filled) if rs.prompt else None, prompt_by="template" if rs.prompt else None,
            deliverable=rs.deliverable,
        ))
    main = recipe.main_input()
    topic = filled.get(main, "") if main else ""
    try:
        return Plan(request=request or f"{recipe.title}: {topic}".strip(": "), deliverables=recipe.deliverables,
                    steps=steps, topic=topic, recipe=recipe.name, routed_by="recipe", planned_by="recipe")
    except ValidationError as exc:
        raise InvalidInput(f"Recipe {name!r} does not form a valid plan: {exc.errors()[0]['msg']}") from None
