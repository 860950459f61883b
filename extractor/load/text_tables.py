"""Find the tables a text report draws in other dialects and give their rows cells.

Converters and text tools print a report's tables in several ways besides
Markdown pipes and tabs (which :func:`~extractor.normalize.text_document`
reads). Each becomes rows of cells, blank cells explicit, so the parser
reads them like any grid:

- **raw HTML** ``<table>`` markup inside Markdown or text (what converters
  keep for merged cells): cells over a grid by ``rowspan``/``colspan``;
- **drawn tables**, ruled with box-drawing or ASCII characters (``│ ┼ ─``,
  ``+---+``), as text browsers and table printers write them: columns are the
  bars' positions, a row wrapped over lines between two rules is one row;
- **layout text** (``pdftotext -layout``): columns aligned by spaces; a row
  printing fewer values than the table has columns gets its blank cells back by
  the values' character positions (:mod:`.pdf_columns`, as for PDF glyph boxes).

Every cell keeps its offsets into the document text, so evidence still points
at the printed characters.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator

from .. import cache
from ..document import Cell, Document, Line
from ..normalize import fold
from ..record import record, replace
from .build import spread
from .pdf_columns import HEADER_BAND, Token, make_token, recover_words, value_counts

# A tag is at most _TAG_LEN characters: with an unbounded [^>]*, every "<" of a text
# holding no ">" after it would be scanned to the end (quadratic on hostile input).
_TAG_LEN = 1000
_TABLE = cache.compile(rf"<table\b[^>]{{0,{_TAG_LEN}}}>((?:(?!<table\b).)*?)</table\s*>", re.I | re.S)
_TAG = cache.compile(rf"<(/?)(tr|td|th)\b([^>]{{0,{_TAG_LEN}}})>|<[^>]{{0,{_TAG_LEN}}}>", re.I)
_SPAN_ATTR = cache.compile(r"""(rowspan|colspan)\s*=\s*["']?(\d{1,4})""", re.I)
_ROW_END = cache.compile(rf"</?(?:tr|tbody|thead|tfoot)\b[^>]{{0,{_TAG_LEN}}}>|</table", re.I)
_SPACE = cache.compile(r"\s+")

_BARS = frozenset("|│┃║")
_DRAWN = frozenset("+─━═┼├┤┌┐└┘┬┴╪╞╡╔╗╚╝╠╣╦╩╬╤╧╥╨╫┠┨┯┷┿╋┣┫┳┻┏┓┗┛")
_RULE = _DRAWN | _BARS | frozenset("-=: ")
_DASHES = frozenset("-─━═=")
#: Character "height" of a text line for the position geometry of :mod:`.pdf_columns`:
#: values within 0.8 of it (two character columns) stand in one column.
_LINE = 2.5


def tabulate(doc: Document, shown: str | None = None) -> Document:
    """``doc`` with the rows of HTML, drawn and layout-aligned tables given cells.

    ``shown`` is the text as printed before folding (same length as ``doc.text``):
    a full-width character folded to ASCII still took two columns on the page."""
    lines = _html_tables(doc)
    widths = _Widths(shown if shown is not None and len(shown) == len(doc.text) else doc.text)
    lines = _drawn_tables(doc.text, lines, widths)
    lines = _layout_rows(doc.text, lines, widths)
    if lines is not doc.lines:
        doc.lines = lines
    return doc


def _next_table(lines: list[Line]) -> int:
    return max((ln.table for ln in lines if ln.table is not None), default=-1) + 1


def _replace(lines: list[Line], start: int, end: int, new: list[Line]) -> list[Line]:
    """``lines`` with those overlapping ``[start, end)`` replaced by ``new``; the text
    of the first and last before ``start`` and after ``end`` is kept as lines."""
    keep_before = [ln for ln in lines if ln.end < start]
    keep_after = [ln for ln in lines if ln.start >= end]
    cut = [ln for ln in lines if not (ln.end < start or ln.start >= end)]
    if cut and cut[0].start < start and cut[0].text[: start - cut[0].start].strip():
        head = cut[0]
        new = [replace(head, end=start, text=head.text[: start - head.start], cells=None, table=None), *new]
    if cut and cut[-1].end > end and cut[-1].text[end - cut[-1].start :].strip():
        tail = cut[-1]
        new = [*new, replace(tail, start=end, text=tail.text[end - tail.start :], cells=None, table=None)]
    return [*keep_before, *new, *keep_after]


