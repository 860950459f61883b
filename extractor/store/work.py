"""The store as a work queue: documents registered and their extraction rows made
``pending``, claimed by one batch process at a time, then finished or failed.

Claims use the database's own locking — ``UPDATE … WHERE id IN (SELECT … FOR
UPDATE SKIP LOCKED) RETURNING id`` on PostgreSQL, so batch processes on several
machines take disjoint documents; on SQLite the single UPDATE is atomic under the
write lock every transaction takes. A claim names its process (``host:pid``) and
time: a process killed mid-run leaves rows ``running``, which a restart on the same
host takes back at once (their process is gone) and any process takes back after
the lease (:data:`LEASE_SECONDS`).
"""

from __future__ import annotations

import hashlib
import os
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, and_, bindparam, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from ..llm.backend import BACKEND_PROMPTS
from ..llm.prompts import load_prompt
from ..load.isolate import process_alive
from ..resources import nianbao_version
from ..result import Result
from .db import reading, utc_now
from .records import Record, content_hash
from .schema import documents, extractions, findings

#: A claim older than this (seconds) is taken to belong to a dead process on another machine.
LEASE_SECONDS = 3600.0
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class ExtractionKey:
    """What makes two extractions of one document the same: a document already extracted
    under this key is skipped; a new release or prompt reads it again."""

    backend: str
    prompt_version: str
    nianbao_version: str

    @classmethod
    def current(cls, backend: str) -> ExtractionKey:
        """The key this version of nianbao extracts ``backend`` under."""
        name = BACKEND_PROMPTS.get(backend)
        return cls(backend, load_prompt(name).sha256 if name else "", nianbao_version())

    @classmethod
    def of(cls, result: Result) -> ExtractionKey:
        return cls.current(result.provenance.backend if result.provenance else "parser")


@dataclass(frozen=True, slots=True)
class FileInfo:
    """A file as registered: where, its bytes' hash and size, its format (suffix)."""

    path: str
    sha256: str
    size: int
    format: str

    @classmethod
    def of(cls, path: str, data: bytes) -> FileInfo:
        return cls(path, content_hash(data), len(data), _format(path))

    @classmethod
    def of_file(cls, path: Path) -> FileInfo:
        """Hashed as it is read: a large file is never held whole."""
        with path.open("rb") as stream:
            sha256 = hashlib.file_digest(stream, "sha256").hexdigest()
        return cls(str(path), sha256, path.stat().st_size, _format(str(path)))


def _format(path: str) -> str:
    return Path(path).suffix.lower().lstrip(".") or "?"


def me() -> str:
    """This process, as its claims name it."""
    return f"{socket.gethostname()}:{os.getpid()}"


