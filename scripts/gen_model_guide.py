#!/usr/bin/env python3
"""Generate the "choose the right model for your job" guide in docs/models.md from the catalogue.

    python scripts/gen_model_guide.py          # rewrite the generated block
    python scripts/gen_model_guide.py --check  # exit 1 if docs/models.md is stale

Only the text between the BEGIN/END markers is generated; the rest of
docs/models.md is written by hand. The output depends on the catalogue only,
never on the machine running the script.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from genloom.catalog import SPEED_SCORE, Entry, Machine, load_catalog, placement, speed_on  # noqa: E402
from genloom.models.card import human_size  # noqa: E402

DOC = ROOT / "docs" / "models.md"
BEGIN = "<!-- BEGIN GENERATED GUIDE (scripts/gen_model_guide.py) -->"
END = "<!-- END GENERATED GUIDE -->"

LAPTOP = Machine(ram_total_gb=8, ram_available_gb=6)
DESKTOP = Machine(ram_total_gb=32, ram_available_gb=28, gpu_name="GPU", gpu_total_gb=12, gpu_free_gb=11)
PERMISSIVE = ("apache", "mit", "cc0", "bsd")

INTRO = {
    "text": "Prose, answers, summaries, translation and planning. Bigger models write and reason better; on CPU "
            "every doubling of parameters roughly halves the speed.",
    "code": "Code models also write prose; the coder variants are better at code, the general ones at prose.",
    "image": "Diffusion models make photographic and painterly pictures; the built-in composer makes clean vector "
             "drafts instantly. Distilled models (Turbo, SDXS, LCM) need 1-8 steps instead of 25-50.",
    "speech": "All voices here run faster than real time on a CPU. Kokoro sounds the most natural; Piper covers "
              "many languages.",
    "music": "The built-in composer writes symbolic music (MIDI) that follows key, tempo and length exactly; "
             "MusicGen makes real audio from a description but is slow on CPU and non-commercial.",
    "transcript": "Whisper transcribes open speech in 99 languages; PocketSphinx is tiny and English-only, best "
                  "when the expected words are known.",
    "embedding": "Vectors for search, routing and similarity.",
}
ORDER = ["text", "code", "image", "speech", "music", "transcript", "embedding"]


def _score(e: Entry, m: Machine) -> tuple[int, int]:
    return e.quality + SPEED_SCORE[speed_on(e, m)], e.quality


def _pick(entries: list[Entry], m: Machine, key: str = "balanced") -> Entry | None:
    ok = [e for e in entries if placement(e.ram_gb, e.vram_gb, m) is not None]
    if not ok:
        return None
    if key == "fast":
        return max(ok, key=lambda e: (SPEED_SCORE[speed_on(e, m)], e.quality))
    if key == "best":
        return max(ok, key=lambda e: (e.quality, SPEED_SCORE[speed_on(e, m)]))
    return max(ok, key=lambda e: _score(e, m))


def _licence_note(e: Entry) -> str:
    lic = e.license.lower()
    if any(p in lic for p in PERMISSIVE):
        return e.license
    return f"{e.license} (check the terms)"


def guide() -> str:
    cat = load_catalog()
    out = [BEGIN, "", "## Choose the right model for your job", "",
           "Generated from the catalogue (`src/genloom/catalog/catalog.yaml`). *Quality* is a curated 1-10 score, "
           "comparable within a kind. *Speed* is a class: **fast** is interactive on a 2-core laptop, **medium** "
           "takes seconds, **slow** tens of seconds (or a few tokens per second). *Laptop* below means 8 GB RAM and "
           "no GPU; *desktop* 32 GB RAM and a 12 GB GPU. `genloom models --available` shows the same data for the "
           "machine you are on, and what is installed.", ""]
    for kind in ORDER:
        # Each model is listed under its own kind; "also" kinds are named in the table.
        entries = [e for e in cat.models if e.kind.value == kind]
        if not entries:
            continue
        out += [f"### {kind}", "", INTRO.get(kind, ""), ""]
        out += ["| model | quality | speed CPU / GPU | memory CPU / GPU | download | licence | get it |",
                "|---|---|---|---|---|---|---|"]
        for e in sorted(entries, key=lambda e: (-e.quality, e.ram_gb)):
            also = f" (also {', '.join(a.value for a in e.also)})" if e.also else ""
            get = f"`genloom pull {e.id}`" if e.source.hub else "built in / `make setup`"
            vram = f"{e.vram_gb:g} GB" if e.vram_gb else "-"
            out.append(f"| `{e.id}`{also} | {e.quality} | {e.speed.get('cpu', '?')} / {e.speed.get('gpu', '?')} | "
                       f"{e.ram_gb:g} GB / {vram} | {human_size(e.size_bytes)} | {_licence_note(e)} | {get} |")
        out.append("")
        pool = [e for e in cat.models if e.serves(kind)]
        lines = []
        for label, m, key in (("Laptop, best balance", LAPTOP, "balanced"), ("Laptop, fastest", LAPTOP, "fast"),
                              ("Desktop with GPU, best quality", DESKTOP, "best")):
            pick = _pick(pool, m, key)
            if pick is not None:
                lines.append(f"- **{label}:** `{pick.id}`: {pick.notes}")
        free = [e for e in pool if any(p in e.license.lower() for p in PERMISSIVE)]
        best_free = max(free, key=lambda e: e.quality) if free else None
        if best_free is not None:
            lines.append(f"- **Best with a permissive licence ({best_free.license}):** `{best_free.id}`")
        out += lines + [""]
    out.append(END)
    return "\n".join(out) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if docs/models.md is out of date")
    args = ap.parse_args()
    text = DOC.read_text() if DOC.exists() else f"# Models\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        print(f"{DOC} lacks the generated-guide markers", file=sys.stderr)
        return 1
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    tail = tail.lstrip("\n")
    new = head + guide() + ("\n" + tail if tail else "")
    if args.check:
        if new != text:
            print(f"{DOC} is out of date: run python scripts/gen_model_guide.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(new)
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
