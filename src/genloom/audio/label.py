"""The machine-readable "AI-generated" label carried by every audio file.

It goes in two places: inside the file (a RIFF ``LIST/INFO`` chunk for WAV,
Vorbis comments / ID3 tags through libsndfile for the other formats) and in a
sidecar ``<file>.json`` beside files written for the user, which survives any
tool that strips tags.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from genloom.store.files import atomic_write_bytes


def ai_label(meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """The store's AI label merged with provenance (model, voice, seed, ...)."""
    from genloom.store.db import AI_LABEL

    return {**AI_LABEL, **{k: v for k, v in (meta or {}).items() if v is not None}}


def label_comment(meta: dict[str, Any] | None = None) -> str:
    """The label as one compact JSON line, for a comment tag."""
    return json.dumps(ai_label(meta), ensure_ascii=True, separators=(",", ":"), sort_keys=True, default=str)


def sidecar_path(path: Path) -> Path:
    return Path(path).with_name(Path(path).name + ".json")


def write_sidecar(path: Path, meta: dict[str, Any] | None = None) -> Path:
    """Write ``<path>.json`` holding the label and provenance; returns its path."""
    target = sidecar_path(path)
    body = json.dumps({"file": Path(path).name, **ai_label(meta)}, indent=2, ensure_ascii=False, default=str)
    atomic_write_bytes(target, body.encode() + b"\n")
    return target


def read_wav_label(data: bytes) -> dict[str, Any] | None:
    """The label from a WAV file's INFO ``ICMT`` entry, or None when absent."""
    from genloom.audio.wav import read_wav_info

    comment = read_wav_info(data).get("ICMT")
    if not comment:
        return None
    try:
        value = json.loads(comment)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None
