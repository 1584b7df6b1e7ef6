"""The user's own files: find them, type them by their content, measure them.

A request can use files three ways: named in its words ("summarize
standup.wav"), passed with ``genloom run ... -i FILE``, or uploaded to
``POST /v1/jobs`` (the server stores uploads first and passes their stored
path). Whatever the way, each file becomes an :class:`InputFile` whose
``kind`` comes from its bytes (magic numbers, then ffmpeg/Pillow/libsndfile
to confirm and measure), never from its name: ``notes.wav`` that holds text
is text, ``clip.dat`` that holds H.264 is video.

A file that is missing, empty, unreadable or of a kind genloom cannot use is
an :class:`~genloom.errors.InvalidInput` naming the file, raised before any
step runs.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from genloom.brain.spec import InputFile
from genloom.errors import InvalidInput, NotFound

# How much of a file decides its kind; a text file is read whole later.
HEAD_BYTES = 64 * 1024
# A text input goes into an LLM prompt: past this it would not fit the context.
MAX_TEXT_BYTES = 2 * 1024 * 1024

# Kinds of files genloom recognises but cannot use as input, with what to do instead.
UNUSABLE: list[tuple[bytes, int, str]] = [
    (b"%PDF", 0, "a PDF document (export it as plain text first)"),
    (b"MThd", 0, "a MIDI file (render it to WAV first)"),
    (b"PK\x03\x04", 0, "a ZIP archive or office document (export it as plain text first)"),
    (b"\x7fELF", 0, "a program binary"),
]


def _unusable(head: bytes) -> str | None:
    for magic, offset, what in UNUSABLE:
        if head[offset:offset + len(magic)] == magic:
            return what
    return None


def sniff(head: bytes) -> str | None:
    """The kind a file's first bytes claim ("audio", "video", "image", "media"), or None (maybe text).

    "media" means a container that can hold audio or video (MP4, Matroska,
    Ogg): ffmpeg decides which from its streams.
    """
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "video"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image"
    if head[:4] in (b"fLaC", b"FORM") or head[:3] == b"ID3":
        return "audio"
    # An MPEG audio frame: 11 sync bits, then a valid layer.
    if len(head) > 1 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0 and (head[1] & 0x06) != 0:
        return "audio"
    if head[4:8] == b"ftyp" or head[:4] == b"\x1a\x45\xdf\xa3" or head[:4] == b"OggS":
        return "media"
    if head[:8] == b"\x89PNG\r\n\x1a\n" or head[:3] == b"\xff\xd8\xff" or head[:6] in (b"GIF87a", b"GIF89a") \
            or head[:2] == b"BM" or head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image"
    return None


def _text(data: bytes) -> str | None:
    """The file's text when it is UTF-8 (or UTF-16 with a BOM) and not binary, else None."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # The head may end inside a multi-byte character.
        if exc.start < len(data) - 4:
            return None
        text = data[:exc.start].decode("utf-8-sig")
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t\f")
    return text if controls <= len(text) // 100 else None


# Lines that only source code starts or ends like this; prose rarely does.
_CODE_LINE = re.compile(
    r"^\s*(?:#!|#include\b|import\s+[\w.]+|from\s+[\w.]+\s+import\b|def\s+\w+\s*\(|class\s+\w+[\s:({]|"
    r"(?:async\s+)?function\b|(?:const|let|var)\s+\w+\s*=|public\s+|package\s+\w+|fn\s+\w+|<\?php|"
    r"<!DOCTYPE|<html|SELECT\b|CREATE\s+TABLE|return\b.*;?$|\}|.*[;{]\s*$|"
    r"(?:if|elif|else|for|while|try|except|finally|with|switch|case)\b.*:\s*$|"  # block headers
    r"[\w.\[\]]+\(.*\)\s*;?\s*$|"  # a bare call: print(x), main()
    r"[\w.\[\]]+\s*[-+*/]?=\s*\S)")  # an assignment


def _code_lines(text: str) -> list[str]:
    """Non-empty lines with comments and docstrings left out (they are prose in any program)."""
    out, in_doc = [], False
    for line in text.splitlines()[:300]:
        stripped = line.strip()
        if in_doc or stripped.startswith(('"""', "'''")):
            quotes = stripped.count('"""') + stripped.count("'''")
            in_doc = in_doc != (quotes % 2 == 1)
            continue
        if not stripped or stripped.startswith(("#", "//", "/*", "*", "--")) and not stripped.startswith("#!"):
            continue
        out.append(re.sub(r"\s+(?:#|//)\s.*$", "", line))
    return out


def looks_like_code(text: str) -> bool:
    """True when most lines (comments and docstrings aside) read as source code, not prose."""
    lines = _code_lines(text)
    if not lines:
        return False
    code = sum(1 for ln in lines if _CODE_LINE.match(ln))
    return code >= 3 and code / len(lines) >= 0.4


