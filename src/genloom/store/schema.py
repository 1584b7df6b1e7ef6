"""Table definitions (SQLAlchemy Core) and the append-only list of migrations.

Each migration is a named function applied once, in order, and recorded in
``genloom_migrations``. Never edit or reorder one that has shipped: append.
Migrations use Alembic's ``Operations`` so they run on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

metadata = sa.MetaData()

migrations_table = sa.Table(
    "genloom_migrations",
    metadata,
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
)

generations = sa.Table(
    "generations",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("task", sa.String(40), nullable=False),
    sa.Column("model_id", sa.String(200), nullable=False),
    sa.Column("model_sha256", sa.String(64)),
    sa.Column("prompt", sa.Text),
    sa.Column("system", sa.Text),
    sa.Column("messages", sa.JSON),
    sa.Column("params", sa.JSON),
    sa.Column("seed", sa.BigInteger),
    sa.Column("output", sa.Text),
    sa.Column("status", sa.String(20), nullable=False, default="ok"),
    sa.Column("error", sa.Text),
    sa.Column("prompt_tokens", sa.Integer),
    sa.Column("completion_tokens", sa.Integer),
    sa.Column("ttft_ms", sa.Float),
    sa.Column("duration_ms", sa.Float),
    sa.Column("parent_ids", sa.JSON),
    sa.Column("run_id", sa.String(40), index=True),
    sa.Column("extra", sa.JSON),
)

assets = sa.Table(
    "assets",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("generation_id", sa.String(40), sa.ForeignKey("generations.id"), index=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("mime", sa.String(100), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("meta", sa.JSON),
)


def _m001_initial(conn: Connection) -> None:
    # Frozen copies of the first version of each table: later changes go in
    # new migrations so old databases upgrade the same way new ones are made.
    md = sa.MetaData()
    sa.Table(
        "generations",
        md,
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("task", sa.String(40), nullable=False),
        sa.Column("model_id", sa.String(200), nullable=False),
        sa.Column("model_sha256", sa.String(64)),
        sa.Column("prompt", sa.Text),
        sa.Column("system", sa.Text),
        sa.Column("messages", sa.JSON),
        sa.Column("params", sa.JSON),
        sa.Column("seed", sa.BigInteger),
        sa.Column("output", sa.Text),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("prompt_tokens", sa.Integer),
        sa.Column("completion_tokens", sa.Integer),
        sa.Column("ttft_ms", sa.Float),
        sa.Column("duration_ms", sa.Float),
        sa.Column("parent_ids", sa.JSON),
        sa.Column("run_id", sa.String(40), index=True),
        sa.Column("extra", sa.JSON),
    )
    sa.Table(
        "assets",
        md,
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("generation_id", sa.String(40), sa.ForeignKey("generations.id"), index=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("mime", sa.String(100), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("meta", sa.JSON),
    )
    md.create_all(conn)


jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("request", sa.JSON),
    sa.Column("plan", sa.JSON),
    sa.Column("steps", sa.JSON),
    sa.Column("result", sa.JSON),
    sa.Column("error", sa.Text),
    # m003: which process runs it, the run id its generations carry, how many
    # times it was started, and its milestone events (kept across restarts).
    sa.Column("owner", sa.String(200)),
    sa.Column("run_id", sa.String(40)),
    sa.Column("attempts", sa.Integer),
    sa.Column("events", sa.JSON),
)

job_steps = sa.Table(
    "job_steps",
    metadata,
    sa.Column("job_id", sa.String(40), primary_key=True),
    sa.Column("step_id", sa.String(60), primary_key=True),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("result", sa.JSON, nullable=False),
)

# m004: files delivered to the user, for ``genloom verify``.
deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("path", sa.Text, nullable=False, index=True),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("generation_id", sa.String(40), nullable=False, index=True),
    sa.Column("asset_id", sa.String(40)),
)


def _m002_jobs(conn: Connection) -> None:
    # Server jobs (POST /v1/jobs): a snapshot per state change, so finished
    # jobs can still be read after a restart.
    md = sa.MetaData()
    sa.Table(
        "jobs",
        md,
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("request", sa.JSON),
        sa.Column("plan", sa.JSON),
        sa.Column("steps", sa.JSON),
        sa.Column("result", sa.JSON),
        sa.Column("error", sa.Text),
    )
    md.create_all(conn)


def _m003_durable_jobs(conn: Connection) -> None:
    # Jobs that survive a crash: each finished step's result is saved as it
    # finishes (job_steps), so a restarted server resumes after it.
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    op = Operations(MigrationContext.configure(conn))
    op.add_column("jobs", sa.Column("owner", sa.String(200)))
    op.add_column("jobs", sa.Column("run_id", sa.String(40)))
    op.add_column("jobs", sa.Column("attempts", sa.Integer))
    op.add_column("jobs", sa.Column("events", sa.JSON))
    md = sa.MetaData()
    sa.Table(
        "job_steps",
        md,
        sa.Column("job_id", sa.String(40), primary_key=True),
        sa.Column("step_id", sa.String(60), primary_key=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("result", sa.JSON, nullable=False),
    )
    md.create_all(conn)


def _m004_deliveries(conn: Connection) -> None:
    # Files handed to the user (``-o``, ``genloom run``'s output folder): where,
    # with which bytes, from which generation. ``genloom verify`` reads it to tell
    # an untouched file from one edited since, even when the edit hit its label.
    md = sa.MetaData()
    sa.Table(
        "deliveries",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("path", sa.Text, nullable=False, index=True),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("generation_id", sa.String(40), nullable=False, index=True),
        sa.Column("asset_id", sa.String(40)),
    )
    md.create_all(conn)


MIGRATIONS: list[tuple[str, Callable[[Connection], None]]] = [
    ("m001_initial", _m001_initial),
    ("m002_jobs", _m002_jobs),
    ("m003_durable_jobs", _m003_durable_jobs),
    ("m004_deliveries", _m004_deliveries),
]
