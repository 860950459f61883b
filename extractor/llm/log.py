"""Every model call in SQLite, after simonw's ``llm``: when, which model and
prompt, a hash of the input, tokens, time, whether the cache answered, the
answer itself and any error — so a number in a result can be traced to the
exact answer it came from, and a bill to the calls that ran it up.

Failed attempts are logged too (one row per HTTP request), so a retry storm is
visible. ``nianbao logs`` reads the table.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..errors import ConfigError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    id INTEGER PRIMARY KEY,
    ts TEXT NOT NULL,
    task TEXT NOT NULL,
    source TEXT NOT NULL,
    base_url TEXT NOT NULL,
    model TEXT NOT NULL,
    prompt_sha256 TEXT NOT NULL,
    input_sha256 TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    cached INTEGER NOT NULL,
    response TEXT,
    error TEXT
)
"""


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One row: ``task`` is the prompt's name; ``response`` the answer's JSON text."""

    task: str
    source: str
    base_url: str
    model: str
    prompt_sha256: str
    input_sha256: str
    prompt_tokens: int
    completion_tokens: int
    duration_ms: int
    cached: bool
    response: str | None
    error: str | None


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path)
    con.execute(_SCHEMA)
    return con


def public_url(url: str) -> str:
    """``url`` without its ``user:password@``: what may be shown and stored."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2])) if "@" in parts.netloc else url


def check_writable(path: Path) -> None:
    """Open (and create) the log before a paid request, not after it."""
    try:
        with closing(_connect(path)) as con, con:
            con.execute("BEGIN IMMEDIATE")  # takes the write lock: fails on a read-only file or folder
    except (OSError, sqlite3.Error) as e:
        raise ConfigError(f"cannot write the model call log {path}: {e} (set NIANBAO_LOG_DB)") from None


def write_call(path: Path, record: CallRecord) -> None:
    """Append one call to the log at ``path`` (created on first use)."""
    row = {"ts": datetime.now(UTC).isoformat(timespec="milliseconds"), **asdict(record)}
    try:
        with closing(_connect(path)) as con, con:
            columns, marks = ", ".join(row), ", ".join("?" * len(row))
            con.execute(f"INSERT INTO calls ({columns}) VALUES ({marks})", list(row.values()))
    except (OSError, sqlite3.Error) as e:
        raise ConfigError(f"cannot write the model call log {path}: {e} (set NIANBAO_LOG_DB)") from None


def read_calls(path: Path, limit: int) -> list[dict[str, Any]]:
    """The ``limit`` most recent calls, newest first; none when there is no log yet."""
    if not path.exists():
        return []
    try:
        with closing(sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)) as con:
            con.row_factory = sqlite3.Row
            rows = con.execute("SELECT * FROM calls ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
    except sqlite3.Error as e:
        raise ConfigError(f"cannot read the model call log {path}: {e}") from None
    return [dict(r) for r in rows]
