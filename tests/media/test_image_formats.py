"""Issue 13, images: sizes and named formats, variations, words on the picture, relevance, SVG, honesty."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from genloom.api import create
from genloom.errors import InvalidInput
from genloom.image import formats
from genloom.image.request import ImageRequest
from genloom.image.typeset import contrast, region_stats

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("name", "size"), [
    ("instagram-post", (1080, 1080)), ("instagram-story", (1080, 1920)), ("link-banner", (1200, 628)),
    ("youtube-thumbnail", (1280, 720)), ("favicon", (64, 64)), ("app-icon", (1024, 1024)),
    ("a4-poster", (1240, 1754)), ("letter-poster", (1275, 1650)), ("slide", (1920, 1080)),
    ("twitter-post", (1600, 900)), ("facebook-cover", (820, 312)),
    ("Instagram story", (1080, 1920)), ("YouTube thumbnail", (1280, 720)), ("16:9", (1280, 720)),
    ("9:16", (720, 1280)), ("1.91:1", (1280, 670)), ("800x600", (800, 600)),
])
def test_resolve_named_formats_aspects_and_sizes(name, size):
    assert formats.resolve(name) == size


def test_a4_and_letter_keep_their_print_aspect():
    for fid in ("a4-poster", "letter-poster"):
        f = formats.FORMATS[fid]
        pw, ph = f.print_size
        assert abs(f.width / f.height - pw / ph) < 0.002


@pytest.mark.parametrize(("params", "size"), [
    ({"width": 640, "height": 480, "format": "instagram-story"}, (640, 480)),  # exact pixels win
    ({"format": "instagram-story"}, (1080, 1920)),
    ({"aspect": "4:5"}, (1024, 1280)),
    ({"aspect": "16:9", "width": 960}, (960, 540)),
    ({"format": "youtube-thumbnail", "width": 640}, (640, 360)),
    ({"size": "instagram-post"}, (1080, 1080)),
    ({"size": "16:9"}, (1280, 720)),
])
def test_request_size_from_contract_keys(params, size):
    req = ImageRequest.from_params("a fox", params)
    assert (req.width, req.height) == size and req.size_given


@pytest.mark.parametrize(("params", "param"), [({"format": "billboard-xxl"}, "format"), ({"aspect": "wide"}, "aspect"),
                                               ({"layout": "collage"}, "layout"), ({"headline": 5}, "headline"),
                                               ({"width": 10, "height": 10}, "width")])
def test_bad_contract_values_name_the_param(params, param):
    with pytest.raises(InvalidInput) as err:
        ImageRequest.from_params("a fox", params)
    assert err.value.param == param


def test_format_sets_the_layout_and_style_may_be_a_look():
    req = ImageRequest.from_params("a fox", {"format": "youtube-thumbnail", "style": "watercolor"})
    assert req.layout == "thumbnail" and req.style == "watercolor"


@pytest.mark.parametrize(("params", "size"), [
    ({"format": "favicon"}, (64, 64)), ({"format": "facebook-cover"}, (820, 312)),
    ({"aspect": "9:16", "width": 360}, (360, 640)), ({"width": 500, "height": 300}, (500, 300)),
])
def test_images_come_out_at_the_asked_size(params, size, outdir):
    result = create("image", "a poster for a bakery", params={**params, "seed": 1}, output=outdir / "a.png")
    assert Image.open(result.paths[0]).size == size


def test_prompt_named_format_sets_the_size_without_a_spec():
    from genloom.image import generate

    img = generate("an Instagram story for a flower shop", seed=2)[0]
    assert Image.open(img.paths[0]).size == (1080, 1920)
    assert img.meta["layout"] == "story"


def test_n_gives_distinct_variations(outdir):
    result = create("image", "a logo for a coffee shop", params={"n": 3, "seed": 4, "width": 360, "height": 360},
                    output=outdir / "logo.png")
    arrays = [np.asarray(Image.open(p).convert("RGB"), dtype=np.int16) for p in result.paths]
    assert len(arrays) == 3
    for i in range(3):
        for j in range(i + 1, 3):
            assert np.abs(arrays[i] - arrays[j]).mean() > 6, (i, j)
    infos = result.meta["images"]
    # The layout variant moves (and the palette, among those that suit the subject): not a shifted copy.
    assert len({x["variant"] for x in infos}) == 3


# --- words on the picture -----------------------------------------------------------------------

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs Debian tesseract-ocr")


def ocr(path: Path, wanted: list[str]) -> str:
    """Words tesseract reads in the picture. Big display type and light-on-colour buttons read best
    smaller and inverted, as a person squints: views are tried until every wanted word is found."""
    from PIL import ImageOps

    gray = Image.open(path).convert("L")
    half = gray.resize((gray.width // 2, gray.height // 2), Image.Resampling.LANCZOS)
    seen = ""
    # The last view keeps only the lightest pixels, as dark ink: white or yellow letters on colour.
    views = [half, ImageOps.invert(half), *(half.point(lambda v, t=t: 0 if v > t else 255) for t in (205, 248)),
             half.point(lambda v: 0 if v < 70 else 255), gray]
    for i, img in enumerate(views):
        tmp = path.with_suffix(f".ocr{i}.png")
        img.save(tmp)
        out = subprocess.run(["tesseract", str(tmp), "-", "--psm", "11"], capture_output=True, text=True,
                             check=True)
        seen = " ".join((seen + " " + out.stdout).upper().split())
        if all(w in seen for w in wanted):
            break
    return seen


@needs_tesseract
@pytest.mark.parametrize(("prompt", "params"), [
    ("a poster for a bakery", {"format": "instagram-post", "headline": "Fresh Bread Daily",
                               "subline": "Open every morning", "cta": "Order now"}),
    ("a banner for a bicycle repair shop", {"format": "link-banner", "headline": "Bike Fix Fast"}),
    ("a youtube thumbnail about learning guitar", {"format": "youtube-thumbnail", "headline": "Guitar in 7 days"}),
    ("a logo for a coffee shop", {"layout": "logo", "headline": "Bean There", "width": 800, "height": 800}),
    ("an instagram story for a flower shop", {"format": "instagram-story", "headline": "Spring Bouquets",
                                             "cta": "Shop now"}),
    ("a poster for a jazz night", {"aspect": "4:5", "width": 900}),  # implied words: from the prompt
])
def test_ocr_finds_the_words(prompt, params, outdir):
    for seed in (0, 1, 2):  # every layout variant
        result = create("image", prompt, params={**params, "seed": seed}, output=outdir / f"w{seed}.png")
        phrases = [params.get("headline", "Jazz Night"), params.get("subline", ""), params.get("cta", "")]
        words = [w for phrase in phrases for w in phrase.upper().split()]
        text = ocr(result.paths[0], words)
        for word in words:
            assert word in text, (seed, word, text)


def _text_sprites(prompt: str, params: dict, seed: int):
    from genloom.image.composer import ComposerModel
    from genloom.models.registry import get_registry

    engine: ComposerModel = get_registry().load("genloom-composer")
    request = ImageRequest.from_params(prompt, {**params, "seed": seed})
    plan, scene = engine.scene(request, seed)
    return scene, [s for s in scene.sprites if s.role == "text"]


@pytest.mark.parametrize("fmt", ["instagram-post", "instagram-story", "link-banner", "youtube-thumbnail", "slide",
                                 "facebook-cover", "logo", "a4-poster"])
def test_text_is_never_clipped_and_always_readable(fmt):
    long = "The Grand Reopening Of Our Neighbourhood Bakery And Coffee House Extravaganza"
    for seed in (0, 1, 2):
        scene, texts = _text_sprites("a poster for a bakery", {"format": fmt, "headline": long,
                                                              "subline": "Free samples all weekend long",
                                                              "cta": "Visit us"}, seed)
        assert texts, fmt
        under = scene.background
        w, h = scene.size
        for sp in texts:
            x0, y0 = sp.center[0] - sp.image.width / 2, sp.center[1] - sp.image.height / 2
            assert x0 >= 0 and y0 >= 0 and x0 + sp.image.width <= w and y0 + sp.image.height <= h, (fmt, seed)
            block = sp.vector["block"]
            ground = block.plate if block.plate is not None and block.plate_alpha > 150 else None
            if block.outline is not None:
                ground = block.outline
            if ground is None:
                ground, _ = region_stats(under, sp.vector["box"])
            assert contrast(block.color, ground) >= 4.5, (fmt, seed, block.color, ground)
        heads = [sp.vector["block"] for sp in texts if sp.vector["block"].kind == "headline"]
        assert " ".join(w for b in heads[:1] for line in b.lines for w in line.split()).lower() == long.lower()


def test_headline_is_large():
    _, texts = _text_sprites("a poster for a jazz night", {"format": "instagram-post", "headline": "Jazz Night"}, 0)
    head = texts[0].vector["block"]
    assert head.size >= 1080 * 0.07


# --- relevance ----------------------------------------------------------------------------------


def test_relevance_set_meets_its_goals(capsys):
    spec = importlib.util.spec_from_file_location("image_relevance", ROOT / "bench" / "image_relevance.py")
    bench = importlib.util.module_from_spec(spec)
    sys.modules["image_relevance"] = bench  # dataclasses look their module up by name
    spec.loader.exec_module(bench)
    bench.main(seeds=(0,))
    line = capsys.readouterr().out
    subject = float(line.split("subject precision ")[1].split()[0])
    placed = float(line.split("placed-art precision ")[1].split()[0])
    assert subject >= 0.9 and placed >= 0.8, line


# --- honesty, SVG ----------------------------------------------------------------------------------


def test_photo_request_says_it_is_an_illustration(outdir):
    result = create("image", "a photo of a lighthouse at dawn", params={"seed": 1, "size": "256x256"})
    notes = " ".join(result.meta["notes"])
    assert "illustration" in notes and "genloom pull sd-turbo" in notes
    plain = create("image", "a lighthouse at dawn", params={"seed": 1, "size": "256x256"})
    assert plain.meta["notes"] == []


def test_svg_output_is_editable_and_labelled(outdir):
    from genloom.image.svg import read_svg_label

    result = create("image", "a poster for a bakery", params={"seed": 3, "format": "instagram-post",
                                                               "headline": "Fresh Bread", "cta": "Order now"},
                    output=outdir / "poster.svg")
    path = result.paths[0]
    assert path.name == "poster.svg"
    root = ET.parse(path).getroot()
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert root.get("width") == "1080" and root.get("height") == "1080"
    texts = " ".join(t.text or "" for t in root.iterfind(".//s:text", ns))
    assert "FRESH BREAD" in texts.upper() and "Order now" in texts
    art = root.find(".//s:g[@id='art']", ns)
    assert art is not None and len(art.findall("s:g", ns)) >= 2  # subject and accents as vector groups
    assert art.find(".//s:path", ns) is not None
    label = read_svg_label(path)
    assert label["ai_generated"] and label["model"] == "genloom-composer"
    assert any(a["license"] == "CC-BY-SA-4.0" for a in label["attribution"])
    assert "AI-generated" in root.find("s:desc", ns).text


def test_svg_needs_a_vector_model(outdir, tiny_sd_dir):
    with pytest.raises(InvalidInput) as err:
        create("image", "a fox", model=str(tiny_sd_dir), params={"size": "64x64", "steps": 1},
               output=outdir / "x.svg")
    assert err.value.param == "output"
