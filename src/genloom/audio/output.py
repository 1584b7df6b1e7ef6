"""Writing generated files where the user asked, safely."""

from __future__ import annotations

import os
from pathlib import Path

from genloom.errors import InvalidInput
from genloom.store.files import atomic_write_bytes


def check_writable(path: Path) -> Path:
    """Fail *before* generating when ``path`` cannot be written, so no work is lost."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise InvalidInput(f"Output path {path} is a directory", hint="give a file name, e.g. out.wav", param="output")
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise InvalidInput(f"Cannot write {path}: {parent} is not a writable directory",
                           hint="choose another output path", param="output")
    if path.exists() and not os.access(path, os.W_OK):
        raise InvalidInput(f"Cannot write {path}: the file is read-only", hint="choose another output path",
                           param="output")
    return path


def write_output(path: Path, data: bytes) -> Path:
    """Atomic write (temp file + rename): the target is either untouched or complete."""
    path = check_writable(path)
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise InvalidInput(f"Cannot write {path}: {exc.strerror or exc}", hint="choose another output path",
                           param="output") from None
    return path
