"""The diffusers backend, on a tiny real Stable Diffusion pipeline saved to disk, offline."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from genloom.api import create
from genloom.errors import InvalidInput, WeightsMissing
from genloom.image.label import read_png_label

pytest.importorskip("diffusers")


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def run(tiny_sd_dir, out, **params):
    base = {"size": "64x64", "steps": 2, "seed": 5}
    return create("image", "a red fox", model=str(tiny_sd_dir), params={**base, **params}, output=out)


def test_loads_saved_pipeline_and_generates(tiny_sd_dir, outdir):
    result = run(tiny_sd_dir, outdir / "fox.png", n=2)
    assert [p.name for p in result.paths] == ["fox-1.png", "fox-2.png"]
    a, b = (np.asarray(Image.open(p)) for p in result.paths)
    assert a.shape == (64, 64, 3) and a.std() > 0
    assert not np.array_equal(a, b)  # seeds 5 and 6
    label = read_png_label(result.paths[0])
    assert label["ai_generated"] and label["model"] == "tiny-sd" and label["seed"] == 5
    assert label["digital_source_type"].endswith("/trainedAlgorithmicMedia")
    info = result.meta["images"][0]
    assert info["steps"] == 2 and info["device"] == "cpu"


def test_same_seed_same_pixels(tiny_sd_dir, outdir):
    first = run(tiny_sd_dir, outdir / "a.png")
    second = run(tiny_sd_dir, outdir / "b.png")
    assert np.array_equal(np.asarray(Image.open(first.paths[0])), np.asarray(Image.open(second.paths[0])))


def test_matches_diffusers_called_directly(tiny_sd_dir, outdir):
    import torch

    from genloom.image.testing import run_direct

    ours = run(tiny_sd_dir, outdir / "ours.png", seed=9)
    pipe = run_direct(tiny_sd_dir)
    direct = pipe("a red fox", width=64, height=64, num_inference_steps=2, guidance_scale=7.5,
                  generator=[torch.Generator("cpu").manual_seed(9)]).images[0]
    diff = np.abs(np.asarray(Image.open(ours.paths[0]), dtype=np.int16) - np.asarray(direct, dtype=np.int16))
    assert diff.max() <= 1


def test_scheduler_choice(tiny_sd_dir, outdir):
    result = run(tiny_sd_dir, outdir / "d.png", scheduler="ddim", negative_prompt="blurry", guidance=3.0)
    assert result.meta["images"][0]["scheduler"] == "DDIMScheduler"
    with pytest.raises(InvalidInput) as err:
        run(tiny_sd_dir, outdir / "e.png", scheduler="warp-drive")
    assert err.value.param == "scheduler"
    assert not (outdir / "e.png").exists()


@pytest.mark.parametrize(("params", "size"), [({"size": "100x64"}, (100, 64)), ({"size": "64x68"}, (64, 68)),
                                             ({"aspect": "16:9", "width": 96}, (96, 54)),
                                             ({"format": "favicon"}, (64, 64))])
def test_any_asked_size_comes_out_exact(tiny_sd_dir, outdir, params, size):
    # Sizes off the model's 8-pixel grid are drawn on it and resized, never refused.
    base = {"steps": 1, "seed": 5, **params}
    result = create("image", "a red fox", model=str(tiny_sd_dir), params=base, output=outdir / "x.png")
    assert Image.open(result.paths[0]).size == size


def test_models_add_detects_pipeline(tiny_sd_dir):
    from genloom.models.registry import add_user_model, get_registry

    card = add_user_model(tiny_sd_dir, model_id="tiny")
    assert card.kind.value == "image" and card.backend == "diffusers"
    assert card.options["class"] == "StableDiffusionPipeline"
    assert get_registry().card("tiny").is_installed()
    result = create("image", "a fox", model="tiny", params={"size": "64x64", "steps": 1, "seed": 1})
    assert result.model_id == "tiny" and result.paths[0].exists()


def test_missing_dir(outdir):
    with pytest.raises(WeightsMissing) as err:
        create("image", "a fox", model=str(outdir / "nope"), output=outdir / "x.png")
    assert "does not exist" in str(err.value)
    assert list(outdir.iterdir()) == []


def test_dir_that_is_not_a_pipeline(outdir, tmp_path):
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "config.json").write_text("{}")
    with pytest.raises(InvalidInput) as err:
        create("image", "a fox", model=str(junk), output=outdir / "x.png")
    assert "not a diffusers pipeline" in str(err.value)
    from genloom.models.registry import add_user_model

    with pytest.raises(InvalidInput):
        add_user_model(junk)


def test_corrupt_model_index(outdir, tmp_path):
    from genloom.errors import CorruptWeights

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "model_index.json").write_text("{not json")
    with pytest.raises(CorruptWeights):
        create("image", "a fox", model=str(bad), output=outdir / "x.png")


def test_hub_id_offline_is_a_clear_error(outdir):
    with pytest.raises(WeightsMissing) as err:
        create("image", "a fox", model="nobody-xyz/not-a-real-pipeline", output=outdir / "x.png")
    assert "hub" in str(err.value)
    assert list(outdir.iterdir()) == []


def test_hub_cards_are_listed_but_not_default():
    from genloom.models.registry import get_registry

    reg = get_registry()
    assert reg.card("sd-turbo").backend == "diffusers"
    assert reg.card("stabilityai/sd-turbo").id == "sd-turbo"
    assert reg.default_card("image").id == "genloom-composer"
