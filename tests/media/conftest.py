"""Fixtures for image and video tests: a tiny real Stable Diffusion pipeline on disk."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def tiny_sd_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A StableDiffusionPipeline of real (tiny) components, saved with save_pretrained."""
    pytest.importorskip("diffusers")
    from genloom.image.testing import build_tiny_sd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build_tiny_sd(tmp_path_factory.mktemp("pipelines") / "tiny-sd")


@pytest.fixture
def outdir(tmp_path: Path) -> Path:
    """An empty directory for outputs (GENLOOM_HOME also lives under tmp_path)."""
    path = tmp_path / "out"
    path.mkdir()
    return path
