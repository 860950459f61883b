"""Read a PDF report with pdfium: text lines like a PDF dump, ruled tables as cell grids.

One cheap pass per page reads characters with their boxes and the ruling lines
(see :mod:`.pdf_layout`). Ruled tables become rows with cells (:mod:`.pdf_grid`),
so blank cells and labels wrapped or printed one character per line come out
exact; a table that runs onto the next page continues under the same table
number, its repeated header dropped. Everything else becomes one line per
pdfium text line, whitespace between tokens, which is what the template
parser reads in PDF dumps: page numbers and running headers are dropped and
one-character-per-line labels are joined.

The read runs in a worker with a deadline (:mod:`.isolate`). Encrypted and
corrupt files raise an :class:`InputError` with one clear line. Pages without
a usable text layer (none, or garbage) are read by OCR when it is on and
installed (:mod:`.ocr`), page by page; else a scan is refused in one line.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from itertools import pairwise
from typing import TYPE_CHECKING

from .. import cache
from ..document import Box, Document
from ..errors import InputError, ScannedDocument, UnsupportedFormat
from ..normalize import PAGE_MARK, fold
from ..record import record
from . import isolate
from .build import DocBuilder
from .pdf_columns import Cells, Span, recover
from .pdf_grid import TOL, Grid, bbox, find_grids, slot
from .pdf_model import Char, PageLayout

if TYPE_CHECKING:  # OCR is imported when a page needs it: a text PDF never does
    from .ocr import Scans

#: Running headers and footers live in this top and bottom share of the page.
BAND = 0.1
#: A page with fewer printed characters than this counts as having no text.
MIN_PAGE_CHARS = 20
_DIGITS = cache.compile(r"\d+")
#: A character :func:`_garbled` counts (a longer text counts by its first character).
_ODD = cache.compile("[\x00-\x1f\ue000-\uf8ff\ufffd]")


def load_pdf(data: bytes, source: str, *, timeout: float | None = None, ocr: bool = True) -> Document:
    """A Document from the bytes of a PDF; gives up with an InputError after ``timeout`` s
    (per page read by OCR). ``ocr=False`` refuses scans instead of reading them."""
    try:
        from . import pdf_library  # noqa: F401  # pdfium, shipped by pypdfium2, called through cffi's backend
    except ImportError as e:
        raise UnsupportedFormat("reading PDF needs pypdfium2 and cffi: pip install 'nianbao[pdf]'", path=source) from e
    return isolate.run(read_pdf, data, source, ocr, source=source, timeout=timeout)


def read_pdf(data: bytes, source: str, ocr: bool = True) -> Document:
    """The loader proper, without a deadline (runs inside the worker)."""
    with _collector_paused():
        return _read(data, source, ocr)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the block (unless it is off already).

    A page makes thousands of character tuples, tracked by the collector though
    never part of a cycle; a collection every 700 of them, each walking the young
    objects again, costs about a third as much as making them.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _read(data: bytes, source: str, ocr: bool) -> Document:
    from .pdf_document import PdfFile
    from .pdf_layout import read_page

    pages: list[PageLayout] = []
    with PdfFile(data, source) as pdf:
        for i in range(pdf.pages):
            with pdf.page(i) as (handle, text):
                pages.append(read_page(handle, text, i + 1))
        title = pdf.title()
    scans, unread = _read_scans(data, pages, source, ocr)
    reread = [p.number for p in pages if p.glyphless]
    if reread:
        from .pdf_plumber import read_pages

        for page in read_pages(data, reread):
            pages[page.number - 1] = page
    _check_text_layer(pages, source, unread)
    doc = layout_document(pages, source, "pdf")
    doc.title = (fold(title).strip() or None) if title else None
    doc.extra["pdf_reader"] = f"pdfplumber on pages {', '.join(map(str, reread))}" if reread else "pdfium"
    if scans is not None:
        scans.annotate(doc)
        doc.extra["ocr"] = f"pages {', '.join(str(p.number) for p in scans.pages)}"
    return doc


def layout_document(pages: list[PageLayout], source: str, fmt: str) -> Document:
    """The Document of pages read from a text layer or by OCR."""
    return _assemble(pages).document(source, fmt)


def _texts(page: PageLayout) -> list[str]:
    return [c.text for ln in page.lines for c in ln]


def _printed(page: PageLayout) -> int:
    return list(map(str.isspace, _texts(page))).count(False)


def _garbled(page: PageLayout) -> bool:
    """A text layer that maps glyphs to no real characters (private-use code points,
    U+FFFD, control characters): what a font without a usable ToUnicode map gives."""
    texts = _texts(page)
    if "" not in texts and not _ODD.search("".join(texts)):
        return False  # the common case, told in one scan: nothing below counts
    chars = [t for t in texts if not t.isspace()]
    odd = sum(1 for t in chars if t == "\ufffd" or "\ue000" <= t <= "\uf8ff" or t < " ")
    return odd * 3 > len(chars) > 0


def _read_scans(data: bytes, pages: list[PageLayout], source: str, ocr: bool) -> tuple[Scans | None, str]:
    """Read the pages without a usable text layer by OCR, in place; and, when they
    stay unread, why (for the refusal)."""
    wanted = [p.number for p in pages if (p.images and _printed(p) < MIN_PAGE_CHARS) or _garbled(p)]
    if not wanted:
        return None, ""
    from .ocr import NEEDS_EXTRA, read_scans  # a PDF with a text layer throughout never imports OCR
    from .ocr_engine import installed

    if not ocr:
        return None, "OCR is off (--no-ocr)"
    if not installed():
        return None, NEEDS_EXTRA
    scans = read_scans(data, wanted, source)
    for page in scans.pages:
        pages[page.number - 1] = page
    return scans, "OCR found no text on them (blank or unreadable pages)"


def _check_text_layer(pages: list[PageLayout], source: str, unread: str) -> None:
    printed = [_printed(p) for p in pages]
    if sum(1 for n in printed if n >= MIN_PAGE_CHARS) * 2 >= len(pages):
        return
    from .ocr import NEEDS_EXTRA

    if any(p.images for p in pages):
        raise ScannedDocument(
            f"scanned PDF: {len(pages)} page(s) of images without a text layer; {unread or NEEDS_EXTRA}", path=source
        )
    raise InputError("PDF has no text layer", path=source)


@record(frozen=False)
class _Table:
    """A grid placed in the flow: its table number, a key per grid slot (equal keys are one
    cell, also across a page break) and the first row to emit (after a repeated header)."""

    page: int
    grid: Grid
    keys: list[list[Hashable]]
    table: int = -1
    first: int = 0

    @classmethod
    def of(cls, page: int, grid: Grid, serial: int) -> _Table:
        return cls(page, grid, [[(serial, cid) for cid in row] for row in grid.rows])


@record(frozen=False)
class _Row:
    """A row of an unruled table whose blank cells were placed by position (see :mod:`.pdf_columns`)."""

    cells: Cells
    block: int
    table: int = -1


_Item = tuple[int, "list[Char] | _Table | _Row"]


def _assemble(pages: list[PageLayout]) -> DocBuilder:
    """Text lines and table rows of all pages, in reading order, into a builder."""
    chrome = _running_chrome(pages)
    labels: list[Span] = []
    items: list[_Item] = []
    serial = 0
    for page in pages:
        grids, rest = find_grids(page.rules, page.lines) if page.rules else ([], page.lines)
        tables = [_Table.of(page.number, g, serial + i) for i, g in enumerate(grids) if any(g.texts.values())]
        serial += len(tables)
        lines = [ln for ln in rest if "".join([c.text for c in ln]).strip() and not _is_chrome(ln, page, chrome)]
        lines = _join_vertical(lines)
        rows, labels = recover(lines, labels)
        items.extend(_flow(page.number, lines, tables, rows))
    _number_tables(items)
    columns = _shared_columns([item for _, item in items if isinstance(item, _Table)])
    out = DocBuilder()
    for n, (page_no, item) in enumerate(items):
        if isinstance(item, _Table):
            _emit_table(out, item, columns[item.table])
        elif isinstance(item, _Row):
            cells = [((n, k), "".join([c.text for c in cell])) for k, cell in enumerate(item.cells)]
            where: dict[Hashable, Box] = {(n, k): (page_no, *bbox(cell)) for k, cell in enumerate(item.cells) if cell}
            out.row(cells, item.table, page_no, where)
        else:
            out.text("".join([c.text for c in item]), page_no, (page_no, *bbox(item)))
    return out


def _in_band(chars: list[Char], page: PageLayout) -> bool:
    first, last = chars[0], chars[-1]  # a text line shares one loose box height
    return max(first.bottom, last.bottom) < page.height * BAND or min(first.top, last.top) > page.height * (1 - BAND)


def _chrome_key(chars: list[Char]) -> str:
    return _DIGITS.sub("#", "".join([c.text for c in chars]).replace(" ", ""))


def _running_chrome(pages: list[PageLayout]) -> set[str]:
    """Texts (digits masked) printed in the header or footer band of at least half the pages (two or more)."""
    seen = Counter(key for p in pages for key in {_chrome_key(ln) for ln in p.lines if ln and _in_band(ln, p)})
    return {k for k, n in seen.items() if n * 2 >= len(pages) and n >= 2}


def _is_chrome(chars: list[Char], page: PageLayout, chrome: set[str]) -> bool:
    if not _in_band(chars, page):
        return False
    text = "".join([c.text for c in chars]).strip()
    page_number = bool(PAGE_MARK.match(text)) or (text.isdigit() and len(text) <= 4)  # in the band
    return page_number or _chrome_key(chars) in chrome


def _join_vertical(lines: list[list[Char]]) -> list[list[Char]]:
    """Runs of one-character lines stacked in a column (a vertical label) as one line."""
    out: list[list[Char]] = []
    run: list[list[Char]] = []

    def flush() -> None:
        if len(run) >= 3:
            out.append([c for ln in run for c in ln if c.text != " "])
        else:
            out.extend(run)
        run.clear()

    for ln in lines:
        printed = [c for c in ln if c.text != " "]
        if len(printed) <= 2 and (not run or _stacked(run[-1], printed)):
            run.append(printed)
            continue
        flush()
        if len(printed) <= 2:
            run.append(printed)
        else:
            out.append(ln)
    flush()
    return out


def _stacked(above: list[Char], below: list[Char]) -> bool:
    """``below`` sits right under ``above``, centred on the same column."""
    size = max(c.bottom - c.top for c in above)
    centre = (above[0].x0 + above[-1].x1 - below[0].x0 - below[-1].x1) / 2
    return abs(centre) <= size and 0 <= below[0].top - above[-1].top <= size * 1.8


def _flow(page: int, lines: list[list[Char]], tables: list[_Table], rows: dict[int, tuple[int, Cells]]) -> list[_Item]:
    """Text lines in pdfium's order with each table placed before the first line below
    its top; ``rows`` (of unruled tables, with blank cells placed) replace their lines."""
    out: list[_Item] = []
    pending = sorted(tables, key=lambda t: t.grid.top)
    for i, ln in enumerate(lines):
        top = min(c.top for c in ln)
        while pending and pending[0].grid.top <= top:
            out.append((page, pending.pop(0)))
        out.append((page, _Row(rows[i][1], rows[i][0]) if i in rows else ln))
    out.extend((page, t) for t in pending)
    return out


def _number_tables(items: list[_Item]) -> None:
    """Give each grid its table number; a grid that ends one page and one that starts
    the next, with the same outer edges, are one table (see :func:`_stitch`)."""
    table = -1
    head: _Table | None = None
    prev: _Table | None = None
    block: tuple[int, int] | None = None
    for i, (page, item) in enumerate(items):
        if isinstance(item, _Row):
            if block != (page, item.block):
                table, block = table + 1, (page, item.block)
            item.table = table
        if not isinstance(item, _Table):
            prev = None
            continue
        if prev is not None and head is not None and items[i - 1][1] is prev and _continues(prev, item):
            item.table = table
            _stitch(head, prev, item)
        else:
            table += 1
            item.table = table
            head = item
        prev = item


def _continues(prev: _Table, nxt: _Table) -> bool:
    a, b = prev.grid, nxt.grid
    return nxt.page == prev.page + 1 and abs(a.xs[0] - b.xs[0]) <= 4 and abs(a.xs[-1] - b.xs[-1]) <= 4


def _stitch(head: _Table, prev: _Table, nxt: _Table) -> None:
    """Drop the header rows ``nxt`` repeats from ``head``; a label cell that spans rows
    across the break, printed on the first page only, points at the same cell."""
    g = nxt.grid
    header = {head.grid.row_texts(r) for r in range(min(6, len(head.grid.rows)))}
    while nxt.first < len(g.rows) - 1 and g.row_texts(nxt.first) in header:
        nxt.first += 1
    r = nxt.first
    p, last = prev.grid, len(prev.grid.rows) - 1
    alias: dict[Hashable, Hashable] = {}
    for c, cid in enumerate(g.rows[r]):
        pc = slot(p.xs, (g.xs[c] + g.xs[c + 1]) / 2)
        pid = p.rows[last][pc]
        spans = (r + 1 < len(g.rows) and g.rows[r + 1][c] == cid) or (last > 0 and p.rows[last - 1][pc] == pid)
        if not g.texts[cid] and p.texts[pid] and spans:
            alias[nxt.keys[r][c]] = prev.keys[last][pc]
    nxt.keys = [[alias.get(k, k) for k in row] for row in nxt.keys]


def _shared_columns(tables: list[_Table]) -> dict[int, list[float]]:
    """Table number → the column rules of all its parts: a table split across pages
    whose parts rule their label columns differently still has one grid."""
    xs: dict[int, list[float]] = {}
    for t in tables:
        merged = sorted([*xs.get(t.table, []), *t.grid.xs])
        xs[t.table] = [x for k, x in enumerate(merged) if k == 0 or x - merged[k - 1] > TOL]
    return xs


def _emit_table(out: DocBuilder, t: _Table, xs: list[float]) -> None:
    """The grid's rows over the table's shared columns (a wider cell fills several)."""
    g = t.grid
    slots = [slot(g.xs, (a + b) / 2) for a, b in pairwise(xs)]
    boxes: dict[Hashable, Box] = {}
    for r in range(t.first, len(g.rows)):
        for cid, key in zip(g.rows[r], t.keys[r], strict=True):
            if key not in boxes:
                boxes[key] = (t.page, *g.boxes[cid])
        cells = [(t.keys[r][c], g.texts[g.rows[r][c]]) for c in slots]
        out.row(cells, t.table, t.page, boxes)