# --- raw HTML tables -----------------------------------------------------------------


@record(frozen=False)
class _Td:
    parts: list[tuple[int, str]]  # (offset, raw text) of each text run
    rowspan: int
    colspan: int

    def cell(self) -> Cell:
        import html  # HTML tables in a text report are rare: not imported by every worker

        pieces = [(off + len(raw) - len(raw.lstrip()), html.unescape(raw).strip()) for off, raw in self.parts]
        pieces = [(off, text) for off, text in pieces if text]
        text = _SPACE.sub("", fold("".join(t for _, t in pieces)))
        if not pieces:
            at = self.parts[0][0] if self.parts else 0
            return Cell("", at, at)
        last_off, _ = pieces[-1]
        raw_last = next(raw for off, raw in self.parts if off + len(raw) - len(raw.lstrip()) == last_off)
        end = last_off + len(raw_last.strip())
        return Cell(text, pieces[0][0], end)


def _html_rows(text: str, start: int, end: int) -> Iterator[tuple[int, int, list[_Td]]]:
    """``(row start, row end, cells)`` of the ``<tr>`` rows in ``text[start:end]``."""
    row: list[_Td] | None = None
    row_start = start
    td: _Td | None = None
    pos = start
    for m in _TAG.finditer(text, start, end):
        if td is not None and m.start() > pos:
            td.parts.append((pos, text[pos : m.start()]))
        pos = m.end()
        closing, name = m.group(1), (m.group(2) or "").lower()
        if name == "tr" or (not name and _ROW_END.match(m.group())):
            if row is not None:
                yield row_start, m.start(), row
                row, td = None, None
            if name == "tr" and not closing:
                row, row_start = [], m.start()
        elif name in {"td", "th"}:
            if closing:
                td = None
            else:
                if row is None:
                    row, row_start = [], m.start()
                spans = {k.lower(): int(v) for k, v in _SPAN_ATTR.findall(m.group(3))}
                td = _Td([(m.end(), "")], spans.get("rowspan", 1), spans.get("colspan", 1))
                row.append(td)
    if row is not None:
        yield row_start, end, row


def _html_tables(doc: Document) -> list[Line]:
    lines = doc.lines
    if "<table" not in doc.text and "<TABLE" not in doc.text:
        return lines
    text = doc.text
    table = _next_table(lines)
    for m in _TABLE.finditer(text):
        rows = list(_html_rows(text, m.start(1), m.end(1)))
        if not rows:
            continue
        cells = [[(td.cell(), td.rowspan, td.colspan) for td in tds] for _, _, tds in rows]
        grid = spread(cells, doc.source)
        new: list[Line] = []
        for (s, e, _), slots in zip(rows, grid, strict=False):
            filled = tuple(c if c is not None else Cell("", s, s) for c in slots)
            no = text.count("\n", 0, s) + 1
            new.append(Line(no, s, e, text[s:e], filled or None, table))
        lines = _replace(lines, m.start(), m.end(), new)
        table += 1
    return lines


# --- drawn tables ----------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)  # a table draws with a few dozen characters, over and over
def _width(ch: str) -> int:
    return 1 if ch < "\u1100" else 2 if unicodedata.east_asian_width(ch) in "WF" else 1


#: Text whose width :func:`_width` says without asking unicodedata: characters before
#: U+1100 (one column) and the CJK ranges that are wide throughout (two columns): CJK
#: punctuation, kana, ideographs, Hangul syllables, full-width forms.
_SURE = cache.compile("[\x00-\u10ff\u3000-\u303e\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7a3\uff01-\uff60\uffe0-\uffe6]*")
#: The width of a character of :data:`_SURE` by the high byte of its UTF-16 unit.
_STEPS = bytes(1 if high < 0x11 else 2 for high in range(256))


