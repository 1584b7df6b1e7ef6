"""``genloom verify FILE``: is this a genloom output, and is it the file genloom made?

Two independent witnesses:

* the **label** inside the file (PNG text chunk, WAV ``INFO/ICMT``, MP4 and
  MP3 metadata, a MIDI text event, Markdown front matter, a code comment, a
  trailing line in ``.txt``), read by :func:`read_label`;
* the **store**, which knows the sha256 of every asset and every delivered file.

The verdicts:

``untouched``   the store has these exact bytes: the file is what genloom made.
``changed``     the store knows the file (by its label, or by the path it was
                delivered to) but not these bytes: it was edited since.
``unknown``     it carries a genloom label, but this store has no record of it
                (made on another machine, or the store was reset).
``unlabelled``  no label and not in the store: not a genloom output as far as
                this machine can tell.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Status = Literal["untouched", "changed", "unknown", "unlabelled"]

_TEXT_SUFFIXES_MAX = 4 << 20  # read text labels only from files small enough to be text outputs


@dataclass
class Verdict:
    path: Path
    status: Status
    sha256: str
    label: dict[str, Any] | None = None
    generation_id: str | None = None
    model: str | None = None
    detail: str = ""
    matches: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "untouched"

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "status": self.status, "ok": self.ok, "sha256": self.sha256,
                "generation_id": self.generation_id, "model": self.model, "label": self.label,
                "detail": self.detail}

    def line(self) -> str:
        return f"{self.status:<10} {self.path}: {self.detail}"


# -- reading labels -----------------------------------------------------------

def _label_json(value: Any) -> dict[str, Any] | None:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return None
    return value if isinstance(value, dict) and value.get("ai_generated") is True else None


def _scan_bytes(data: bytes) -> dict[str, Any] | None:
    """Find a JSON label anywhere in the raw bytes (ID3 frames, metadata atoms, damaged containers)."""
    decoder = json.JSONDecoder()
    start = 0
    while (hit := data.find(b'"ai_generated"', start)) >= 0:
        start = hit + 1
        # The label object opens shortly before its first key; try each brace back from the hit.
        window_start = max(0, hit - 4096)
        pos = hit
        for _ in range(8):
            pos = data.rfind(b"{", window_start, pos)
            if pos < 0:
                break
            chunk = data[pos:pos + 65536].decode("utf-8", errors="replace")
            try:
                value, _ = decoder.raw_decode(chunk)
            except json.JSONDecodeError:
                continue
            label = _label_json(value)
            if label is not None:
                return label
    return None


def _read_midi(path: Path) -> dict[str, Any] | None:
    import mido

    for track in mido.MidiFile(str(path)).tracks:
        for msg in track:
            if msg.is_meta and msg.type == "text":
                label = _label_json(msg.text)
                if label is not None:
                    return label
    return None


def read_label(path: Path) -> dict[str, Any] | None:
    """The genloom label inside ``path``, whatever the format; None when it carries none.

    A damaged container (one flipped byte can break a PNG chunk's CRC) falls back
    to scanning the raw bytes, so an edited file still says where it came from.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    data = path.read_bytes()
    label: dict[str, Any] | None = None
    try:
        if suffix == ".png":
            from genloom.image.label import read_png_label

            label = read_png_label(data)
        elif suffix == ".wav":
            from genloom.audio.label import read_wav_label

            label = read_wav_label(data)
        elif suffix in (".mp4", ".mov", ".m4v"):
            from genloom.video.encode import read_mp4_label

            label = read_mp4_label(path)
        elif suffix in (".mid", ".midi"):
            label = _read_midi(path)
    except Exception:  # noqa: BLE001 - a damaged file is read again below, byte by byte
        label = None
    if label is None and len(data) <= _TEXT_SUFFIXES_MAX:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None:
            from genloom.text import label as text_label

            found = text_label.read(text)
            if found is not None:
                label = found.as_dict()
    if label is None:
        label = _scan_bytes(data)
    if label is None:
        from genloom.audio.label import sidecar_path

        sidecar = sidecar_path(path)
        if sidecar.exists():
            try:
                label = _label_json(sidecar.read_text())
            except OSError:
                label = None
    return label


# -- the verdict ----------------------------------------------------------------

def _known(store: Any, gid: str | None) -> dict[str, Any] | None:
    if not gid:
        return None
    from genloom.errors import NotFound

    try:
        return store.generation(gid)
    except NotFound:
        return None


def _from_label(store: Any, label: dict[str, Any]) -> dict[str, Any] | None:
    """The generation a label describes, by its model with its prompt or seed (labels of media carry those)."""
    prompt = label.get("prompt") or label.get("source_text")
    seed = label.get("seed") if isinstance(label.get("seed"), int) else None
    for query in ({"prompt": prompt, "seed": seed}, {"prompt": prompt}, {"seed": seed}):
        if all(v is None for v in query.values()):
            continue
        found = store.generations_matching(model_id=label.get("model"), **{k: v for k, v in query.items()
                                                                           if v is not None})
        if found:
            return _known(store, found[0]["id"])
    return None


def verify(path: Path, store: Any = None) -> Verdict:
    """Check one file against its label and the store."""
    from genloom.errors import NotFound
    from genloom.store.files import sha256_file

    path = Path(path)
    if not path.is_file():
        raise NotFound(f"No file {path}", hint="give the path of a genloom output", param="file")
    if store is None:
        from genloom.store.db import get_store

        store = get_store()
    sha = sha256_file(path)
    label = read_label(path)
    matches = store.find_sha256(sha)
    model = (label or {}).get("model")
    if matches:
        gid = matches[0]["generation_id"]
        gen = _known(store, gid)
        model = gen["model_id"] if gen else model
        how = "labelled" if label else "no label inside (delivered bare)"
        return Verdict(path, "untouched", sha, label, gid, model, matches=matches,
                       detail=f"untouched genloom output, generation {gid} (model {model}); {how}")
    # Not these bytes: find the record the file came from, to say it was edited.
    gen = _known(store, (label or {}).get("generation_id"))
    if gen is None:
        delivered = store.deliveries_at(path)
        gen = _known(store, delivered[0]["generation_id"]) if delivered else None
    if gen is None and label:
        gen = _from_label(store, label)
    if gen is not None:
        return Verdict(path, "changed", sha, label, gen["id"], gen["model_id"],
                       detail=f"CHANGED since genloom made it: generation {gen['id']} (model {gen['model_id']}) "
                              "recorded other bytes")
    if label is not None:
        return Verdict(path, "unknown", sha, label, label.get("generation_id"), model,
                       detail=f"labelled AI-generated by {label.get('generator', 'genloom')} (model {model}), "
                              "but this store has no record of it")
    return Verdict(path, "unlabelled", sha, detail="no genloom label, and not in this store")


def verify_all(paths: list[Path]) -> list[Verdict]:
    """Each file, and each file under each directory, in name order."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith("."))
            # ``x.wav.json`` beside ``x.wav`` is that file's label sidecar, not an output of its own.
            files += [f for f in found if not (f.suffix == ".json" and f.with_suffix("").is_file())]
        else:
            files.append(p)
    return [verify(f) for f in files]
