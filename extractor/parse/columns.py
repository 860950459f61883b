"""Place a table row's values by the column they stand in, read from the table's header.

A loader that knows the grid (HTML, Word, a ruled PDF, Markdown pipes, a PDF or
layout-text table whose blank cells were placed by position) hands the parser
rows whose cells sit in the table's columns, blank cells included. When the
header names each value column, a row is read by where its values stand, not
by counting them: a row printing fewer values than the table has columns, a
column blank in every row, a column lost at a printed page's edge, all come
out with values under their own headers and blanks as ``null``.

It is trusted only where it is unambiguous: the row spans the same grid as its
header, every printed number stands under a named column and no two under the
same one. Otherwise the caller falls back to counting.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .. import cache
from ..document import Line
from ..record import field, record
from .tokens import Item, Label, Value

#: Table 三's column headers by name (compact text); ``None`` is a 小计 column, not canonical.
APPLICANT_HEADERS: list[tuple[re.Pattern[str], str | None]] = [
    (cache.compile(r"自然人"), "natural_person"),
    (cache.compile(r"商业企业"), "commercial"),
    (cache.compile(r"科研机构"), "research"),
    (cache.compile(r"社会公益组织"), "social_org"),
    (cache.compile(r"法律服务机构"), "legal_service"),
    (cache.compile(r"其[他它](?:组织)?"), "other_org"),
    (cache.compile(r"[总合]计"), "total"),
    (cache.compile(r"小计"), None),
]
#: Table 四's result columns by name; the template prints them once per group.
REVIEW_HEADERS: list[tuple[re.Pattern[str], str | None]] = [
    (cache.compile(r"(?:结果)?维持"), "upheld"),
    (cache.compile(r"(?:结果)?纠正"), "corrected"),
    (cache.compile(r"其他结果|结果其他"), "other"),
    (cache.compile(r"(?:尚未|未)审结"), "pending"),
    (cache.compile(r"[总合]计"), "total"),
]
#: A header naming fewer value columns than this is not trusted to place values.
MIN_NAMED = 4


@record(frozen=False)
class Columns:
    """One table's value columns as its header names them: grid index → key."""

    width: int
    keys: dict[int, str | None] = field(default_factory=dict)
    named_groups: bool = False


def _index(line: Line, start: int) -> int | None:
    """The grid slot of the label cell starting at ``start`` (the first slot of a merged cell)."""
    return next((k for k, c in enumerate(line.cells or ()) if c.start == start), None)


def header_columns(
    found: Iterable[Item],
    names: list[tuple[re.Pattern[str], str | None]],
    groups: list[tuple[re.Pattern[str], str]] | None = None,
    order: Sequence[str] = (),
) -> dict[int, Columns]:
    """Table number → its named value columns, from the header cells printed
    above the table's first number (a row label further down is never a header).

    With ``groups``, the names repeat once per group (table 四's five results under
    行政复议 and under each kind of 行政诉讼): a column's group is the one a header
    cell above it names (未经复议直接起诉 spanning five columns), else the n-th
    column of a name is in the n-th group of ``order`` (the template's). Its key is
    then ``group.name``; ``Columns.named_groups`` says whether a header named them."""
    out: dict[int, Columns] = {}
    done: set[int] = set()
    seen: dict[tuple[int, str | None], int] = {}
    above: dict[tuple[int, int], str] = {}  # (table, slot) → the group a header cell names
    for it in found:
        line = it.line
        if line.cells is None or line.table is None or line.table in done:
            continue
        if isinstance(it, Value):
            if it.number is not None:
                done.add(line.table)
            continue
        k = _index(line, it.start)
        if k is None:
            continue
        group = _search(it.text, groups) if groups else None
        if group is not None:
            cell = line.cells[k]
            above.update({(line.table, j): group for j, c in enumerate(line.cells) if c is cell})
        key = _named(it, names)
        if key is None:
            continue
        cols = out.setdefault(line.table, Columns(len(line.cells)))
        if cols.width != len(line.cells) or k in cols.keys:
            continue
        name = key[0]
        if groups and name is not None:
            n = seen[line.table, name] = seen.get((line.table, name), -1) + 1
            named = above.get((line.table, k))
            if named is None and n >= len(order):
                continue
            cols.named_groups |= named is not None
            name = f"{named or order[n]}.{name}"
        cols.keys[k] = name
    return {t: c for t, c in out.items() if sum(1 for v in c.keys.values() if v) >= MIN_NAMED}


def _search(text: str, names: list[tuple[re.Pattern[str], str]]) -> str | None:
    """The key of the first pattern found in ``text``."""
    return next((key for pattern, key in names if pattern.search(text)), None)


def _named(label: Label, names: list[tuple[re.Pattern[str], str | None]]) -> tuple[str | None] | None:
    for pattern, key in names:
        if pattern.fullmatch(label.text):
            return (key,)
    return None


def place(values: list[Value], tables: dict[int, Columns]) -> dict[str, Value] | None:
    """The row's values by column key, or None when its header cannot place them.

    A blank cell under no named column is a gap between label columns; a
    column with no cell in the row is left out (blank)."""
    if not values:
        return None
    line = values[0].line
    cols = tables.get(line.table) if line.table is not None else None
    if cols is None or line.cells is None or len(line.cells) != cols.width:
        return None
    out: dict[str, Value] = {}
    for v in values:
        if v.line is not line:
            return None
        k = v.col
        if k is None or k not in cols.keys:
            if v.number is None and not v.text:
                continue
            return None
        key = cols.keys[k]
        if key is None:
            continue
        if key in out:
            return None
        out[key] = v
    return out or None


def absent(tables: dict[int, Columns], keys: Iterable[str]) -> list[str]:
    """Keys no header of these tables names: columns the document does not print."""
    named = {k for cols in tables.values() for k in cols.keys.values()}
    return [k for k in keys if k not in named]
