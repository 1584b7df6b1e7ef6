"""The capture/replay path without Ray: what a worker packs, the driver records identically."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import ray_fakes

from genloom.distributed.capture import Scratch, call_captured, import_packed
from genloom.errors import InvalidInput
from genloom.store.db import get_store, reset_store

GEN_FIELDS = ("kind", "task", "model_id", "prompt", "params", "seed", "status", "parent_ids", "run_id")


def _on_worker(tmp_path: Path, target: str, prompt: str, **kw) -> dict:
    """Run the worker half in this process, then give the test its own store back."""
    scratch = Scratch(tmp_path / "worker")
    kw.setdefault("kind", "image")
    kw.setdefault("model", None)
    kw.setdefault("params", {})
    kw.setdefault("output_name", None)
    kw.setdefault("parent_ids", None)
    kw.setdefault("run_id", None)
    try:
        return call_captured(scratch, target, prompt, **kw)
    finally:
        os.environ.pop("GENLOOM_DATABASE_URL", None)
        reset_store()


def test_replayed_generation_has_the_same_provenance_as_in_process(tmp_path: Path) -> None:
    local = ray_fakes.run_fake_image("a fox", model="m1", params={"seed": 3}, output=None,
                                     parent_ids=["gen_parent"], run_id="gen_run")
    packed = _on_worker(tmp_path, ray_fakes.FAKE_IMAGE, "a fox", model="m1", params={"seed": 3},
                        parent_ids=["gen_parent"], run_id="gen_run")
    assert "error" not in packed and len(packed["generations"]) == 1
    remote = import_packed(packed)
    store = get_store()
    a, b = store.generation(local.generation_id), store.generation(remote.generation_id)
    assert remote.generation_id == packed["generations"][0]["id"] != local.generation_id
    assert {k: a[k] for k in GEN_FIELDS} == {k: b[k] for k in GEN_FIELDS}
    assert [x["sha256"] for x in a["assets"]] == [x["sha256"] for x in b["assets"]]
    meta_a, meta_b = a["assets"][0]["meta"], b["assets"][0]["meta"]
    assert meta_b["ai_generated"] is True and meta_b["label"] == "AI-generated content"
    assert {k: v for k, v in meta_a.items() if k != "worker_pid"} == {k: v for k, v in meta_b.items() if k != "worker_pid"}
    # The Result points at files in the driver's store, not the worker's scratch folder.
    assert remote.paths and remote.paths[0].read_bytes() == local.paths[0].read_bytes()
    assert str(tmp_path / "worker") not in str(remote.paths[0])


def test_output_file_comes_back_to_the_driver(tmp_path: Path) -> None:
    packed = _on_worker(tmp_path, ray_fakes.FAKE_IMAGE, "a cat", params={"seed": 1}, output_name="cat.png")
    out = tmp_path / "driver" / "cat.png"
    result = import_packed(packed, out)
    assert result.paths == [out]
    assert out.read_bytes() == ray_fakes._pixels("a cat", 1)
    assert not list(out.parent.glob(".*.tmp"))


def test_errors_keep_their_class_and_hint(tmp_path: Path) -> None:
    packed = _on_worker(tmp_path, ray_fakes.FAILING, "nope")
    with pytest.raises(InvalidInput, match="refuses 'nope'") as err:
        import_packed(packed)
    assert err.value.hint == "ask nicely" and err.value.param == "prompt"
    assert get_store().generations() == []


def test_scratch_is_emptied_between_calls(tmp_path: Path) -> None:
    first = _on_worker(tmp_path, ray_fakes.FAKE_IMAGE, "one")
    second = _on_worker(tmp_path, ray_fakes.FAKE_IMAGE, "two")
    assert [g["prompt"] for g in first["generations"]] == ["one"]
    assert [g["prompt"] for g in second["generations"]] == ["two"]


def test_resources_follow_the_model_card() -> None:
    from genloom.distributed.ray_backend import resources_for
    from genloom.models.card import Kind, ModelCard
    from genloom.models.registry import get_registry

    card = ModelCard(id="big-gpu", kind=Kind.image, backend="fake", size_bytes=2 * 1024**3, license="MIT",
                     source="tests", options={"num_gpus": 1, "num_cpus": 2})
    get_registry().register(card, lambda c: None)
    res = resources_for("big-gpu", "image")
    assert res["num_gpus"] == 1.0 and res["num_cpus"] == 2.0
    assert res["memory"] > 2 * 1024**3
    assert resources_for("no-such-model", "image") == {}


def test_get_runner_without_address_is_in_process_create() -> None:
    from genloom.api import create
    from genloom.distributed import get_runner

    assert get_runner(None) is create
