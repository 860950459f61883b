"""The source file of a stored report, so the review page can show the text (and, for a
PDF, the pages) every finding points into.

The store records where a document was read and its hash, not its bytes. A report
read by ``nianbao batch`` is found again at its path (if the file there still has
that hash); an upload has no path, so the service keeps its bytes in the table
``source_files`` of the same database (created here on first use, keyed by the
SHA-256 the store's ``documents`` table records).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from pathlib import Path

from sqlalchemy import Column, LargeBinary, MetaData, String, Table, Text, inspect, select
from sqlalchemy.dialects import postgresql, sqlite

from ..document import Document
from ..errors import NianbaoError
from ..load import load_bytes
from ..store.api import ReportSummary, Store

_metadata = MetaData()
source_files = Table(
    "source_files",
    _metadata,
    Column("sha256", String(64), primary_key=True, comment="documents.sha256 of the file"),
    Column("name", Text, nullable=False, comment="the file name it was uploaded under"),
    Column("data", LargeBinary, nullable=False, comment="the file's bytes as uploaded"),
)

#: Loaded documents kept in memory (a PDF takes ~0.1 s to read again).
_CACHE_SIZE = 16
_cache: OrderedDict[str, Document] = OrderedDict()
_lock = threading.Lock()


def ensure_table(store: Store) -> None:
    """Create ``source_files`` if this store does not have it yet."""
    _metadata.create_all(store.engine, checkfirst=True)


def keep(store: Store, data: bytes, name: str) -> str:
    """Keep an upload's bytes (once per content); returns their SHA-256."""
    digest = hashlib.sha256(data).hexdigest()
    dialect = store.engine.dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(source_files)
    with store.engine.begin() as conn:
        conn.execute(insert.values(sha256=digest, name=name, data=data).on_conflict_do_nothing())
    return digest


def source_bytes(store: Store, report: ReportSummary) -> bytes | None:
    """The bytes of the report's source file: kept from an upload, or read from its path
    when the file there is still the one extracted; ``None`` when neither."""
    data = None
    with store.engine.connect() as conn:
        if inspect(conn).has_table(source_files.name):  # a store the service never wrote to has none
            data = conn.execute(select(source_files.c.data).where(source_files.c.sha256 == report.sha256)).scalar()
    if data is not None:
        return bytes(data)
    try:
        on_disk = Path(report.path).read_bytes()
    except OSError:
        return None
    return on_disk if hashlib.sha256(on_disk).hexdigest() == report.sha256 else None


def source_document(store: Store, report: ReportSummary) -> Document | None:
    """The report's source loaded as the extraction read it (the evidence offsets point
    into its text), or ``None`` when the source is gone or no longer reads."""
    with _lock:
        if report.sha256 in _cache:
            _cache.move_to_end(report.sha256)
            return _cache[report.sha256]
    data = source_bytes(store, report)
    if data is None:
        return None
    try:
        doc = load_bytes(data, report.path)
    except NianbaoError:
        return None
    with _lock:
        _cache[report.sha256] = doc
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return doc
