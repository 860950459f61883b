"""Cut a region of a Document into table items: label text and value cells.

The parser reads labels and structure, never positions: every line (or table
row) in a region becomes label fragments and value tokens, each with its span,
and the parser decides which row a run of values belongs to from the labels.
"""

from __future__ import annotations

from .. import cache
from ..document import Cell, Document, Line
from ..normalize import PAGE_MARK
from ..record import record

#: A printed number: signed, thousands separators, decimals, an optional unit.
NUMBER = cache.compile(
    r"(?P<num>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?P<unit>万元|元|件|个|项|条|宗)?"
)
#: What a blank cell may print.
BLANKS = frozenset({"", "/", "-", "--", "—", "——", "－", "无", "\\"})
#: Longer than this, a printed number is not one (and would overflow a float or int conversion).
_MAX_LENGTH = 24
_MD_SEPARATOR = cache.compile(r"^[\s|:\-]+$")


@record(frozen=False)
class Value:
    """A printed value (``number`` is None for a blank cell) and where it stands."""

    number: int | float | None
    text: str
    start: int
    end: int
    line: Line
    unit: str | None = None
    #: The grid slot of its cell in ``line.cells`` (the first, for a merged cell).
    col: int | None = None


@record(frozen=False)
class Label:
    """A fragment of label text (whitespace removed) and where it starts."""

    text: str
    start: int
    line: Line


Item = Value | Label


def parse_number(text: str) -> tuple[int | float, str | None] | None:
    """The number a cell prints (and its unit), or None if it is not a number
    (nor is a run of digits longer than any count or amount a report prints)."""
    if len(text) > _MAX_LENGTH:
        return None
    if text.isascii() and text.isdigit():
        return int(text), None  # the common case: no sign, separator or unit
    m = NUMBER.fullmatch(text)
    if not m:
        return None
    raw = m.group("num").replace(",", "")
    return (float(raw) if "." in raw else int(raw)), m.group("unit")


_NUMBER_START = frozenset("+-0123456789")


def value_at(text: str, start: int, line: Line) -> Value | None:
    """The value a whitespace-free token printed at ``start`` of ``line`` reads as, or None."""
    return _value(text, start, start + len(text), line)


def _value(text: str, start: int, end: int, line: Line) -> Value | None:
    if text in BLANKS:
        return Value(None, text, start, end, line)
    if text[0] not in _NUMBER_START:
        return None  # the common case, a label: no regex needed
    parsed = parse_number(text)
    if parsed is None:
        return None
    return Value(parsed[0], text, start, end, line, parsed[1])


def _row_items(line: Line) -> list[Item]:
    """Items of a table row: labels first, then the row's value cells.

    A cell repeated by ``rowspan``/``colspan`` (the same :class:`Cell` in
    several slots) counts once among the values, but keeps its place among the labels.
    """
    assert line.cells is not None
    cells: list[Cell] = list(line.cells)
    values: list[Value] = []
    first_value = len(cells)
    for i in range(len(cells) - 1, -1, -1):
        c = cells[i]
        v = _value(c.text, c.start, c.end, line)
        if v is None:
            break
        v.col = i
        values.append(v)
        first_value = i
    values.reverse()
    # Drop colspan copies: the same cell printed once.
    deduped: list[Value] = []
    for v in values:
        if deduped and cells[v.col or 0] is cells[deduped[-1].col or 0]:
            continue
        deduped.append(v)
    labels = [Label("".join(c.text.split()), c.start, line) for c in cells[:first_value] if c.text]
    seen: set[tuple[str, int]] = set()
    out: list[Item] = []
    for lab in labels:
        if (lab.text, lab.start) not in seen:
            seen.add((lab.text, lab.start))
            out.append(lab)
    return [*out, *deduped]


def _plain_items(line: Line, start: int, end: int) -> list[Item]:
    """Items of a plain text line within ``[start, end)``; numbers before label
    text on the same line are label text (a list marker, not a value)."""
    found: list[Item] = []
    last_label = -1
    base, text = line.start, line.text
    inside = start <= base and base + len(text) <= end  # every token of the line is within the range
    at = 0
    for t in text.split():  # (str.split and the regex \S agree on what whitespace is)
        at = text.find(t, at)  # only whitespace lies between tokens: the first find is this one
        s = base + at
        at += len(t)
        if inside or start <= s < end:
            # a label (the common case) needs no call: a value starts with a sign or digit, or is a blank
            v = _value(t, s, s + len(t), line) if t[0] in _NUMBER_START or t in BLANKS else None
            if v is None:
                last_label = len(found)
                found.append(Label(t, s, line))
            else:
                found.append(v)
    for i in range(last_label):
        it = found[i]
        if isinstance(it, Value):
            found[i] = Label(it.text, it.start, line)
    return found


def _page_number(lines: list[Line], i: int) -> bool:
    """A bare number at a page break (``\\f`` from pdftotext) is the page's number."""
    text = lines[i].text
    if not text.strip().isdigit() or len(text.strip()) > 4:
        return False
    if "\f" in text:
        return True
    after = next((ln.text for ln in lines[i + 1 : i + 4] if ln.text.strip()), "")
    return after.lstrip(" ").startswith("\f")


def items(doc: Document, start: int, end: int) -> list[Item]:
    """Every item printed in ``[start, end)`` of the document text."""
    out: list[Item] = []
    lines = doc.lines_in(start, end)
    for i, line in enumerate(lines):
        if line.cells is not None:
            out.extend(_row_items(line))
        elif (
            line.text.strip()
            and not _MD_SEPARATOR.match(line.text)
            and not PAGE_MARK.match(line.text)
            and not _page_number(lines, i)
        ):
            out.extend(_plain_items(line, start, end))
    return out
