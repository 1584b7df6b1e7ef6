"""The embedded composer: planning, rendering, labels, provenance and bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from genloom.api import create
from genloom.errors import EmptyPrompt, InvalidInput
from genloom.image import generate
from genloom.image.label import read_png_label
from genloom.image.plan import plan_scene, split_style
from genloom.image.request import parse_size


def pixels(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"), dtype=np.int16)


@pytest.mark.parametrize(("value", "expected"), [("512x512", (512, 512)), ("768x512", (768, 512)),
                                                 (256, (256, 256)), ((300, 900), (300, 900)), ("1024", (1024, 1024))])
def test_parse_size(value, expected):
    assert parse_size(value) == expected


@pytest.mark.parametrize("value", ["0x0", "100000x100000", "512x0", "big", "12x", -5, "15x512"])
def test_parse_size_rejects(value):
    with pytest.raises(InvalidInput) as err:
        parse_size(value)
    assert err.value.param == "size"


@pytest.mark.parametrize(("prompt", "style", "rest"), [
    ("a poster for a jazz night", "poster", "a jazz night"),
    ("a sticker of a sleepy panda", "sticker", "a sleepy panda"),
    ("An icon for a meditation app", "icon", "a meditation app"),
    ("a red fox in pixel art style", "pixel", "a red fox"),
    ("a lighthouse at dusk", None, "a lighthouse at dusk"),
])
def test_split_style(prompt, style, rest):
    assert split_style(prompt) == (style, rest)


@pytest.mark.parametrize(("prompt", "style", "subjects", "headline"), [
    ("a poster for a jazz night", "poster", {"saxophone", "trumpet", "musical notes"}, "Jazz Night"),
    ("a sticker of a sleepy panda", "sticker", {"panda"}, None),
    ("a banner for a hiking channel", "banner", {"hiking boot", "mountain", "person climbing"}, "Hiking"),
    ("an icon for a meditation app", "icon", {"lotus", "person in lotus position"}, None),
])
def test_plan_is_on_topic(prompt, style, subjects, headline):
    for seed in (0, 1, 2):
        plan = plan_scene(prompt, seed=seed)
        assert plan.style == style
        assert plan.subject.name in subjects, plan.subject.name
        assert plan.headline == headline
        assert all(c["license"] == "CC-BY-SA-4.0" for c in plan.credits)


def test_quoted_text_becomes_headline():
    plan = plan_scene('a poster for a bake sale saying "Cookies Friday"', seed=0)
    assert plan.headline == "Cookies Friday"


def test_same_seed_same_image_other_seed_differs():
    a = generate("a poster for a jazz night", seed=11)[0]
    b = generate("a poster for a jazz night", seed=11)[0]
    c = generate("a poster for a jazz night", seed=12)[0]
    assert np.array_equal(pixels(a.paths[0]), pixels(b.paths[0]))
    diff = np.abs(pixels(a.paths[0]) - pixels(c.paths[0])).mean()
    assert diff > 8, diff


@pytest.mark.parametrize("style", ["poster", "sticker", "icon", "banner", "illustration", "pixel"])
def test_every_style_renders_a_real_picture(style):
    img = generate("a happy dog", style=style, size="320x256", seed=3)[0]
    arr = pixels(img.paths[0])
    assert arr.shape == (256, 320, 3)
    # Not blank: a composed picture has many colours and real contrast.
    assert arr.std() > 20
    colours = len(np.unique(arr.reshape(-1, 3), axis=0))
    if style == "pixel":
        assert colours <= 64
        # Pixel art is made of flat square cells.
        cell = max(3, 256 // 80)
        block = arr[cell * 20: cell * 21, cell * 20: cell * 21]
        assert (block == block[0, 0]).all()
    else:
        assert colours > 200


@pytest.mark.parametrize("size", ["256x256", "1024x1024", "900x300", "300x900"])
def test_sizes_and_aspect_ratios(size):
    w, h = parse_size(size)
    out = generate("a poster for a robot party", size=size, seed=1)[0]
    assert Image.open(out.paths[0]).size == (w, h)


def test_png_carries_ai_label_and_attribution(tmp_path):
    out = tmp_path / "panda.png"
    result = create("image", "a sticker of a sleepy panda", params={"seed": 4}, output=out)
    assert result.paths == [out] and out.exists()
    label = read_png_label(out)
    assert label["ai_generated"] is True and label["label"] == "AI-generated content"
    assert label["model"] == "genloom-composer" and label["seed"] == 4
    assert label["digital_source_type"].endswith("algorithmicMedia")
    assert any(a["name"] == "panda" and "OpenMoji" in a["attribution"] for a in label["attribution"])
    with Image.open(out) as im:
        assert "OpenMoji" in im.text["Copyright"]
        assert "DigitalSourceType" in im.text["XML:com.adobe.xmp"]


def test_generation_is_recorded_with_provenance(tmp_path):
    from genloom.store.db import get_store

    result = create("image", "an icon for a meditation app", params={"seed": 2, "n": 2}, output=tmp_path / "i.png")
    assert [p.name for p in result.paths] == ["i-1.png", "i-2.png"]
    store = get_store()
    gen = store.generation(result.generation_id)
    assert gen["kind"] == "image" and gen["model_id"] == "genloom-composer" and gen["seed"] == 2
    assets = [store.asset(a) for a in result.asset_ids]
    assert len(assets) == 2
    for asset, path in zip(assets, result.paths, strict=True):
        assert asset["meta"]["ai_generated"] is True
        assert asset["meta"]["attribution"]
        assert store.asset_path(asset).read_bytes() == path.read_bytes()
    seeds = [a["meta"]["seed"] for a in assets]
    assert seeds == [2, 3]


def test_transparent_icon_has_clear_corners():
    out = generate("an icon for a weather app", transparent=True, seed=1)[0]
    im = Image.open(out.paths[0])
    assert im.mode == "RGBA"
    assert im.getpixel((1, 1))[3] < 40
    assert im.getpixel((im.width // 2, im.height // 2))[3] == 255


@pytest.mark.parametrize(("params", "error", "param"), [
    ({"size": "0x0"}, InvalidInput, "size"),
    ({"size": "100000x100000"}, InvalidInput, "size"),
    ({"n": 1000}, InvalidInput, "n"),
    ({"n": 0}, InvalidInput, "n"),
    ({"seed": -1}, InvalidInput, "seed"),
    ({"layout": "watercolour"}, InvalidInput, "layout"),
    ({"steps": -3}, InvalidInput, "steps"),
])
def test_bad_parameters_fail_cleanly(outdir, params, error, param):
    with pytest.raises(error) as err:
        create("image", "a cat", params=params, output=outdir / "x.png")
    assert err.value.param == param
    assert list(outdir.iterdir()) == []


@pytest.mark.parametrize("prompt", ["", "   ", "x" * 50_000])
def test_bad_prompts_fail_cleanly(outdir, prompt):
    with pytest.raises(InvalidInput) as err:
        create("image", prompt, output=outdir / "x.png")
    assert err.value.param == "prompt"
    if not prompt.strip():
        assert isinstance(err.value, EmptyPrompt)
    assert list(outdir.iterdir()) == []


def test_output_must_be_png(outdir):
    with pytest.raises(InvalidInput):
        create("image", "a cat", output=outdir / "cat.jpg")
    assert list(outdir.iterdir()) == []


def test_default_image_model_is_the_composer():
    from genloom.models.registry import get_registry

    assert get_registry().default_card("image").id == "genloom-composer"


def test_headline_wraps_into_balanced_lines():
    from genloom.image.draw import _split_even, wrap_fit

    assert _split_even(["JAZZ", "NIGHT"], 2) == ["JAZZ", "NIGHT"]
    assert _split_even("SUMMER BEACH PARTY".split(), 2) == ["SUMMER", "BEACH PARTY"]
    font, lines = wrap_fit("JAZZ NIGHT", "headline", 440, 260)
    assert lines == ["JAZZ", "NIGHT"] and font.size > 90


def test_details_after_the_headline_become_the_tagline():
    plan = plan_scene("a poster for a jazz night on friday at 8pm", seed=0)
    assert plan.headline == "Jazz Night" and plan.tagline == "On friday at 8pm"
