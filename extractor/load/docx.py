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
import re
import zipfile
from collections.abc import Hashable, Iterator
from typing import Any

from ..document import Document
from ..errors import InputError, UnsupportedFormat
from ..normalize import fold
from . import isolate
from .build import DocBuilder

_SPACE = re.compile(r"\s+")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


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
            for row in _grid(block):
                out.row(row, tables)
            tables += 1
    doc = out.document(source, "docx")
    title = document.core_properties.title
    doc.title = (fold(title).strip() or None) if title else None
    return doc


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


def _grid(tbl: Any) -> list[list[tuple[Hashable, str]]]:
    """Rows of ``(cell key, text)``, one per grid column; merged slots share a key."""
    rows: list[list[tuple[Hashable, str]]] = []
    above: dict[int, tuple[Hashable, str]] = {}
    key = 0
    for r, tr in enumerate(_children(tbl, "tr")):
        col = int(_prop(tr, "trPr", "gridBefore") or 0)
        row: list[tuple[Hashable, str]] = [(("pad", r, c), "") for c in range(col)]
        for tc in _children(tr, "tc"):
            span = max(1, int(_prop(tc, "tcPr", "gridSpan") or 1))
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
    width = max((len(r) for r in rows), default=0)
    return [row + [(("pad", r, c), "") for c in range(len(row), width)] for r, row in enumerate(rows)]
