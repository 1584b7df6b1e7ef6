"""sha256 of weight files, computed once and cached by (path, size, mtime)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from genloom import config
from genloom.store.files import atomic_write_bytes, sha256_file

_lock = threading.Lock()
# (path, size, mtime) -> sha256 for this process: a model loaded twice is hashed once.
_memo: dict[str, str] = {}


def weights_sha256(path: Path) -> str:
    path = Path(path).resolve()
    if path.is_dir():
        # A directory model: hash of its files' hashes, in name order.
        import hashlib

        digest = hashlib.sha256()
        for f in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(f.relative_to(path).as_posix().encode())
            digest.update(weights_sha256(f).encode())
        return digest.hexdigest()
    sidecar = Path(str(path) + ".sha256")
    if sidecar.exists() and sidecar.stat().st_mtime_ns >= path.stat().st_mtime_ns:
        value = sidecar.read_text().split()[0] if sidecar.read_text().strip() else ""
        if len(value) == 64:
            return value
    stat = path.stat()
    key = f"{path}|{stat.st_size}|{stat.st_mtime_ns}"
    if key in _memo:
        return _memo[key]
    cache_file = config.home() / "hashes.json"
    with _lock:
        try:
            cache = json.loads(cache_file.read_text()) if cache_file.exists() else {}
        except (OSError, json.JSONDecodeError):
            cache = {}
        if key in cache:
            _memo[key] = cache[key]
            return cache[key]
    value = sha256_file(path)
    with _lock:
        _memo[key] = value
        cache[key] = value
        atomic_write_bytes(cache_file, json.dumps(cache, indent=1).encode())
    return value
