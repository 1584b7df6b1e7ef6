"""A model card: what a model makes, how big it is, where its weights come from."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field


class Kind(StrEnum):
    text = "text"
    code = "code"
    image = "image"
    speech = "speech"
    music = "music"
    sound = "sound"
    video = "video"
    embedding = "embedding"
    transcript = "transcript"


KINDS = [k.value for k in Kind]


class ModelCard(BaseModel):
    """Declared capabilities of a model; the registry keys cards by ``id``."""

    id: str
    name: str = ""
    kind: Kind
    # Extra output kinds the model can also serve (a coder LLM writes prose too).
    also: list[Kind] = Field(default_factory=list)
    tasks: list[str] = Field(default_factory=list)
    backend: str
    size_bytes: int | None = None
    license: str = "unknown"
    source: str = ""
    description: str = ""
    context_length: int | None = None
    # Where the weights live once installed (file or directory), if local.
    path: str | None = None
    sha256: str | None = None
    default_for: list[Kind] = Field(default_factory=list)
    # Free-form backend options (e.g. chat format, voice name).
    options: dict[str, Any] = Field(default_factory=dict)
    aliases: list[str] = Field(default_factory=list)

    model_config = {"use_enum_values": False}

    def serves(self, kind: Kind | str) -> bool:
        kind = Kind(kind)
        return self.kind == kind or kind in self.also

    def is_installed(self) -> bool:
        return self.installed_status() == "installed"

    def installed_status(self) -> str:
        """``installed``, ``installable`` (parts present, not assembled) or ``missing``."""
        from genloom.models.registry import get_registry

        checker = get_registry().status_checker(self.backend)
        if checker is not None:
            return checker(self)
        if self.path is None:
            return "installed"
        return "installed" if Path(self.path).exists() else "missing"

    def summary(self) -> dict[str, Any]:
        data = self.model_dump(mode="json", exclude={"options"})
        data["installed"] = self.installed_status()
        return data


def human_size(size: int | None) -> str:
    if not size:
        return "-"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit in ("B", "KB") else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} B"  # pragma: no cover