def _ffmpeg_info(path: Path) -> dict[str, Any]:
    """Streams and duration from ``ffmpeg -i`` (imageio-ffmpeg's bundled binary)."""
    from genloom.video.encode import ffmpeg_exe

    run = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True,
                         timeout=60)
    err = run.stderr
    info: dict[str, Any] = {"audio": bool(re.search(r"Stream #.*: Audio:", err)), "video": False}
    for m in re.finditer(r"Stream #.*: Video: (\w+)[^\n]*?, (\d{2,5})x(\d{2,5})([^\n]*)", err):
        if "attached pic" in m.group(4):  # cover art in an audio file is not a video
            continue
        info["video"] = True
        info["width"], info["height"] = int(m.group(2)), int(m.group(3))
        break
    m = re.search(r"Duration: (\d+):(\d+):([\d.]+)", err)
    if m:
        info["seconds"] = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    return info


def _audio_seconds(path: Path) -> float | None:
    """Duration of an audio file: libsndfile when it can, else ffmpeg."""
    import soundfile as sf

    try:
        info = sf.info(str(path))
        if info.frames > 0 and info.samplerate > 0:
            return float(info.frames / info.samplerate)
    except (RuntimeError, sf.LibsndfileError):
        pass  # formats libsndfile cannot read (some MP3s): ffmpeg below
    return _ffmpeg_info(path).get("seconds")