class _Widths:
    """Display columns of the printed text (CJK and full-width characters two wide)."""

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self._steps: dict[int, bytes | None] = {}

    def at(self, line: Line, offsets: Iterable[int]) -> list[int]:
        """The display column where each of ``offsets`` (ascending) of ``line`` starts: the
        offset plus the wide characters before it, counted by C code (a column list per
        character cost more than the whole layout walk)."""
        steps = self.steps(line)
        if steps is None:
            return list(offsets)
        out: list[int] = []
        wide = done = 0
        for k in offsets:
            wide += steps.count(2, done, k)
            done = k
            out.append(k + wide)
        return out

    def steps(self, line: Line) -> bytes | None:
        """The width of each character of ``line``; None when all are one column."""
        if line.start in self._steps:
            return self._steps[line.start]
        shown = self.shown[line.start : line.end]
        steps: bytes | None = None
        if not shown.isascii():
            if _SURE.fullmatch(shown):
                # Each character's width from the high byte of its UTF-16 unit, by C code
                # alone (a call per character was a third of reading a layout text).
                steps = shown.encode("utf-16-le")[1::2].translate(_STEPS)
            else:
                steps = bytes(map(_width, shown))
            if 2 not in steps:
                steps = None
        self._steps[line.start] = steps
        return steps


_RULE_RUN = cache.compile("[" + re.escape("".join(sorted(_RULE))) + "]{3,}")
_BAR = cache.compile("[" + re.escape("".join(sorted(_BARS))) + "]")
_DRAWN_CHAR = cache.compile("[" + re.escape("".join(sorted(_DRAWN))) + "]")


def _may_draw(text: str) -> bool:
    """Whether ``text`` can hold a drawn rule: three or more rule characters, one of
    them drawn, so a drawn character beside a rule character (a ``+`` in ``10万+``
    is none)."""
    for m in _DRAWN_CHAR.finditer(text):
        at = m.start()
        if text[at - 1 : at] in _RULE or text[at + 1 : at + 2] in _RULE:
            return True
    return False


def _bar_offsets(text: str) -> list[int]:
    """Where the bars of a drawn row stand (the regex engine walks the characters, not Python)."""
    return [m.start() for m in _BAR.finditer(text)]


def _is_rule(text: str) -> bool:
    s = text.strip()
    return _RULE_RUN.fullmatch(s) is not None and sum(s.count(c) for c in _DASHES) >= 2


def _is_drawn_row(text: str) -> bool:
    s = text.strip()
    return len(s) >= 2 and s[0] in _BARS and sum(s.count(c) for c in _BARS) >= 2


def _drawn_tables(text: str, lines: list[Line], widths: _Widths) -> list[Line]:
    """Lines with the rows of tables ruled by drawing characters given cells.

    A block of bar rows and rule lines counts only if one of its rules is drawn
    (``+``, ``─``, ``┼``…): Markdown pipe tables (``|---|``) are read elsewhere."""
    if not _may_draw(text):
        return lines  # no rule can be drawn: not a line looked at
    # (most lines start with a character no rule or bar row does: no call for them)
    first = [ln.text.lstrip()[:1] for ln in lines]
    rule = [f in _RULE and _is_rule(ln.text) for f, ln in zip(first, lines, strict=True)]
    if not any(r and not _DRAWN.isdisjoint(ln.text) for r, ln in zip(rule, lines, strict=True)):
        return lines  # no rule is drawn (most texts, Markdown's |---|): no walk over the lines
    ruled = [r or (f in _BARS and _is_drawn_row(ln.text)) for r, f, ln in zip(rule, first, lines, strict=True)]
    out: list[Line] = []
    table = _next_table(lines)
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and ruled[j]:
            j += 1
        if j == i:
            out.append(lines[i])
            i += 1
            continue
        block = lines[i:j]
        # A block that is no drawn table holds none either (a part of it has no more rules or rows).
        if not all(rule[i:j]) and any(rule[k] and any(c in _DRAWN for c in lines[k].text) for k in range(i, j)):
            out.extend(_drawn_rows(text, block, rule[i:j], table, widths))
            table += 1
        else:
            out.extend(block)
        i = j
    return out


