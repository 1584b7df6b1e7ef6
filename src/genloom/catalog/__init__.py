"""The curated catalogue of real models, and what this machine can run.

The catalogue is data (``catalog.yaml``, shipped as package data); this module
loads it into :class:`Entry` objects, turns an entry into a registry
:class:`~genloom.models.card.ModelCard`, and answers "does it fit here?" from
the RAM in ``/proc/meminfo`` and, when a CUDA GPU is present, its memory.

``GENLOOM_CATALOG`` points at another YAML/JSON file with the same layout
(a private catalogue, or a test one).
"""

from __future__ import annotations

import difflib
import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from genloom.errors import InvalidInput, ModelNotFound
from genloom.models.card import Kind, ModelCard

Speed = Literal["fast", "medium", "slow"]
SPEED_SCORE = {"fast": 3, "medium": 2, "slow": 1}

# Tasks a card gets from its kind when the catalogue does not list them.
DEFAULT_TASKS: dict[str, list[str]] = {
    "text": ["chat", "summarize", "translate", "rewrite", "answer", "plan", "prompt-writing"],
    "code": ["code", "chat", "summarize", "translate", "rewrite", "answer", "plan", "prompt-writing"],
    "image": ["text-to-image"],
    "speech": ["speak"],
    "music": ["compose"],
    "sound": ["ambience", "sound-effect", "noise"],
    "video": ["animate"],
    "embedding": ["embed", "similarity", "retrieval"],
    "transcript": ["transcribe"],
}


class Source(BaseModel):
    hub: str | None = None
    revision: str = "main"
    # File names, or glob patterns resolved against the repository listing.
    files: list[str] = Field(default_factory=list)
    # PyPI packages, or "embedded": the packages of the built-in card of the same id.
    pypi: list[str] | Literal["embedded"] | None = None

    def describe(self) -> str:
        if self.hub:
            return f"hf: {self.hub}@{self.revision}"
        if self.pypi == "embedded":
            return "pypi (embedded)"
        return "pypi: " + " ".join(self.pypi or [])


class Entry(BaseModel):
    id: str
    name: str = ""
    kind: Kind
    also: list[Kind] = Field(default_factory=list)
    tasks: list[str] = Field(default_factory=list)
    backend: str
    license: str = "unknown"
    size_bytes: int | None = None
    ram_gb: float
    vram_gb: float | None = None
    speed: dict[str, Speed] = Field(default_factory=lambda: {"cpu": "medium", "gpu": "fast"})
    quality: int = Field(ge=1, le=10)
    context_length: int | None = None
    source: Source
    # File (or "." for the whole directory) the card points at after a pull.
    path: str = "."
    sha256: dict[str, str] = Field(default_factory=dict)
    options: dict[str, Any] = Field(default_factory=dict)
    notes: str = ""

    def serves(self, kind: Kind | str) -> bool:
        kind = Kind(kind)
        return self.kind == kind or kind in self.also

    def card(self, model_dir: Path | None = None) -> ModelCard:
        """The registry card for this entry, pointing into ``model_dir`` once pulled."""
        path = None
        if model_dir is not None:
            path = str(model_dir if self.path in ("", ".") else model_dir / self.path)
        options = dict(self.options)
        options.update(catalog=True, ram_gb=self.ram_gb, vram_gb=self.vram_gb, quality=self.quality,
                       speed=dict(self.speed))
        return ModelCard(
            id=self.id, name=self.name or self.id, kind=self.kind, also=list(self.also),
            tasks=self.tasks or DEFAULT_TASKS[self.kind.value], backend=self.backend,
            size_bytes=self.size_bytes, license=self.license, source=self.source.describe(),
            description=self.notes, context_length=self.context_length, path=path, options=options,
        )


class Catalog(BaseModel):
    models: list[Entry]

    def entry(self, model_id: str) -> Entry:
        for e in self.models:
            if e.id == model_id:
                return e
        close = difflib.get_close_matches(model_id, [e.id for e in self.models], n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(close)}?" if close else "'genloom models --available' lists the catalogue"
        raise ModelNotFound(f"{model_id!r} is not in the model catalogue", hint=hint, param="model")

    def for_kind(self, kind: Kind | str) -> list[Entry]:
        return [e for e in self.models if e.serves(kind)]


def _catalog_path() -> Path:
    return Path(os.environ.get("GENLOOM_CATALOG") or Path(__file__).with_name("catalog.yaml"))


