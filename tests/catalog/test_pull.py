"""`genloom pull` / `genloom rm` against a fake hub on 127.0.0.1 (no network)."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from genloom.catalog import pull as pullmod
from genloom.cli import cli
from genloom.errors import CorruptWeights, ModelNotFound

REPO = "tiny-org/tiny-gguf"
GGUF = b"GGUF" + os.urandom(300_000)
README = b"# tiny\n"


def entry(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "tiny-gguf", "name": "Tiny GGUF", "kind": "text", "backend": "llama-cpp", "license": "MIT",
        "size_bytes": len(GGUF), "ram_gb": 0.1, "vram_gb": 0.1, "quality": 9,
        "speed": {"cpu": "fast", "gpu": "fast"},
        "source": {"hub": REPO, "revision": "main", "files": ["tiny.gguf", "README.md"]},
        "path": "tiny.gguf",
    }
    base.update(kw)
    return base


@pytest.fixture
def hub(fake_hub: Any, use_catalog: Any) -> Any:
    fake_hub.add(REPO, {"tiny.gguf": GGUF, "README.md": README})
    use_catalog([entry()])
    return fake_hub


def test_pull_downloads_verifies_and_registers(hub: Any, genloom_home: Path) -> None:
    seen: list[tuple[int, int, str]] = []
    card = pullmod.pull("tiny-gguf", progress=lambda d, t, n: seen.append((d, t, n)))
    path = Path(card.path or "")
    assert path.read_bytes() == GGUF
    assert (path.parent / "README.md").read_bytes() == README
    assert card.sha256 == hashlib.sha256(GGUF).hexdigest()
    assert card.source.startswith(f"hf: {REPO}@")
    # The LFS file came from the CDN origin, as on the real hub; the small one from the hub.
    assert hub.requests("GET", "/cdn/") and hub.requests("GET", "/resolve/main/README.md")
    assert seen[-1][0] == seen[-1][1] == len(GGUF) + len(README)
    assert not list(path.parent.glob("*.part*"))
    saved = json.loads((genloom_home / "pulled.json").read_text())
    assert [m["id"] for m in saved["models"]] == ["tiny-gguf"]

    from genloom.models.registry import get_registry, reset_registry

    reset_registry()  # a fresh process sees it too
    registry = get_registry()
    assert registry.card("tiny-gguf").path == str(path)
    assert registry.card("tiny-gguf").is_installed()


def test_token_goes_to_the_hub_but_not_to_the_cdn(hub: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_secret_token_123")
    pullmod.pull("tiny-gguf")
    hub_auth = {a for role, p, a in hub.auth if role == "hub"}
    cdn_auth = {a for role, p, a in hub.auth if role == "cdn"}
    assert hub_auth == {"Bearer hf_secret_token_123"}
    assert cdn_auth == {None}  # a signed CDN URL must not receive the token


def test_second_pull_downloads_nothing(hub: Any) -> None:
    pullmod.pull("tiny-gguf")
    gets = len(hub.requests("GET"))
    pullmod.pull("tiny-gguf")
    assert len(hub.requests("GET")) == gets


def test_interrupted_pull_resumes_with_range(hub: Any) -> None:
    def interrupt(done: int, total: int, name: str) -> None:
        if done > 100_000:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        pullmod.pull("tiny-gguf", progress=interrupt)
    part = pullmod.model_dir("tiny-gguf") / "tiny.gguf.part"
    kept = part.stat().st_size
    assert 0 < kept < len(GGUF)
    from genloom.catalog import load_catalog

    assert pullmod.status(load_catalog().entry("tiny-gguf")) == "partial"

    hub.log.clear()
    card = pullmod.pull("tiny-gguf")
    assert Path(card.path or "").read_bytes() == GGUF
    ranges = [r for m, p, r in hub.requests("GET", "/cdn/")]
    assert ranges == [f"bytes={kept}-"]  # only the missing tail was fetched


def test_dropped_connection_is_resumed_within_the_pull(hub: Any) -> None:
    hub.drop_after["tiny.gguf"] = 120_000
    card = pullmod.pull("tiny-gguf")
    assert Path(card.path or "").read_bytes() == GGUF
    ranges = [r for m, p, r in hub.requests("GET", "/cdn/")]
    assert ranges[0] is None and ranges[-1] is not None and ranges[-1].startswith("bytes=")


def test_corrupted_download_is_caught_and_deleted(hub: Any) -> None:
    hub.corrupt.add("tiny.gguf")
    with pytest.raises(CorruptWeights, match="checksum"):
        pullmod.pull("tiny-gguf")
    target = pullmod.model_dir("tiny-gguf")
    assert not (target / "tiny.gguf").exists()
    assert not list(target.glob("*.part"))
    from genloom.models.registry import get_registry

    assert "tiny-gguf" not in [c.id for c in get_registry().cards()]
    hub.corrupt.clear()  # a healthy mirror: the next pull succeeds
    assert Path(pullmod.pull("tiny-gguf").path or "").read_bytes() == GGUF


def test_pinned_sha256_wins_over_the_etag(fake_hub: Any, use_catalog: Any) -> None:
    fake_hub.add(REPO, {"tiny.gguf": GGUF, "README.md": README})
    use_catalog([entry(sha256={"tiny.gguf": "0" * 64})])
    with pytest.raises(CorruptWeights):
        pullmod.pull("tiny-gguf")


def test_small_file_checked_by_git_blob_hash(hub: Any) -> None:
    hub.corrupt.add("README.md")
    with pytest.raises(CorruptWeights, match="README.md"):
        pullmod.pull("tiny-gguf")


def test_changed_remote_file_restarts_the_partial(hub: Any) -> None:
    with pytest.raises(KeyboardInterrupt):
        pullmod.pull("tiny-gguf", progress=lambda d, t, n: (_ for _ in ()).throw(KeyboardInterrupt) if d > 100_000 else None)
    new = b"GGUF" + os.urandom(200_000)
    hub.add(REPO, {"tiny.gguf": new, "README.md": README})
    hub.log.clear()
    card = pullmod.pull("tiny-gguf")
    assert Path(card.path or "").read_bytes() == new
    assert [r for m, p, r in hub.requests("GET", "/cdn/")] == [None]


def test_disk_space_is_checked_before_downloading(hub: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda p: usage(10**9, 10**9, 1000))
    with pytest.raises(pullmod.InsufficientDisk, match="disk space"):
        pullmod.pull("tiny-gguf")
    assert not hub.requests("GET")


def test_glob_patterns_use_the_repo_listing(fake_hub: Any, use_catalog: Any) -> None:
    fake_hub.add("org/whisperish", {"config.json": b"{}", "vocab.json": b"{\"a\": 1}",
                                    "model.safetensors": b"x" * 5000, "flax_model.msgpack": b"nope"})
    use_catalog([entry(id="dirmodel", kind="transcript", backend="whisper", path=".",
                       source={"hub": "org/whisperish", "files": ["*.json", "model.safetensors"]})])
    card = pullmod.pull("dirmodel")
    names = sorted(p.name for p in Path(card.path or "").iterdir() if not p.name.endswith(".sha256"))
    assert names == ["config.json", "model.safetensors", "vocab.json"]
    assert fake_hub.requests("GET", "/api/models/org/whisperish/revision/main")


def test_missing_repo_is_a_clear_error(fake_hub: Any, use_catalog: Any) -> None:
    use_catalog([entry(source={"hub": "nobody/nothing", "files": ["a.gguf"]})])
    with pytest.raises(pullmod.DownloadFailed, match="nobody/nothing"):
        pullmod.pull("tiny-gguf")


def test_hf_cache_is_reused_offline(hub: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from huggingface_hub import hf_hub_download

    for name in ("tiny.gguf", "README.md"):
        hf_hub_download(REPO, name, cache_dir=str(tmp_path / "hf" / "hub"), endpoint=hub.url)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    hub.log.clear()
    card = pullmod.pull("tiny-gguf")
    assert Path(card.path or "").read_bytes() == GGUF
    assert hub.log == []


def test_concurrent_pull_of_the_same_model_is_refused(hub: Any) -> None:
    from filelock import FileLock

    from genloom.errors import InvalidInput

    target = pullmod.model_dir("tiny-gguf")
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target.parent / ".tiny-gguf.lock")):
        with pytest.raises(InvalidInput, match="Another 'genloom pull tiny-gguf'"):
            pullmod.pull("tiny-gguf")
    assert not hub.requests("GET")


def test_hf_cache_blobs_are_reused_online(hub: Any, tmp_path: Path) -> None:
    from huggingface_hub import hf_hub_download

    hf_hub_download(REPO, "tiny.gguf", cache_dir=str(tmp_path / "hf" / "hub"), endpoint=hub.url)
    hub.log.clear()
    card = pullmod.pull("tiny-gguf")
    assert Path(card.path or "").read_bytes() == GGUF
    assert not hub.requests("GET", "/cdn/")  # the big file came from the HF cache
    assert hub.requests("GET", "README.md")  # the other one was downloaded


def test_hf_cache_snapshot_is_reused_offline_for_patterns(fake_hub: Any, use_catalog: Any,
                                                          monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from huggingface_hub import hf_hub_download

    files = {"config.json": b"{}", "model.safetensors": b"w" * 4000, "extra.txt": b"no"}
    fake_hub.add("org/patterned", files)
    use_catalog([entry(id="patterned", path=".", source={"hub": "org/patterned",
                                                         "files": ["*.json", "*.safetensors"]})])
    for name in ("config.json", "model.safetensors"):
        hf_hub_download("org/patterned", name, cache_dir=str(tmp_path / "hf" / "hub"), endpoint=fake_hub.url)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    fake_hub.log.clear()
    card = pullmod.pull("patterned")
    got = sorted(p.name for p in Path(card.path or "").iterdir() if not p.name.endswith(".sha256"))
    assert got == ["config.json", "model.safetensors"] and fake_hub.log == []


def test_unknown_id_suggests_close_ones(hub: Any) -> None:
    with pytest.raises(ModelNotFound, match="tiny-gguf"):
        pullmod.pull("tiny-guf")


# -- the real catalogue, offline -------------------------------------------------


def test_pull_real_model_offline_fails_fast_and_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    start = time.monotonic()
    result = CliRunner().invoke(cli, ["pull", "qwen2.5-7b-instruct"])
    assert result.exit_code == 1
    assert "offline" in result.output and "HF_HUB_OFFLINE" in result.output
    assert "Traceback" not in result.output
    assert time.monotonic() - start < 5


def test_pull_real_model_unreachable_endpoint_fails_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    start = time.monotonic()
    result = CliRunner().invoke(cli, ["pull", "whisper-tiny"])
    assert result.exit_code == 1
    assert f"127.0.0.1:{port}" in result.output and "Cannot download whisper-tiny" in result.output
    assert time.monotonic() - start < 10


# -- CLI ---------------------------------------------------------------------------


def test_cli_pull_and_rm(hub: Any) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["pull", "tiny-gguf"])
    assert result.exit_code == 0, result.output
    assert "tiny-gguf" in result.output and "installed" in result.output.lower()
    target = pullmod.model_dir("tiny-gguf")
    assert (target / "tiny.gguf").exists()

    result = runner.invoke(cli, ["rm", "tiny-gguf"])
    assert result.exit_code == 0, result.output
    assert not target.exists()
    from genloom.models.registry import get_registry

    assert "tiny-gguf" not in [c.id for c in get_registry().cards()]
    result = runner.invoke(cli, ["rm", "tiny-gguf"])
    assert result.exit_code == 1 and "has not been pulled" in result.output


def test_cli_rm_removes_a_partial_download(hub: Any) -> None:
    with pytest.raises(KeyboardInterrupt):
        pullmod.pull("tiny-gguf", progress=lambda d, t, n: (_ for _ in ()).throw(KeyboardInterrupt) if d > 1000 else None)
    result = CliRunner().invoke(cli, ["rm", "tiny-gguf"])
    assert result.exit_code == 0, result.output
    assert not pullmod.model_dir("tiny-gguf").exists()
