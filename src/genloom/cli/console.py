"""Rich consoles, created on first use (importing rich costs ~100 ms)."""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def console() -> Any:
    from rich.console import Console

    return Console()


@functools.cache
def err_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)