def insert_ignoring(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows``, skipping those a unique key already holds (another process may race us)."""
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(table).on_conflict_do_nothing(), rows)


def enqueue(
    engine: Engine, files: Iterable[FileInfo | tuple[str, bytes]], key: ExtractionKey
) -> dict[str, tuple[int, str]]:
    """Register ``files`` and make sure each has an extraction row under ``key``; a failed one is
    made pending again (a rerun retries it). Returns, by content hash, the extraction id and its status."""
    out: dict[str, tuple[int, str]] = {}
    batch: list[FileInfo] = []

    def flush() -> None:
        infos = {f.sha256: f for f in batch}
        now = utc_now()
        with engine.begin() as conn:
            insert_ignoring(conn, documents, [
                {"sha256": f.sha256, "path": f.path, "format": f.format, "size_bytes": f.size, "first_seen": now}
                for f in infos.values()
            ])
            doc_ids = dict(conn.execute(
                select(documents.c.id, documents.c.sha256).where(documents.c.sha256.in_(infos))
            ).all())
            keyed = and_(extractions.c.backend == key.backend, extractions.c.prompt_version == key.prompt_version,
                         extractions.c.nianbao_version == key.nianbao_version,
                         extractions.c.document_id.in_(doc_ids))
            by_sha = {sha: d for d, sha in doc_ids.items()}
            insert_ignoring(conn, extractions, [  # in the order the files were given
                {"document_id": by_sha[sha], "backend": key.backend, "prompt_version": key.prompt_version,
                 "nianbao_version": key.nianbao_version, "status": "pending", "created_at": now}
                for sha in infos
            ])
            conn.execute(update(extractions).where(keyed, extractions.c.status == "failed")
                         .values(status="pending", error=None, claimed_by=None, claimed_at=None))
            for ext_id, doc_id, status in conn.execute(
                select(extractions.c.id, extractions.c.document_id, extractions.c.status).where(keyed)
            ):
                out[doc_ids[doc_id]] = (ext_id, status)
        batch.clear()

    for f in files:
        batch.append(f if isinstance(f, FileInfo) else FileInfo.of(*f))
        if len(batch) >= _CHUNK:
            flush()
    if batch:
        flush()
    return out


def release_dead_claims(engine: Engine) -> int:
    """Make pending again what processes of this host that no longer run had claimed."""
    host = socket.gethostname()
    with engine.begin() as conn:
        rows = conn.execute(
            select(extractions.c.id, extractions.c.claimed_by)
            .where(extractions.c.status == "running", extractions.c.claimed_by.like(f"{host}:%"))
        ).all()
        dead = [i for i, by in rows if not process_alive(int(by.rsplit(":", 1)[1]))]
        for part in range(0, len(dead), _CHUNK):
            conn.execute(update(extractions).where(extractions.c.id.in_(dead[part : part + _CHUNK]))
                         .values(status="pending", claimed_by=None, claimed_at=None))
    return len(dead)


def claim(engine: Engine, candidates: Sequence[int], n: int, claimed_by: str) -> list[tuple[int, str, str]]:
    """Claim up to ``n`` of the ``candidates`` (extraction ids) that are pending or whose claim
    lapsed; returns (extraction id, document path, content hash) in id order. Rows another process holds are
    skipped, not waited for."""
    stale = utc_now(-LEASE_SECONDS)
    free = (
        select(extractions.c.id)
        .where(extractions.c.id.in_(candidates),
               or_(extractions.c.status == "pending",
                   and_(extractions.c.status == "running", extractions.c.claimed_at < stale)))
        .order_by(extractions.c.id)
        .limit(n)
        .with_for_update(skip_locked=True)
    )
    with engine.begin() as conn:
        got = conn.execute(
            update(extractions).where(extractions.c.id.in_(free.scalar_subquery()))
            .values(status="running", claimed_by=claimed_by, claimed_at=utc_now())
            .returning(extractions.c.id)
        ).scalars().all()
        if not got:
            return []
        files = {i: (path, sha) for i, path, sha in conn.execute(
            select(extractions.c.id, documents.c.path, documents.c.sha256)
            .join(documents, documents.c.id == extractions.c.document_id)
            .where(extractions.c.id.in_(got))
        )}
    return [(i, *files[i]) for i in sorted(got)]


# Built once: a batch writes every document with these (SQLAlchemy then reuses their compiled SQL).
_NOT_DONE = and_(extractions.c.id == bindparam("eid"), extractions.c.status != "done")
_UPDATE = {
    False: update(extractions).where(_NOT_DONE),
    True: update(extractions).where(_NOT_DONE, extractions.c.claimed_by == bindparam("me")),
}
_DOCUMENT_META = (
    update(documents)
    .where(documents.c.id == select(extractions.c.document_id).where(extractions.c.id == bindparam("eid"))
           .scalar_subquery())
    .values(agency=bindparam("doc_agency"), year=bindparam("doc_year"))
)
_INSERT_FINDINGS = insert(findings)


def _move(conn: Connection, extraction_id: int, claimed_by: str | None, values: dict[str, Any]) -> bool:
    """Set ``values`` on the extraction if it is not done and (``claimed_by`` given) still claimed by us."""
    params = {"eid": extraction_id, **values}
    if claimed_by is not None:
        params["me"] = claimed_by
    return conn.execute(_UPDATE[claimed_by is not None], params).rowcount == 1


def finish(engine: Engine, extraction_id: int, record: Record, claimed_by: str | None) -> bool:
    """Store a done extraction and its findings, if the claim is still ours; False if it is not
    (the lease lapsed and another process took the document). A document not yet done has no
    findings: they are only ever written here, and by the cross-year checks on done ones."""
    with engine.begin() as conn:
        if not _move(conn, extraction_id, claimed_by,
                     {**record.columns, "status": "done", "error": None, "finished_at": utc_now()}):
            return False
        if record.findings:
            conn.execute(_INSERT_FINDINGS, [{**f, "extraction_id": extraction_id} for f in record.findings])
        conn.execute(_DOCUMENT_META, {"eid": extraction_id, "doc_agency": record.columns["agency"],
                                      "doc_year": record.columns["year"]})
    return True


def fail(engine: Engine, extraction_id: int, error: str, claimed_by: str | None) -> bool:
    """Record why a document could not be extracted (the batch goes on)."""
    with engine.begin() as conn:
        return _move(conn, extraction_id, claimed_by,
                     {"status": "failed", "error": error[:2000], "finished_at": utc_now()})


def agencies_of(engine: Engine, ids: Sequence[int]) -> set[str]:
    """The agencies the done extractions among ``ids`` read."""
    out: set[str] = set()
    with reading(engine) as conn:
        for part in range(0, len(ids), _CHUNK):
            out.update(conn.execute(
                select(extractions.c.agency).distinct()
                .where(extractions.c.id.in_(ids[part : part + _CHUNK]), extractions.c.status == "done",
                       extractions.c.agency.is_not(None))
            ).scalars())
    return out