@functools.lru_cache(maxsize=4)
def _load(path: str, mtime_ns: int) -> Catalog:
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidInput(f"Cannot read the model catalogue {path}: {exc}", hint="fix or unset GENLOOM_CATALOG") from exc
    try:
        catalog = Catalog.model_validate(data)
    except ValueError as exc:
        raise InvalidInput(f"The model catalogue {path} is invalid: {exc}", hint="fix or unset GENLOOM_CATALOG") from exc
    ids = [e.id for e in catalog.models]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise InvalidInput(f"The model catalogue {path} repeats ids: {', '.join(dupes)}")
    return catalog


def load_catalog() -> Catalog:
    path = _catalog_path()
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as exc:
        raise InvalidInput(f"Model catalogue not found: {path}", hint="fix or unset GENLOOM_CATALOG") from exc
    return _load(str(path), mtime)


# -- this machine -------------------------------------------------------------


@dataclass(frozen=True)
class Machine:
    ram_total_gb: float
    ram_available_gb: float
    gpu_name: str | None = None
    gpu_total_gb: float = 0.0
    gpu_free_gb: float = 0.0

    @property
    def has_gpu(self) -> bool:
        return self.gpu_total_gb > 0


def _meminfo() -> tuple[float, float]:
    values: dict[str, float] = {}
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            key, _, rest = line.partition(":")
            parts = rest.split()
            if parts:
                values[key] = int(parts[0]) / (1024 * 1024)  # kB -> GiB
    except (OSError, ValueError):
        pass
    total = values.get("MemTotal")
    if total is None:  # not Linux: ask the OS another way
        try:
            total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
        except (ValueError, OSError, AttributeError):
            total = 8.0
    return total, values.get("MemAvailable", total)


def _gpu() -> tuple[str | None, float, float]:
    # Importing torch costs seconds: only look when a GPU driver is there, or
    # torch is already loaded anyway.
    import sys

    if "torch" not in sys.modules and not Path("/proc/driver/nvidia").exists():
        return None, 0.0, 0.0
    try:
        import torch

        if not torch.cuda.is_available():
            return None, 0.0, 0.0
        free, total = torch.cuda.mem_get_info(0)
        return torch.cuda.get_device_name(0), total / 1024**3, free / 1024**3
    except Exception:  # a broken driver means no usable GPU, not a crash
        return None, 0.0, 0.0


def _env_gb(name: str) -> float | None:
    value = os.environ.get(name)
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise InvalidInput(f"{name}={value!r} is not a number of GiB", hint=f"e.g. {name}=16") from None


def machine() -> Machine:
    """RAM and GPU memory of this machine (GiB).

    ``GENLOOM_RAM_GB`` and ``GENLOOM_GPU_GB`` override what is detected, to
    plan for another machine or to keep genloom inside a budget.
    """
    total, available = _meminfo()
    ram = _env_gb("GENLOOM_RAM_GB")
    if ram is not None:
        total, available = ram, min(available, ram)
    name, gpu_total, gpu_free = _gpu()
    gpu = _env_gb("GENLOOM_GPU_GB")
    if gpu is not None:
        name, gpu_total, gpu_free = (name or "GPU (GENLOOM_GPU_GB)") if gpu > 0 else None, gpu, gpu
    return Machine(total, available, name, gpu_total, gpu_free)


# Share of total RAM a model may take: the OS, the app and the other loaded
# models need the rest.
RAM_SHARE = 0.75
GPU_SHARE = 0.9


def placement(ram_gb: float, vram_gb: float | None, m: Machine | None = None) -> str | None:
    """Where a model needing this much memory runs here: "gpu", "cpu" or None (does not fit)."""
    m = m or machine()
    if m.has_gpu and vram_gb is not None and vram_gb <= m.gpu_total_gb * GPU_SHARE:
        return "gpu"
    if ram_gb <= m.ram_total_gb * RAM_SHARE:
        return "cpu"
    return None


def fits(entry: Entry | ModelCard, m: Machine | None = None) -> bool:
    return placement(*_needs(entry), m) is not None


def _needs(item: Entry | ModelCard) -> tuple[float, float | None]:
    if isinstance(item, Entry):
        return item.ram_gb, item.vram_gb
    opts = item.options
    if "ram_gb" in opts:
        return float(opts["ram_gb"]), opts.get("vram_gb")
    # An uncatalogued model: weights plus a third for working memory.
    size_gb = (item.size_bytes or 0) / 1024**3
    return size_gb * 1.33, size_gb * 1.2


def speed_on(item: Entry | ModelCard, m: Machine | None = None) -> str:
    """The entry's speed class on the device it would run on here."""
    where = placement(*_needs(item), m) or "cpu"
    speeds = item.speed if isinstance(item, Entry) else item.options.get("speed") or {}
    return str(speeds.get(where) or speeds.get("cpu") or "medium")
