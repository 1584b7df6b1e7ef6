"""Rebuild src/genloom/image/data/cldr-keywords-en.tsv from Unicode CLDR annotations.

The composer ranks art by what its CLDR keywords mean; the OpenMoji wheel ships
SVGs only, so the English keywords are kept in the repo as a small table
(one emoji per line: character, tab, keywords joined by '|').

    npm pack cldr-annotations-full && tar xzf cldr-annotations-full-*.tgz
    python scripts/cldr_keywords.py package/annotations/en/annotations.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src/genloom/image/data/cldr-keywords-en.tsv"
HEADER = ("# English emoji keywords from Unicode CLDR (cldr-annotations-full {version}).\n"
          "# Copyright (c) 2004-2026 Unicode, Inc. Unicode License V3, https://www.unicode.org/license.txt\n"
          "# Rebuild: scripts/cldr_keywords.py. Format: CHAR<TAB>keyword|keyword|...\n")


def main(path: str) -> None:
    data = json.loads(Path(path).read_text())["annotations"]
    version = json.loads((Path(path).parents[2] / "package.json").read_text())["version"]
    lines = []
    for char, ann in sorted(data["annotations"].items()):
        words = [w.strip().lower() for w in ann.get("default", []) if w.strip()]
        if words:
            lines.append(f"{char}\t{'|'.join(words)}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(HEADER.format(version=version) + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(lines)} emoji")


if __name__ == "__main__":
    main(sys.argv[1])
