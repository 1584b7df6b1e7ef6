"""Delivered files and blobs are as readable as the umask allows; temp files stay private until renamed."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from genloom.store import files


@pytest.fixture
def umask() -> Iterator[callable]:
    old = os.umask(0o022)
    try:
        yield lambda m: os.umask(m)
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_delivered_files_follow_the_umask(tmp_path: Path, umask: callable) -> None:
    files.atomic_write_bytes(tmp_path / "a.md", b"hello")
    files.atomic_copy(tmp_path / "a.md", tmp_path / "b.md")
    assert mode(tmp_path / "a.md") == 0o644 and mode(tmp_path / "b.md") == 0o644
    umask(0o077)
    files.atomic_write_bytes(tmp_path / "c.md", b"hello")
    assert mode(tmp_path / "c.md") == 0o600
    umask(0o002)
    files.atomic_write_bytes(tmp_path / "d.md", b"hello")
    assert mode(tmp_path / "d.md") == 0o664


def test_blobs_are_shareable_too(tmp_path: Path, umask: callable) -> None:
    store = files.BlobStore(tmp_path / "blobs")
    _, path = store.put_bytes(b"pixels", ".png")
    src = tmp_path / "x.wav"
    src.write_bytes(b"RIFF")
    _, path2 = store.put_file(src)
    assert mode(path) == 0o644 and mode(path2) == 0o644


def test_private_files_stay_private(tmp_path: Path, umask: callable) -> None:
    files.atomic_write_bytes(tmp_path / "keys.json", b"{}", private=True)
    assert mode(tmp_path / "keys.json") == 0o600


def test_temp_file_is_private_until_the_rename(tmp_path: Path, umask: callable, monkeypatch: pytest.MonkeyPatch
                                               ) -> None:
    seen = []
    real_chmod, real_replace = os.chmod, os.replace

    def spy_replace(src: str, dst: str) -> None:
        seen.append(("replace", Path(dst).name))
        real_replace(src, dst)

    def spy_chmod(path: str, m: int) -> None:
        seen.append(("before-chmod", stat.S_IMODE(os.stat(path).st_mode)))
        real_chmod(path, m)

    monkeypatch.setattr(files.os, "replace", spy_replace)
    monkeypatch.setattr(files.os, "chmod", spy_chmod)
    files.atomic_write_bytes(tmp_path / "out.png", b"data")
    assert seen == [("before-chmod", 0o600), ("replace", "out.png")]


def test_process_umask_is_read_without_changing_it(umask: callable) -> None:
    umask(0o027)
    assert files.process_umask() == 0o027
    assert files.shared_mode() == 0o640
