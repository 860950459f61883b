"""Read a Word .docx report with python-docx: paragraphs as lines, tables as cell grids.

The body is walked in order, so each table stands where the document prints
it. Table grids are built from the XML (``gridBefore``, ``gridSpan``,
``vMerge``) rather than python-docx's cell proxies: a merged cell becomes one
:class:`Cell` that every grid slot it covers points at, as the HTML loader
does. A cell's text is its paragraphs joined with whitespace removed, so a
label typed one character per line reads as one word.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Hashable, Iterator
from typing import Any

from .. import cache
from ..document import Document
from ..errors import InputError, UnsupportedFormat
from ..normalize import fold
from . import isolate
from .build import DocBuilder, check_grid

_SPACE = cache.compile(r"\s+")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Inflated sizes a .docx may reach: all parts together (images included), and one XML part.
MAX_UNPACKED = 512 << 20
MAX_XML_PART = 64 << 20


def load_docx(data: bytes, source: str, *, timeout: float | None = None) -> Document:
    """A Document from the bytes of a .docx file (read in the worker, with a deadline)."""
    try:
        import docx  # noqa: F401
    except ImportError as e:
        raise UnsupportedFormat("reading Word files needs python-docx: pip install 'nianbao[docx]'", path=source) from e
    if data.startswith(_OLE):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise InputError("encrypted Word file (password required)", path=source)
        raise InputError("an old binary Word file named .docx: open and save it as .docx", path=source)
    return isolate.run(read_docx, data, source, source=source, timeout=timeout)


def read_docx(data: bytes, source: str) -> Document:
    """The loader proper, without a deadline."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        _check_unpacked(zipfile.ZipFile(io.BytesIO(data)), source)
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as e:
        raise InputError("corrupt or truncated Word .docx file", path=source) from e
    out = DocBuilder()
    tables = 0
    for block in document.element.body.iterchildren():
        tag = _local(block.tag)
        if tag == "p":
            out.text(_paragraph_text(block))
        elif tag == "tbl":
            for row in _grid(block, source):
                out.row(row, tables)
            tables += 1
    doc = out.document(source, "docx")
    title = document.core_properties.title
    doc.title = (fold(title).strip() or None) if title else None
    return doc


def _check_unpacked(package: zipfile.ZipFile, source: str) -> None:
    """Refuse a zip bomb before python-docx inflates every part into memory. The sizes
    a zip declares bound what :mod:`zipfile` inflates (past them it stops with an error)."""
    total = 0
    for info in package.infolist():
        total += info.file_size
        xml = info.filename.endswith((".xml", ".rels"))
        if (xml and info.file_size > MAX_XML_PART) or total > MAX_UNPACKED:
            raise InputError(
                f"Word file inflates to over {(MAX_XML_PART if xml else MAX_UNPACKED) >> 20} MiB "
                f"({info.filename}): refused as a zip bomb",
                path=source,
            )


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _paragraph_text(p: Any) -> str:
    """The text of a ``w:p``: runs, tabs as spaces, line breaks as spaces."""
    parts: list[str] = []
    for el in p.iter():
        tag = _local(el.tag)
        if tag == "t" and el.text:
            parts.append(el.text)
        elif tag in {"tab", "br", "cr"}:
            parts.append(" ")
    return "".join(parts)


def _children(el: Any, name: str) -> Iterator[Any]:
    return (c for c in el.iterchildren() if _local(c.tag) == name)


def _prop(el: Any, pr: str, name: str) -> str | None:
    """The ``w:val`` of ``el/pr/name`` (``""`` when the element has no value, None when absent)."""
    for props in _children(el, pr):
        for p in _children(props, name):
            return str(next((v for k, v in p.attrib.items() if _local(k) == "val"), ""))
    return None


def _count(text: str | None, default: int) -> int:
    """A ``w:val`` count; a malformed one counts as the default."""
    try:
        return int(text) if text else default
    except ValueError:
        return default


def _grid(tbl: Any, source: str) -> list[list[tuple[Hashable, str]]]:
    """Rows of ``(cell key, text)``, one per grid column; merged slots share a key."""
    rows: list[list[tuple[Hashable, str]]] = []
    above: dict[int, tuple[Hashable, str]] = {}
    key = 0
    slots = 0
    for r, tr in enumerate(_children(tbl, "tr")):
        col = max(0, _count(_prop(tr, "trPr", "gridBefore"), 0))
        check_grid(slots + col, source)
        row: list[tuple[Hashable, str]] = [(("pad", r, c), "") for c in range(col)]
        for tc in _children(tr, "tc"):
            span = max(1, _count(_prop(tc, "tcPr", "gridSpan"), 1))
            check_grid(slots + col + span, source)
            merge = _prop(tc, "tcPr", "vMerge")
            if merge is not None and merge != "restart" and col in above:
                slot = above[col]  # a continuation: the cell above, carried down
            else:
                key += 1
                slot = (key, _SPACE.sub("", "".join(_paragraph_text(p) for p in tc.iter() if _local(p.tag) == "p")))
            for c in range(col, col + span):
                above[c] = slot
            row += [slot] * span
            col += span
        rows.append(row)
        slots += len(row)
    width = max((len(r) for r in rows), default=0)
    check_grid(width * len(rows), source)
    return [row + [(("pad", r, c), "") for c in range(len(row), width)] for r, row in enumerate(rows)]