#: A bar row of a drawn table: the line, where its bars stand in it and their display columns.
_BarRow = tuple[Line, list[int], list[int]]


def _drawn_rows(text: str, block: list[Line], rules: list[bool], table: int, widths: _Widths) -> list[Line]:
    """One row per group of bar lines between two rules (``rules`` tells which lines
    are rules), or per line where a group's lines each print values (a table ruled
    only under its header). Each line's bars are found and measured once."""
    groups: list[list[_BarRow]] = [[]]
    for b, is_rule in zip(block, rules, strict=True):
        if is_rule:
            groups.append([])
        else:
            offsets = _bar_offsets(b.text)
            groups[-1].append((b, offsets, widths.at(b, offsets)))
    bars = [cols for group in groups for _, _, cols in group]
    # Every row ruled alike: count bars, whatever their widths; else go by position.
    alike = len({len(x) for x in bars}) == 1
    stops = list(range(len(bars[0]))) if alike else sorted({x for row in bars for x in row})
    slot = {x: n for n, x in enumerate(stops)}
    out: list[Line] = []
    for group in (g for g in groups if g):
        sliced = [_slots(row, stops, slot) for row in group]
        numeric = [{k for k, c in s.items() if c.text and c.text[0] in "+-0123456789"} for s in sliced]
        merged = len(group) > 1 and all(not (a & b) for n, a in enumerate(numeric) for b in numeric[n + 1 :])
        if merged:
            cells = _stack(sliced, len(stops) - 1, group[0][0].start)
            first, last = group[0][0], group[-1][0]
            out.append(Line(first.no, first.start, last.end, text[first.start : last.end], cells, table, first.page))
        else:
            for (b, _, _), s in zip(group, sliced, strict=True):
                cells = tuple(s.get(k) or Cell("", b.start, b.start) for k in range(len(stops) - 1))
                out.append(replace(b, cells=_shared(cells), table=table))
    return out


def _slots(row: _BarRow, stops: list[int], slot: dict[int, int]) -> dict[int, Cell]:
    """Grid slot → the cell printed over it, between two bars of the row; ``stops`` are
    the grid's bar positions (or bar numbers, when every row has the same bars), ``slot``
    the number of each."""
    line, bars, columns = row
    cols = dict(zip(bars, columns if stops[-1] >= len(bars) else range(len(bars)), strict=True))
    out: dict[int, Cell] = {}
    for a, b in itertools.pairwise(bars):
        raw = line.text[a + 1 : b]
        text = raw.strip()
        at = line.start + a + 1 + (len(raw) - len(raw.lstrip()))
        cell = Cell(text, at, at + len(text)) if text else Cell("", line.start + a + 1, line.start + a + 1)
        for k in range(slot[cols[a]], slot[cols[b]]):
            out[k] = cell
    return out


def _stack(sliced: list[dict[int, Cell]], width: int, at: int) -> tuple[Cell, ...]:
    """The cells of one row printed over several lines: each slot's texts top to bottom."""
    cells: list[Cell] = []
    for k in range(width):
        parts = [s[k] for s in sliced if k in s and s[k].text]
        if not parts:
            first = next((s[k] for s in sliced if k in s), None)
            cells.append(first or Cell("", at, at))
        elif len(parts) == 1:
            cells.append(parts[0])
        else:
            cells.append(Cell("".join(p.text for p in parts), parts[0].start, parts[-1].end))
    return _shared(tuple(cells))


def _shared(cells: tuple[Cell, ...]) -> tuple[Cell, ...]:
    """Slots of one merged cell point at one :class:`Cell` (equal cells are the same span)."""
    seen: dict[tuple[str, int, int], Cell] = {}
    return tuple(seen.setdefault((c.text, c.start, c.end), c) if c.end > c.start else c for c in cells)


# --- layout text -----------------------------------------------------------------------

_GAP = cache.compile(r"\S {2,}\S")


