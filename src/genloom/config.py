"""Where genloom keeps its files, and machine-dependent defaults.

* ``GENLOOM_HOME``: database, asset store, registered models, config
  (default ``$XDG_DATA_HOME/genloom``, i.e. ``~/.local/share/genloom``).
* ``GENLOOM_MODELS_DIR``: assembled/downloaded weights. Defaults to
  ``$GENLOOM_HOME/models`` when ``GENLOOM_HOME`` is set, else to
  ``$XDG_CACHE_HOME/genloom/models``: weights can always be rebuilt, so they
  belong in a cache, never in site-packages.
* ``GENLOOM_DATABASE_URL``: any SQLAlchemy URL (PostgreSQL, ...); default is a
  SQLite file in ``GENLOOM_HOME``.
* ``GENLOOM_THREADS``: CPU threads for inference.
"""

from __future__ import annotations

import os
from pathlib import Path


def _xdg(var: str, default: str) -> Path:
    value = os.environ.get(var)
    return Path(value) if value else Path.home() / default


def home() -> Path:
    value = os.environ.get("GENLOOM_HOME")
    path = Path(value).expanduser() if value else _xdg("XDG_DATA_HOME", ".local/share") / "genloom"
    path.mkdir(parents=True, exist_ok=True)
    return path


def models_dir() -> Path:
    value = os.environ.get("GENLOOM_MODELS_DIR")
    if value:
        path = Path(value).expanduser()
    elif os.environ.get("GENLOOM_HOME"):
        path = home() / "models"
    else:
        path = _xdg("XDG_CACHE_HOME", ".cache") / "genloom" / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    return os.environ.get("GENLOOM_DATABASE_URL") or f"sqlite:///{home() / 'genloom.db'}"


def assets_dir() -> Path:
    path = home() / "assets"
    path.mkdir(parents=True, exist_ok=True)
    return path


def physical_cores() -> int:
    """Cores usable by this process, counting a hyperthread pair once.

    llama.cpp is memory-bandwidth bound: one thread per physical core beats
    one per logical CPU, and oversubscribing hurts badly on small machines.
    """
    try:
        logical = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        logical = os.cpu_count() or 1
    siblings = 1
    try:
        text = Path("/sys/devices/system/cpu/cpu0/topology/thread_siblings_list").read_text()
        parts = [p for p in text.strip().replace("-", ",").split(",") if p]
        siblings = max(1, len(parts)) if "-" not in text else 2
    except OSError:
        pass
    return max(1, logical // siblings)


def default_threads() -> int:
    value = os.environ.get("GENLOOM_THREADS")
    if value:
        try:
            threads = int(value)
        except ValueError:
            from genloom.errors import InvalidInput

            raise InvalidInput(
                f"GENLOOM_THREADS={value!r} is not a whole number", hint="set it to e.g. 4"
            ) from None
        if threads >= 1:
            return threads
    return physical_cores()
