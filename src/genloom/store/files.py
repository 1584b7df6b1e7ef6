"""Crash-safe file writes and the content-addressed blob store.

Files are written to a temporary name beside the target, fsynced and renamed,
so a crash leaves either the old file or the complete new one, never half of it.

Permissions: the temporary file is private (``mkstemp`` makes it 0600), so no
one reads a half-written file; just before the rename it gets the mode any
new file would get under the process's umask (0644 with the usual 022), so
delivered files and blobs can be read by a web server, a shared folder or
another user exactly as if ``open()`` had created them.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import tempfile
import threading
from pathlib import Path

# Temp files carry the writer's host and pid, so a restarted server can tell
# the leftovers of a killed process from a write still in progress.
_TEMP = re.compile(r"^\..+\.(?P<host>[^.]+)-(?P<pid>\d+)\.[^.]+\.tmp$")


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", socket.gethostname()) or "host"


def _temp_prefix(path: Path) -> str:
    return f".{path.name}.{_host()}-{os.getpid()}."


_umask_lock = threading.Lock()


def process_umask() -> int:
    """The process's umask, read without changing it where the kernel says it (Linux /proc)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    # Elsewhere the only way is to set it and set it back; the lock keeps two
    # of our own threads from racing on it.
    with _umask_lock:
        old = os.umask(0o022)
        os.umask(old)
    return old


def shared_mode() -> int:
    """The mode ``open()`` gives a new file now: 0666 less the umask."""
    return 0o666 & ~process_umask()


def publish(tmp: Path | str, target: Path | str, *, private: bool = False) -> None:
    """Rename a finished temp file over ``target``, readable as the umask allows unless ``private``."""
    if not private:
        os.chmod(tmp, shared_mode())
    os.replace(tmp, target)


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this machine (a zombie counts as dead)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def sweep_temp_files(root: Path) -> list[Path]:
    """Delete temp files under ``root`` left by dead processes of this host; return them.

    Writes in progress (live writers, other hosts sharing the folder) are left alone.
    """
    removed = []
    host = _host()
    for tmp in Path(root).rglob(".*.tmp"):
        m = _TEMP.match(tmp.name)
        if m is None or m["host"] != host or int(m["pid"]) == os.getpid() or pid_alive(int(m["pid"])):
            continue
        try:
            tmp.unlink()
            removed.append(tmp)
        except OSError:
            pass
    return removed


def atomic_write_bytes(path: Path, data: bytes, *, private: bool = False) -> None:
    """Write ``data`` to ``path`` crash-safely; ``private`` keeps it 0600 (keys, tokens)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        publish(tmp, path, private=private)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def atomic_copy(src: Path, dst: Path, *, private: bool = False) -> None:
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(dst), suffix=".tmp", dir=dst.parent)
    try:
        with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
            while block := inp.read(1 << 20):
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
        publish(tmp, dst, private=private)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(dst.parent)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


class BlobStore:
    """Files named by their sha256: ``root/ab/cdef....ext``. Writing twice is free."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def path_for(self, sha256: str, ext: str = "") -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        ext = ext if not ext or ext.startswith(".") else f".{ext}"
        return self.root / sha256[:2] / f"{sha256[2:]}{ext}"

    def put_bytes(self, data: bytes, ext: str = "") -> tuple[str, Path]:
        sha = hashlib.sha256(data).hexdigest()
        path = self.path_for(sha, ext)
        if not path.exists():
            atomic_write_bytes(path, data)
        return sha, path

    def put_file(self, src: Path, ext: str | None = None) -> tuple[str, Path]:
        src = Path(src)
        sha = sha256_file(src)
        path = self.path_for(sha, src.suffix if ext is None else ext)
        if not path.exists():
            atomic_copy(src, path)
        return sha, path
