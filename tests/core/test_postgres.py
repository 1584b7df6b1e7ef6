"""The store on a real PostgreSQL server, started on loopback for this test module."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

pytest.importorskip("psycopg")


def _pg_bin() -> Path | None:
    root = Path("/usr/lib/postgresql")
    versions = sorted(root.glob("*/bin/initdb")) if root.exists() else []
    return versions[-1].parent if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def pg_url(tmp_path_factory):
    bindir = _pg_bin()
    if bindir is None:
        pytest.fail("PostgreSQL server binaries are missing: 'make setup' installs the Debian package postgresql")
    import tempfile

    # pytest's tmp dirs are private to root (0700): the postgres user could
    # not reach a data directory inside them.
    base = Path(tempfile.mkdtemp(prefix="genloom-pg-"))
    base.chmod(0o755)
    data = base / "data"
    data.mkdir()
    as_root = os.geteuid() == 0
    # PostgreSQL refuses to run as root: use the 'postgres' system user then.
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:
        shutil.chown(data, "postgres", "postgres")
        shutil.chown(data.parent, "postgres", "postgres")
    port = _free_port()
    subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "genloom", "--auth=trust", "-E", "UTF8"],
                   check=True, capture_output=True)
    log = data.parent / "pg.log"
    subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-o",
                    f"-p {port} -k {data.parent} -c listen_addresses=127.0.0.1", "start"], check=True, capture_output=True)
    try:
        url = f"postgresql+psycopg://genloom@127.0.0.1:{port}/postgres"
        deadline = time.time() + 20
        import psycopg

        while True:
            try:
                psycopg.connect(f"host=127.0.0.1 port={port} user=genloom dbname=postgres").close()
                break
            except psycopg.OperationalError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def test_store_on_postgres(pg_url, tmp_path, monkeypatch):
    from genloom.store.db import get_store, reset_store

    monkeypatch.setenv("GENLOOM_DATABASE_URL", pg_url)
    reset_store()
    store = get_store()
    assert store.engine.dialect.name == "postgresql"
    assert store.migrate() == []  # already applied at construction
    src = tmp_path / "a.wav"
    src.write_bytes(b"RIFF....WAVE")
    parent = store.record_generation(kind="text", task="chat", model_id="m", output="script", params={"t": 0.5})
    child = store.record_generation(kind="speech", task="speak", model_id="v", parent_ids=[parent],
                                    assets=[{"path": src, "kind": "speech", "mime": "audio/wav"}])
    tree = store.tree(child)
    assert tree["parents"][0]["output"] == "script"
    assert tree["assets"][0]["meta"]["ai_generated"] is True
    assert [g["id"] for g in store.generations()] == [child, parent]
    reset_store()


def test_cli_logs_to_postgres(pg_url, monkeypatch, fake_model):
    from click.testing import CliRunner

    from genloom.cli import cli
    from genloom.store.db import get_store, reset_store

    monkeypatch.setenv("GENLOOM_DATABASE_URL", pg_url)
    reset_store()
    fake_model.enqueue("stored in postgres")
    assert CliRunner().invoke(cli, ["text", "hello pg"]).exit_code == 0
    assert get_store().generations(limit=1)[0]["output"] == "stored in postgres"
    reset_store()
