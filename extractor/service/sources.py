"""The source file of a stored report, so the review page can show the text (and, for a
PDF, the pages) every finding points into.

The store records where a document was read and its hash, not its bytes. A report
read by ``nianbao batch`` is found again at its path (if the file there still has
that hash); an upload has no path, so the service keeps its bytes in the store's
table ``source_files`` (:meth:`Store.keep_source`), keyed by the SHA-256 the
``documents`` table records.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from pathlib import Path

from ..document import Document
from ..errors import NianbaoError
from ..load import load_bytes
from ..store.api import ReportSummary, Store

#: Loaded documents kept in memory (a PDF takes ~0.1 s to read again).
_CACHE_SIZE = 16
_cache: OrderedDict[str, Document] = OrderedDict()
_lock = threading.Lock()


def source_bytes(store: Store, report: ReportSummary) -> bytes | None:
    """The bytes of the report's source file: kept from an upload, or read from its path
    when the file there is still the one extracted; ``None`` when neither."""
    data = store.kept_source(report.sha256)
    if data is not None:
        return data
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
