from __future__ import annotations

import sqlalchemy as sa

from genloom.store import schema
from genloom.store.db import AI_LABEL, Store, get_store
from genloom.store.files import BlobStore, atomic_write_bytes


def test_migrations_apply_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    store = Store(url, tmp_path / "assets")
    assert store.migrate() == []
    with store.engine.connect() as conn:
        names = [r[0] for r in conn.execute(sa.select(schema.migrations_table.c.name))]
    assert names == [name for name, _ in schema.MIGRATIONS]


def test_record_and_read_generation_with_assets(tmp_path):
    store = get_store()
    src = tmp_path / "out.bin"
    src.write_bytes(b"\x89PNG fake")
    gid = store.record_generation(
        kind="image", task="image", model_id="m", prompt="p", params={"a": 1}, seed=7,
        assets=[{"path": src, "kind": "image", "mime": "image/png", "meta": {"attribution": "x"}}],
    )
    row = store.generation(gid)
    assert row["seed"] == 7 and row["params"] == {"a": 1}
    (asset,) = row["assets"]
    assert asset["meta"]["ai_generated"] is True and asset["meta"]["attribution"] == "x"
    assert store.asset_path(asset).read_bytes() == b"\x89PNG fake"
    # Prefix lookup, like git.
    assert store.generation(gid[:-4])["id"] == gid


def test_failed_insert_writes_no_row(tmp_path):
    store = get_store()
    try:
        store.record_generation(kind="text", task="chat", model_id="m", bogus=1)
    except TypeError:
        pass
    assert store.generations() == []


def test_tree_follows_parents():
    store = get_store()
    a = store.record_generation(kind="text", task="chat", model_id="m", output="script")
    b = store.record_generation(kind="speech", task="speak", model_id="v", parent_ids=[a])
    tree = store.tree(b)
    assert tree["parents"][0]["id"] == a


def test_blob_store_is_content_addressed(tmp_path):
    blobs = BlobStore(tmp_path)
    sha1, p1 = blobs.put_bytes(b"same", ".txt")
    sha2, p2 = blobs.put_bytes(b"same", ".txt")
    assert sha1 == sha2 and p1 == p2 and p1.read_bytes() == b"same"


def test_blob_store_rejects_path_escapes(tmp_path):
    import pytest

    with pytest.raises(ValueError):
        BlobStore(tmp_path).path_for("../../etc/passwd")


def test_atomic_write_leaves_no_temp_files(tmp_path):
    target = tmp_path / "f.txt"
    atomic_write_bytes(target, b"one")
    atomic_write_bytes(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_database_url_is_configurable(tmp_path, monkeypatch):
    from genloom.store.db import reset_store

    url = f"sqlite:///{tmp_path / 'other.db'}"
    monkeypatch.setenv("GENLOOM_DATABASE_URL", url)
    reset_store()
    assert get_store().url == url
    assert (tmp_path / "other.db").exists()


def test_ai_label_fields():
    assert AI_LABEL["ai_generated"] is True
