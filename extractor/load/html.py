"""Read an HTML report (a web page, or HTML exported from Word) with lxml.

Block elements become lines; every leaf ``<table>`` becomes table rows whose
cells are expanded over ``rowspan``/``colspan`` into a grid (a spanned cell is
repeated in every row and column it covers, pointing at the same text). Layout
tables that hold other tables are read as blocks. Line numbers are the source
lines of the elements, offsets point into the Document's text.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Hashable, Iterator
from typing import Any

from lxml import etree

from .. import cache
from ..document import Document
from ..errors import InputError
from ..normalize import clean_newlines, fold
from .build import DocBuilder, spread
from .text import decode

_BLOCK = {
    "p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article",
    "header", "footer", "blockquote", "pre", "hr", "dd", "dt", "dl", "center", "form", "nav", "main",
    "aside", "figure", "figcaption", "caption", "table", "tr", "td", "th", "tbody", "thead", "tfoot",
    "title", "body", "html",
}
_SKIP = {"script", "style", "noscript", "template", "svg", "iframe", "object", "head"}
_SPACE = cache.compile(r"\s+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w]+)""", re.I)


#: Encodings a page may name for itself (Python codec names): real text encodings
#: only. A page naming another codec (punycode is quadratic, "undefined" always
#: fails, rot13 and the like are not page encodings) is decoded by detection.
_PAGE_ENCODINGS = frozenset({
    "utf-8", "utf-16", "utf-16-le", "utf-16-be", "gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp950",
    "ascii", "iso8859-1", "iso8859-15", "cp1252", "euc_jp", "shift_jis", "cp932", "euc_kr", "cp949",
})


def _page_encoding(name: str) -> str | None:
    """The codec a ``<meta charset>`` names, if it is a text encoding pages use."""
    if name in {"gb2312", "gbk", "gb18030", "x-gbk"}:
        return "gb18030"  # a superset, which pages labelled GB2312 need
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    return codec if codec in _PAGE_ENCODINGS else None


def _decode_html(data: bytes, source: str) -> str:
    m = _META_CHARSET.search(data[:4096])
    enc = _page_encoding(m.group(1).decode("ascii", "ignore").lower()) if m else None
    if enc is not None:
        try:
            return data.decode(enc)
        except UnicodeError:
            pass
    return decode(data, source)


class _Builder:
    """Gathers inline text into block lines for a :class:`DocBuilder`."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.out = DocBuilder()
        self.buf: list[str] = []
        self.buf_no = 1
        self.tables = 0

    def add(self, text: str, no: int | None) -> None:
        """Inline text as printed: the line it joins is folded once, by DocBuilder.text."""
        if not self.buf and no:
            self.buf_no = no
        self.buf.append(text)

    def flush(self) -> None:
        if self.buf:
            self.out.text(_SPACE.sub(" ", "".join(self.buf)), no=self.buf_no)
            self.buf = []

    def table(self, grid: list[list[tuple[Hashable, str, int]]]) -> None:
        """One line per grid row; ``grid`` holds (cell key, text, source line)."""
        self.flush()
        for row in grid:
            no = next((n for _, _, n in row if n), self.buf_no)
            self.out.row([(key, text) for key, text, _ in row], self.tables, no=no)
        self.tables += 1


def _cell_text(el: Any) -> str:
    # Tables hold Chinese labels and numbers: whitespace inside a cell is layout
    # (Word puts every character in its own <span>), never content. (Folded once,
    # by DocBuilder.row: folding makes no whitespace and takes none away.)
    return _SPACE.sub("", "".join(el.itertext()))


def _rows(table: Any) -> Iterator[Any]:
    for child in table:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "tr":
            yield child
        elif tag in {"thead", "tbody", "tfoot"}:
            yield from (tr for tr in child if isinstance(tr.tag, str) and tr.tag == "tr")


def _span(el: Any, name: str) -> int:
    try:
        return int(el.get(name, "1"))
    except ValueError:
        return 1


def _grid(table: Any, source: str) -> list[list[tuple[Hashable, str, int]]]:
    """The table's cells over a grid; a slot no cell covers gets its own empty key."""
    key = 0
    rows: list[list[tuple[tuple[Hashable, str, int], int, int]]] = []
    for tr in _rows(table):
        row: list[tuple[tuple[Hashable, str, int], int, int]] = []
        for td in tr:
            if isinstance(td.tag, str) and td.tag in {"td", "th"}:
                key += 1  # lxml proxies are transient: id() is not a stable key
                row.append(((key, _cell_text(td), td.sourceline or 0), _span(td, "rowspan"), _span(td, "colspan")))
        rows.append(row)
    return [
        [slot if slot is not None else (("none", r, c), "", 0) for c, slot in enumerate(line)]
        for r, line in enumerate(spread(rows, source))
    ]


def _walk(el: Any, out: _Builder) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in _SKIP or not tag:
        if el.tail:
            out.add(el.tail, el.sourceline)
        return
    if tag == "table" and el.find(".//table") is None:
        out.table(_grid(el, out.source))
    else:
        block = tag in _BLOCK
        if block:
            out.flush()
        if el.text:
            out.add(el.text, el.sourceline)
        for child in el:
            _walk(child, out)
        if block:
            out.flush()
    if el.tail:
        out.add(el.tail, el.sourceline)


def load_html(data: bytes, source: str) -> Document:
    """A Document from the bytes of an HTML page."""
    text = clean_newlines(_decode_html(data, source))
    try:
        # Plain lxml elements, not lxml.html's: its per-element class lookup was a
        # good part of reading a page, and nothing here uses the HTML element API.
        root = etree.fromstring(text, etree.HTMLParser())
    except (etree.ParserError, ValueError) as e:
        raise InputError(f"cannot parse HTML: {e}", path=source) from e
    if root is None:
        raise InputError("cannot parse HTML: Document is empty", path=source)
    out = _Builder(source)
    body = root.find("body")
    _walk(body if body is not None else root, out)
    out.flush()
    doc = out.out.document(source, "html")
    title = root.findtext(".//title")
    article = root.xpath('//meta[@name="ArticleTitle"]/@content')
    doc.title = fold((article[0] if article else title or "").strip()) or None
    return doc
