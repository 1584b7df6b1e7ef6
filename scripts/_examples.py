"""What the docs-example scripts share: make each example through ``genloom.api.create`` in a scratch home.

    make_examples("image", EXAMPLES, ".png", {}, on_result)

``--full OUTDIR`` on the calling script's command line keeps the full-size files there.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "media"


def make_examples(kind: str, examples: list[tuple[str, str, dict[str, Any]]], suffix: str,
                  defaults: dict[str, Any], on_result: Callable[[str, Path, Any], None]) -> None:
    """Create every (name, prompt, params) example with seed 7 and ``defaults``; hand each result to ``on_result``."""
    full = Path(sys.argv[sys.argv.index("--full") + 1]) if "--full" in sys.argv else None
    with tempfile.TemporaryDirectory() as tmp:
        # A scratch provenance store: making the docs' pictures must not fill the user's log.
        os.environ.setdefault("GENLOOM_HOME", str(Path(tmp) / "home"))
        from genloom.api import create

        DOCS.mkdir(parents=True, exist_ok=True)
        for name, prompt, params in examples:
            out = (full or Path(tmp)) / f"{name}{suffix}"
            out.parent.mkdir(parents=True, exist_ok=True)
            result = create(kind, prompt, params={"seed": 7, **defaults, **params}, output=out)
            on_result(name, out, result)
