"""The provenance database: every generation and every asset, with lineage."""

from __future__ import annotations

import secrets
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from genloom import config
from genloom.errors import NotFound
from genloom.store import schema
from genloom.store.files import BlobStore

AI_LABEL = {
    "ai_generated": True,
    "generator": "genloom",
    "label": "AI-generated content",
}


def new_id(prefix: str = "") -> str:
    """Time-sortable id: milliseconds since epoch in hex, then randomness."""
    return f"{prefix}{int(time.time() * 1000):012x}{secrets.token_hex(6)}"


def utcnow() -> datetime:
    return datetime.now(UTC)


class Store:
    """Generations and assets, in any SQLAlchemy database, blobs on disk."""

    def __init__(self, url: str | None = None, assets_root: Path | None = None):
        self.url = url or config.database_url()
        self.engine: Engine = self._make_engine(self.url)
        self.blobs = BlobStore(assets_root or config.assets_dir())
        self.migrate()

    @staticmethod
    def _make_engine(url: str) -> Engine:
        if url.startswith("sqlite"):
            engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

            @sa.event.listens_for(engine, "connect")
            def _pragmas(dbapi_conn: Any, _record: Any) -> None:
                cur = dbapi_conn.cursor()
                # WAL: readers never block the writer, and a crash mid-write
                # leaves the last committed state intact.
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.execute("PRAGMA foreign_keys=ON")
                cur.close()

            return engine
        return sa.create_engine(url, pool_pre_ping=True)

    def migrate(self) -> list[str]:
        applied: list[str] = []
        with self.engine.begin() as conn:
            schema.migrations_table.create(conn, checkfirst=True)
            done = {r[0] for r in conn.execute(sa.select(schema.migrations_table.c.name))}
            for name, fn in schema.MIGRATIONS:
                if name in done:
                    continue
                fn(conn)
                conn.execute(schema.migrations_table.insert().values(name=name, applied_at=utcnow()))
                applied.append(name)
        return applied

    # -- writing ------------------------------------------------------
    def record_generation(
        self,
        *,
        kind: str,
        task: str,
        model_id: str,
        output: str | None = None,
        assets: list[dict[str, Any]] | None = None,
        generation_id: str | None = None,
        **fields: Any,
    ) -> str:
        """Insert one generation and its assets in a single transaction.

        ``assets`` items: ``{"path": Path, "kind": str, "mime": str, "meta": dict}``;
        files are copied into the blob store before the transaction starts, so a
        failure leaves at most an unreferenced blob, never a row without its file.
        """
        gid = generation_id or new_id("gen_")
        rows = []
        for item in assets or []:
            if "data" in item:
                sha, path = self.blobs.put_bytes(item["data"], item.get("ext", ""))
            else:
                sha, path = self.blobs.put_file(Path(item["path"]), item.get("ext"))
            meta = {**AI_LABEL, **(item.get("meta") or {})}
            rows.append(
                dict(
                    id=item.get("id") or new_id("ast_"),
                    created_at=utcnow(),
                    generation_id=gid,
                    kind=item["kind"],
                    mime=item["mime"],
                    sha256=sha,
                    path=str(path.relative_to(self.blobs.root)),
                    size=path.stat().st_size,
                    meta=meta,
                )
            )
        allowed = {c.name for c in schema.generations.columns}
        unknown = set(fields) - allowed
        if unknown:
            raise TypeError(f"unknown generation fields: {sorted(unknown)}")
        with self.engine.begin() as conn:
            conn.execute(
                schema.generations.insert().values(
                    id=gid,
                    created_at=utcnow(),
                    kind=kind,
                    task=task,
                    model_id=model_id,
                    output=output,
                    status=fields.pop("status", "ok"),
                    **fields,
                )
            )
            if rows:
                conn.execute(schema.assets.insert(), rows)
        self.last_asset_ids = [r["id"] for r in rows]
        return gid

    def record_delivery(self, path: Path, generation_id: str, *, sha256: str | None = None,
                        asset_id: str | None = None) -> None:
        """Remember that ``path`` was handed to the user holding ``generation_id``'s output."""
        from genloom.store.files import sha256_file

        path = Path(path).resolve()
        with self.engine.begin() as conn:
            conn.execute(schema.deliveries.insert().values(
                created_at=utcnow(), path=str(path), sha256=sha256 or sha256_file(path),
                generation_id=generation_id, asset_id=asset_id))

    # -- reading ------------------------------------------------------
    def find_sha256(self, sha256: str) -> list[dict[str, Any]]:
        """Every asset and delivered file with these bytes (``source`` says which), oldest first."""
        with self.engine.connect() as conn:
            found = [{"source": "asset", "asset_id": r.id, "generation_id": r.generation_id, "path": None}
                     for r in conn.execute(sa.select(schema.assets).where(schema.assets.c.sha256 == sha256)
                                           .order_by(schema.assets.c.created_at))]
            found += [{"source": "delivery", "asset_id": r.asset_id, "generation_id": r.generation_id,
                       "path": r.path}
                      for r in conn.execute(sa.select(schema.deliveries).where(schema.deliveries.c.sha256 == sha256)
                                            .order_by(schema.deliveries.c.id))]
        return found

    def deliveries_at(self, path: Path) -> list[dict[str, Any]]:
        """What was delivered at ``path``, newest first."""
        q = (sa.select(schema.deliveries).where(schema.deliveries.c.path == str(Path(path).resolve()))
             .order_by(schema.deliveries.c.id.desc()))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def generations_matching(self, *, prompt: str | None = None, model_id: str | None = None,
                             seed: int | None = None, limit: int = 5) -> list[dict[str, Any]]:
        """Generations with this exact prompt and/or seed (and model), newest first: how a label finds its record."""
        if prompt is None and seed is None:
            return []
        g = schema.generations
        q = sa.select(g.c.id, g.c.kind, g.c.model_id, g.c.created_at)
        if prompt is not None:
            q = q.where(g.c.prompt == prompt)
        if seed is not None:
            q = q.where(g.c.seed == int(seed))
        if model_id:
            q = q.where(g.c.model_id == model_id)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q.order_by(g.c.created_at.desc()).limit(limit))]

    def generations(self, limit: int = 20, kind: str | None = None, model_id: str | None = None) -> list[dict[str, Any]]:
        q = sa.select(schema.generations).order_by(schema.generations.c.created_at.desc(), schema.generations.c.id.desc())
        if kind:
            q = q.where(schema.generations.c.kind == kind)
        if model_id:
            q = q.where(schema.generations.c.model_id == model_id)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q.limit(limit))]

    def generation(self, gid: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(schema.generations).where(schema.generations.c.id == gid)).first()
            if row is None:
                # Accept a unique prefix, as git does for commits.
                rows = conn.execute(
                    sa.select(schema.generations).where(schema.generations.c.id.like(f"{gid}%")).limit(2)
                ).all()
                if len(rows) != 1:
                    raise NotFound(f"No generation {gid!r}", hint="'genloom log' lists recent ones", param="id")
                row = rows[0]
            data = dict(row._mapping)
            data["assets"] = [
                dict(r._mapping)
                for r in conn.execute(sa.select(schema.assets).where(schema.assets.c.generation_id == data["id"]))
            ]
        return data

    def asset(self, asset_id: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(schema.assets).where(schema.assets.c.id == asset_id)).first()
        if row is None:
            raise NotFound(f"No asset {asset_id!r}", param="id")
        return dict(row._mapping)

    def asset_path(self, asset: dict[str, Any]) -> Path:
        # Paths are recomputed from the sha256, never trusted from the row, so
        # a tampered row cannot point outside the store.
        ext = Path(asset["path"]).suffix
        return self.blobs.path_for(asset["sha256"], ext)

    def assets(self, limit: int = 50, kind: str | None = None) -> list[dict[str, Any]]:
        q = sa.select(schema.assets).order_by(schema.assets.c.created_at.desc())
        if kind:
            q = q.where(schema.assets.c.kind == kind)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q.limit(limit))]

    def tree(self, gid: str) -> dict[str, Any]:
        """The generation with its parents, recursively (provenance graph)."""
        seen: set[str] = set()

        def walk(g: str) -> dict[str, Any]:
            node = self.generation(g)
            if node["id"] in seen:
                return {"id": node["id"], "cycle": True}
            seen.add(node["id"])
            node["parents"] = [walk(p) for p in (node.get("parent_ids") or [])]
            return node

        return walk(gid)

    def children(self, gid: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(schema.generations).where(schema.generations.c.run_id == gid)).all()
        return [dict(r._mapping) for r in rows]


_store: Store | None = None
_store_lock = threading.Lock()


def get_store() -> Store:
    global _store
    with _store_lock:
        url = config.database_url()
        if _store is None or _store.url != url:
            _store = Store(url)
        return _store


def reset_store() -> None:
    global _store
    with _store_lock:
        if _store is not None:
            _store.engine.dispose()
        _store = None