def _layout_rows(text: str, lines: list[Line], widths: _Widths) -> list[Line]:
    """Rows of space-aligned tables that leave cells blank, given cells by position.

    Only lines laid out with runs of spaces between their words are looked at:
    text whose words are one space apart carries no column positions. Columns are
    display columns (CJK two wide), as a terminal shows them; where they do not
    line up, character counts, as some converters pad."""
    if "  " not in text or not _GAP.search(text):
        return lines  # no line is laid out (the regex tries every character: spaces first)
    plain = [k for k, ln in enumerate(lines) if ln.cells is None and ln.text.strip()]
    if not any(_GAP.search(lines[k].text) for k in plain):
        return lines
    layout = _Layout([lines[k] for k in plain])
    found: dict[int, tuple[int, list[list[int]]]] = {}
    for n_geometry, geometry in enumerate((widths, None)):
        # Character counts only where a header names the columns: by themselves,
        # values that line up by count are too weak a sign of a table. Rows placed
        # by display columns keep their cells: a block of only those is skipped.
        def tokens_of(n: int, geometry: _Widths | None = geometry) -> list[Token[int]]:
            return layout.tokens(n, geometry)

        rows = recover_words(
            layout.words, layout.counts, tokens_of, reach=_REACH, labelled=n_geometry > 0, done=found.keys()
        )
        for n, (block, cells) in rows.items():
            found.setdefault(n, (block + n_geometry * len(plain), cells))
    if not found:
        return lines
    out = list(lines)
    table = _next_table(lines)
    blocks: dict[int, int] = {}
    for n, (block, cells) in sorted(found.items()):
        ln = lines[plain[n]]
        if not _GAP.search(ln.text):
            continue
        t = blocks.setdefault(block, table + len(blocks))
        out[plain[n]] = replace(ln, cells=tuple(_cell(ln, cell) for cell in cells), table=t)
    return out


#: Lines above a block that can hold its header: text lines are :data:`_LINE` apart,
#: and a header lies within :data:`~.pdf_columns.HEADER_BAND` lines of the block.
_REACH = int(HEADER_BAND) + 1


class _Layout:
    """The plain lines of a layout text as :mod:`.pdf_columns` reads them: words and
    value counts of every line, read once for both geometries; where a line's words
    start and end, found once when a block first looks at the line."""

    def __init__(self, plain: list[Line]) -> None:
        self.lines = plain
        self.words = [ln.text.split() for ln in plain]
        self.counts = value_counts(self.words)
        self._spans: dict[int, list[tuple[int, int]]] = {}

    def spans(self, n: int) -> list[tuple[int, int]]:
        """Offsets in line ``n`` where each of its words starts and ends (a word's first
        occurrence after the one before it: only spaces lie between)."""
        found = self._spans.get(n)
        if found is None:
            text, found, end = self.lines[n].text, [], 0
            for word in self.words[n]:
                start = text.find(word, end)
                end = start + len(word)
                found.append((start, end))
            self._spans[n] = found
        return found

    def tokens(self, n: int, widths: _Widths | None) -> list[Token[int]]:
        """The words of line ``n`` as tokens on a page: one unit per display column
        (``widths``) or per character (None), :data:`_LINE` per line. A token holds
        where it starts and ends in the line: a cell is cut from there (:func:`_cell`)."""
        spans = self.spans(n)
        ends = [k for span in spans for k in span]
        xs = ends if widths is None else widths.at(self.lines[n], ends)
        bottom = n * _LINE + _LINE
        return [
            make_token((w, span, x0, x1, (x0 + x1) / 2, bottom, _LINE))
            for w, span, x0, x1 in zip(self.words[n], spans, xs[::2], xs[1::2], strict=True)
        ]


def _cell(line: Line, ends: list[int]) -> Cell:
    """The cell of ``line`` from the start of its first token to the end of its last
    (``ends`` the tokens' offsets in the line); a blank one, at the line's end, has no text."""
    if not ends:
        return Cell("", line.end, line.end)
    return Cell(line.text[ends[0] : ends[-1]], line.start + ends[0], line.start + ends[-1])