def _audio_mime(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(12)
    if head[:4] == b"RIFF":
        return "audio/wav"
    if head[:4] == b"fLaC":
        return "audio/flac"
    if head[:4] == b"FORM":
        return "audio/aiff"
    return "audio/mpeg"


def _probe_media(path: Path, sniffed: str, shown: str) -> dict[str, Any]:
    """Kind, mime, duration and size of an audio/video/image file; InvalidInput when it does not decode."""
    if sniffed == "image":
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(path) as im:
                im.verify()
            with Image.open(path) as im:
                fmt = (im.format or "png").lower()
                return {"kind": "image", "mime": Image.MIME.get(im.format or "", f"image/{fmt}"),
                        "width": im.width, "height": im.height}
        except (UnidentifiedImageError, OSError, SyntaxError) as exc:
            raise InvalidInput(f"Input {shown} looks like an image but cannot be read ({exc})",
                               hint="pass a PNG, JPEG, WebP or GIF that opens in an image viewer",
                               param="inputs") from None
    if sniffed == "audio":
        seconds = _audio_seconds(path)
        if not seconds:
            raise InvalidInput(f"Input {shown} looks like audio but holds no decodable sound",
                               hint="pass a WAV, FLAC, OGG or MP3 that plays", param="inputs")
        return {"kind": "audio", "mime": _audio_mime(path), "seconds": round(seconds, 3)}
    info = _ffmpeg_info(path)
    if info["video"]:
        return {"kind": "video", "mime": "video/mp4", "seconds": info.get("seconds"),
                "width": info.get("width"), "height": info.get("height")}
    if info["audio"] and info.get("seconds"):
        return {"kind": "audio", "mime": "audio/mp4", "seconds": round(info["seconds"], 3)}
    raise InvalidInput(f"Input {shown} is a media container with no audio or video ffmpeg can decode",
                       hint="pass an MP4, MOV, WebM or MKV file that plays", param="inputs")


def type_file(path: str | Path, *, input_id: str = "in1", named_as: str = "",
              asset_id: str | None = None) -> InputFile:
    """One file as an :class:`InputFile`, its kind read from its content; InvalidInput when unusable."""
    p = Path(path).expanduser()
    shown = named_as or str(path)
    if not p.exists():
        raise InvalidInput(f"Input file {shown} does not exist", hint=f"looked for {p.absolute()}",
                           param="inputs")
    if p.is_dir():
        raise InvalidInput(f"Input {shown} is a directory, not a file", hint="name the files inside it",
                           param="inputs")
    try:
        with p.open("rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError as exc:
        raise InvalidInput(f"Input file {shown} cannot be read ({exc.strerror or exc})",
                           hint="check its permissions", param="inputs") from None
    if not head:
        raise InvalidInput(f"Input file {shown} is empty", param="inputs")
    what = _unusable(head)
    if what:
        raise InvalidInput(f"Input {shown} is {what}; genloom reads text, audio, video and images",
                           param="inputs")
    sniffed = sniff(head)
    fields: dict[str, Any]
    if sniffed is not None:
        fields = _probe_media(p, sniffed, shown)
    else:
        if p.stat().st_size > MAX_TEXT_BYTES:
            raise InvalidInput(f"Input {shown} is {p.stat().st_size // 1024} KiB; text inputs are limited to "
                               f"{MAX_TEXT_BYTES // 1024} KiB", hint="pass the part you need", param="inputs")
        text = _text(p.read_bytes())
        if text is None:
            raise InvalidInput(f"Input {shown} is neither text, audio, video nor an image genloom can read",
                               hint="pass UTF-8 text, WAV/MP3/FLAC/OGG, MP4/MOV/WebM, or PNG/JPEG/WebP",
                               param="inputs")
        if not text.strip():
            raise InvalidInput(f"Input file {shown} holds only whitespace", param="inputs")
        kind = "code" if looks_like_code(text) else "text"
        fields = {"kind": kind, "mime": "text/plain"}
    return InputFile(id=input_id, path=str(p.resolve()), named_as=named_as or p.name, asset_id=asset_id,
                     **fields)


def load_inputs(paths: Iterable[str | Path], *, named_as: Iterable[str] | None = None,
                start: int = 1) -> list[InputFile]:
    """Type every file (ids ``in<start>``, ``in<start+1>``...); the first bad one raises InvalidInput."""
    names = list(named_as or [])
    out: list[InputFile] = []
    seen: set[str] = set()
    for i, path in enumerate(paths):
        resolved = str(Path(path).expanduser().resolve())
        if resolved in seen:  # the same file passed twice is one input
            continue
        seen.add(resolved)
        name = names[i] if i < len(names) else ""
        out.append(type_file(path, input_id=f"in{start + len(out)}", named_as=name))
    return out


# A file name as people write it in a sentence: a word, dots/dashes allowed, and an extension.
# Quoted names may hold spaces ("summarize 'team notes.txt'").
_FILE = re.compile(
    r"""(?:(?<=[\s(\[])|^)(?:["'“‘`]([^"'”’`\n]{1,200}\.[A-Za-z0-9]{1,5})["'”’`]|"""
    r"""((?:[~.]{0,2}/)?[\w][\w./-]{0,200}\.[A-Za-z][A-Za-z0-9]{0,4}))(?=[\s.,;:!?)\]]|$)""")
# Dotted words that are not file names ("e.g.", "v1.2", "node.js", "example.com").
_NOT_FILE = re.compile(r"^(?:e\.g|i\.e|etc|vs|mr|mrs|dr|st)\.?$|\.(?:com|org|net|io|dev|ai|js)$", re.I)


def mentioned_files(text: str) -> list[str]:
    """File names the request writes ("standup.wav", "./notes/ch1.txt", "'my notes.txt'"), in order."""
    out: list[str] = []
    for m in _FILE.finditer(text):
        name = (m.group(1) or m.group(2)).rstrip(".")
        if "." not in Path(name).name or _NOT_FILE.search(name) or name in out:
            continue
        out.append(name)
    return out


def resolve_named(names: Iterable[str], cwd: str | Path | None = None, *, start: int = 1) -> list[InputFile]:
    """The named files that exist relative to ``cwd`` (default: the working directory), typed.

    A name with no file behind it is skipped here: the request may name the
    file it wants written ("save it as poster.png"). Understanding decides
    whether a missing name was meant as an input (see :func:`missing_named`).
    """
    base = Path(cwd) if cwd is not None else Path.cwd()
    found, shown = [], []
    for name in names:
        path = (base / Path(name).expanduser())
        if path.is_file():
            found.append(path)
            shown.append(name)
    return load_inputs(found, named_as=shown, start=start)


def missing_named(names: Iterable[str], cwd: str | Path | None = None) -> list[str]:
    """The named files that do not exist relative to ``cwd``."""
    base = Path(cwd) if cwd is not None else Path.cwd()
    return [n for n in names if not (base / Path(n).expanduser()).exists()]


# A name after a preposition of destination names what to write, not what to read
# ("save it as summary.md", "export the video to final.mp4", "a file called notes.txt");
# "add music to clip.mp4" reads clip.mp4.
_DESTINATION = re.compile(r"(?:\b(?:as|into|called|named)|\b(?:save|write|export|output)\w*\s+(?:\w+\s+){0,3}to)"
                          r"\s+[\"'“‘`]?$", re.I)


def output_names(text: str) -> set[str]:
    """Mentioned file names that the request names as its outputs."""
    out = set()
    for name in mentioned_files(text):
        at = text.find(name)
        if at > 0 and _DESTINATION.search(text[:at]):
            out.add(name)
    return out


def missing_inputs(text: str, cwd: str | Path | None = None) -> list[str]:
    """Files the request names as inputs that do not exist (names of outputs excluded)."""
    from genloom.brain.understand import mentioned_files as mentions

    outputs = output_names(text)
    return [n for n in missing_named(mentions(text), cwd) if n not in outputs]


def read_text(f: InputFile) -> str:
    """A text or code input's words (the whole file; typing already checked it decodes)."""
    if f.kind not in ("text", "code"):
        raise InvalidInput(f"Input {f.named_as or f.path} is {f.kind}, not text", param="inputs")
    return _text(Path(f.path).read_bytes()) or ""


def gather(request: str, paths: Iterable[str | Path] = (), cwd: str | Path | None = None) -> list[InputFile]:
    """Every input of a request: the ``-i`` files first, then the existing files its words name.

    A named file's ``named_as`` is the mention exactly as understanding finds it
    (``genloom.brain.understand.mentioned_files``), so it can tell which part uses it.
    """
    from genloom.brain.understand import mentioned_files as mentions

    explicit = load_inputs(list(paths))
    known = {f.path for f in explicit}
    named = [f for f in resolve_named(mentions(request), cwd, start=len(explicit) + 1)
             if f.path not in known]
    merged = explicit + named
    for i, f in enumerate(merged, 1):
        f.id = f"in{i}"
    return merged


# -- files in the store (uploads over HTTP, asset ids) ----------------------------------
# A request never names a file on a server: its inputs are uploads (stored first)
# or ids of assets already in the store, and steps read the store's copy.

ASSET_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_INPUTS = 16
# A stored upload's extension follows its content (for downloads); its kind never depends on it.
EXT = {"audio/wav": ".wav", "audio/mpeg": ".mp3", "audio/flac": ".flac", "audio/aiff": ".aiff", "audio/mp4": ".m4a",
       "video/mp4": ".mp4", "image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp",
       "image/bmp": ".bmp", "image/tiff": ".tif", "text/plain": ".txt"}


def _safe_name(filename: str | None) -> str:
    """The uploaded file's base name, for display only (never used as a path)."""
    name = Path(str(filename or "upload")).name
    return re.sub(r"[^\w. -]", "_", name)[:120] or "upload"


def store_upload(data: bytes, filename: str | None, *, input_id: str = "in1") -> InputFile:
    """Type ``data`` by its content, store it as an asset, return it as an input read from the store."""
    from genloom.store.db import get_store

    name = _safe_name(filename)
    if not data:
        raise InvalidInput(f"Uploaded file {name} is empty", param="files")
    with tempfile.TemporaryDirectory(prefix="genloom-upload-") as tmp:
        path = Path(tmp) / "upload"
        path.write_bytes(data)
        typed = type_file(path, named_as=name)  # InvalidInput (400) when it is not usable
        store = get_store()
        meta: dict[str, Any] = {"ai_generated": False, "label": "uploaded by the user", "filename": name}
        for key in ("seconds", "width", "height"):
            if getattr(typed, key) is not None:
                meta[key] = getattr(typed, key)
        store.record_generation(kind="upload", task="upload",
                                model_id="user-upload", prompt=name, params={"bytes": len(data)},
                                assets=[{"path": path, "kind": typed.kind, "mime": typed.mime,
                                         "ext": EXT.get(typed.mime, ".bin"), "meta": meta}])
        asset_id = store.last_asset_ids[0]
    stored = store.asset_path(store.asset(asset_id))
    return typed.model_copy(update={"id": input_id, "path": str(stored), "asset_id": asset_id})


def from_assets(asset_ids: list[str], *, start: int = 1) -> list[InputFile]:
    """Inputs for asset ids in the store (NotFound for an unknown id, InvalidInput when unusable)."""
    from genloom.store.db import get_store

    if len(asset_ids) > MAX_INPUTS:
        raise InvalidInput(f"{len(asset_ids)} inputs; a job takes at most {MAX_INPUTS}", param="inputs")
    store = get_store()
    root = store.blobs.root.resolve()
    out: list[InputFile] = []
    for i, asset_id in enumerate(asset_ids):
        if not isinstance(asset_id, str) or not ASSET_ID.match(asset_id):
            raise InvalidInput(f"inputs[{i}] is not an asset id", param=f"inputs[{i}]",
                               hint="upload the file with POST /v1/assets and send its id")
        asset = store.asset(asset_id)
        try:
            path = store.asset_path(asset).resolve()
        except ValueError:
            raise NotFound(f"The file of asset {asset_id!r} is missing from the store", param=f"inputs[{i}]") from None
        if not path.is_relative_to(root) or not path.is_file():
            raise NotFound(f"The file of asset {asset_id!r} is missing from the store", param=f"inputs[{i}]")
        name = str((asset.get("meta") or {}).get("filename") or f"asset:{asset_id}")
        out.append(type_file(path, input_id=f"in{start + i}", named_as=name, asset_id=asset_id))
    return out
