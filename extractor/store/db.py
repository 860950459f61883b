"""Where the store lives and how it is opened: SQLite by default (one file, WAL),
PostgreSQL when ``NIANBAO_DB`` or ``--db`` is a ``postgresql://`` URL; either way
migrated to the current schema with Alembic on open, so a store made by one
version opens in the next."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import SQLAlchemyError

from ..errors import ConfigError

#: The store used when neither ``--db`` nor ``NIANBAO_DB`` names one.
DEFAULT_DB = "nianbao.db"
_MIGRATIONS = Path(__file__).with_name("migrations")
#: Serialises migrations when several processes open a fresh PostgreSQL store at once.
_PG_MIGRATION_LOCK = 0x6E69616E
_READ_ONLY = "nianbao_read_only"


def store_url(db: str | None = None) -> str:
    """The SQLAlchemy URL of ``db`` (a file path or a URL), else of ``$NIANBAO_DB``, else ``nianbao.db``."""
    name = db or os.environ.get("NIANBAO_DB") or DEFAULT_DB
    if name.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + name.split("://", 1)[1]
    if "://" in name:
        return name
    return "sqlite:///" + str(Path(name).expanduser().resolve())


def _sqlite_pragmas(engine: Engine) -> None:
    """WAL (readers never wait for the batch writer), a busy timeout instead of
    ``database is locked``, foreign keys on, and every transaction but a
    :func:`reading` one taking the write lock at BEGIN, so two writers queue instead
    of deadlocking on a lock upgrade."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we say BEGIN ourselves
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(_READ_ONLY) else "BEGIN IMMEDIATE")


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection that only reads: on SQLite its transaction takes no write lock."""
    with engine.connect() as conn:
        yield conn.execution_options(**{_READ_ONLY: True})


def require_existing(url: str) -> None:
    """Refuse a SQLite store that does not exist yet: a command that only reads one
    (``export``, ``review``) would otherwise create an empty store at a mistyped path
    and report nothing in it."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or DEFAULT_DB)
        if not path.is_file():
            raise ConfigError(f"{path}: no store there (nianbao batch or nianbao serve creates one)")


def connect(url: str) -> Engine:
    """An engine for ``url`` (see :func:`store_url`), not yet migrated."""
    try:
        engine = create_engine(url, pool_pre_ping=url.startswith("postgresql"))
    except (SQLAlchemyError, ImportError, ValueError) as e:
        raise ConfigError(f"cannot open store {url}: {e}") from None
    if engine.dialect.name == "sqlite":
        Path(engine.url.database or DEFAULT_DB).parent.mkdir(parents=True, exist_ok=True)
        _sqlite_pragmas(engine)
    return engine


def head_revision() -> str:
    """The schema revision this version of nianbao writes."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision recorded in the store's ``alembic_version`` table (None for an empty database)."""
    with reading(engine) as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the store to the current schema (a no-op when it is there), or to an older
    ``revision`` when a test builds a store as an earlier version made it."""
    if current_revision(engine) == (head_revision() if revision == "head" else revision):
        return
    config = _config()
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def utc_now(offset_seconds: float = 0.0) -> str:
    """The time (UTC, ISO 8601, to the second) as the store records it; sortable as text."""
    return (datetime.now(UTC) + timedelta(seconds=offset_seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def db_message(e: SQLAlchemyError) -> str:
    """The database's own message, first line only (no SQL echo, no links)."""
    return (str(getattr(e, "orig", None) or e).strip().splitlines() or ["?"])[0]
