"""Give the blank cells of a table printed without rules their place back.

Read as text, a row printed ``1.属于国家秘密 0 0 0 0 0`` under seven columns
is ambiguous: two cells are blank, but which? Positions tell. Consecutive
lines that end in values form a block (row-label fragments to the left of the
values do not break it); its columns are the clusters of the value positions,
and each of the lowest column labels above it that stands over none of them
adds one (a column blank in every row still has its label). A label stands
over a column when the column falls within its width: numbers right-aligned
under a long header are still under it.
A row with fewer values than columns comes back as cells, ``""`` in the
blank columns. Rows that fill every column, and anything that is not clearly
a table, are left as they are.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from functools import partial
from itertools import pairwise
from typing import Any, Generic, NamedTuple, TypeVar

from .. import cache
from .pdf_model import Char

_VALUE = cache.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:万元|元)?|[/\\－—-]{1,2}")
#: Lines of header looked at above a block.
HEADER_LINES = 40
#: Column labels end within this many line heights of the lowest: a label centred
#: over two or three header rows (自然人, 总计 beside 法人或其他组织's sub-columns) is one.
HEADER_BAND = 4.5
#: The header lines next to the values, for a header whose lines do not line up.
NEAR_BAND = 2.5


#: What a cell is made of: a PDF's characters, a text line's offsets.
P = TypeVar("P")


class Token(NamedTuple, Generic[P]):
    """A whitespace-separated run of characters; its extent is worked out once, when made
    (a block's tokens are compared with every column and label several times)."""

    text: str
    #: What a cell holding the token is given: its characters (PDF), or where it starts
    #: and ends in its line (layout text, whose cells are cut from the line).
    chars: tuple[P, ...]
    x0: float
    x1: float
    #: Halfway between ``x0`` and ``x1``.
    mid: float
    #: The first character's bottom and height.
    bottom: float
    height: float


#: A token from its seven fields, by C code alone (the named tuple's constructor is Python).
make_token: Callable[[Iterable[object]], Token[Any]] = partial(tuple.__new__, Token)


def token(text: str, chars: tuple[Char, ...]) -> Token[Char]:
    """The token printing ``text`` with ``chars`` (its extent from the first and the last)."""
    first, x0, x1 = chars[0], chars[0].x0, chars[-1].x1
    return make_token((text, chars, x0, x1, (x0 + x1) / 2, first.bottom, first.bottom - first.top))


def tokens(line: list[Char]) -> list[Token[Char]]:
    """The whitespace-separated tokens of a line."""
    out: list[Token[Char]] = []
    run: list[Char] = []
    for ch in [*line, None]:
        if ch is None or ch.text == " ":
            if run:
                out.append(token("".join([c.text for c in run]), tuple(run)))
                run = []
        else:
            run.append(ch)
    return out


def _values(words: list[str]) -> int:
    """How many tokens (their texts) at the end of the line are values."""
    n = 0
    for w in reversed(words):
        if not _VALUE.fullmatch(w):
            break
        n += 1
    return n


def value_counts(words: list[list[str]]) -> list[int]:
    """How many values end each line (its tokens as text): what blocks are made of,
    whatever the positions, so worked out once for every geometry tried."""
    return [_values(w) for w in words]


class _Lines(Generic[P]):
    """The lines as blocks see them: each line's words and value count, and its tokens,
    made when first looked at (a block looks at its own lines, the line that ends it
    and the header lines above it, never at the text after a table)."""

    def __init__(
        self, words: list[list[str]], counts: list[int], tokens_of: Callable[[int], list[Token[P]]], reach: int
    ) -> None:
        self.words, self.counts, self.tokens_of = words, counts, tokens_of
        #: Lines above a block that can hold its header.
        self.reach = reach
        self.made: dict[int, list[Token[P]]] = {}

    def __len__(self) -> int:
        return len(self.words)

    def __getitem__(self, i: int) -> list[Token[P]]:
        toks = self.made.get(i)
        if toks is None:
            toks = self.made[i] = self.tokens_of(i)
        return toks


def _clusters(mids: list[float], tol: float) -> list[float]:
    """1-D clusters of positions: a gap wider than ``tol`` starts a new one."""
    out: list[list[float]] = []
    for m in sorted(mids):
        if out and m - out[-1][-1] <= tol:
            out[-1].append(m)
        else:
            out.append([m])
    return [sum(c) / len(c) for c in out]


#: Cells of a row, label cell first when it has one; ``[]`` is a blank cell.
Cells = list[list[Char]]
#: :data:`Cells` of whatever the tokens hold.
_Cells = list[list[P]]


#: A column label's extent ``(x0, x1)``.
Span = tuple[float, float]


def recover(
    lines: list[list[Char]], carried: list[Span], labelled: bool = False
) -> tuple[dict[int, tuple[int, Cells]], list[Span]]:
    """Line index → (block number, cells) for the rows of unruled tables that leave
    cells blank; rows of one block belong to one table.

    ``carried`` are the column-label positions of the last block of the previous
    page, for a table that runs on without repeating its header; this page's are
    returned for the next.
    """
    made = [tokens(ln) for ln in lines]
    words = [[t.text for t in toks] for toks in made]
    return _recover(_Lines(words, value_counts(words), made.__getitem__, HEADER_LINES), carried, labelled, set())


def recover_words(
    words: list[list[str]],
    counts: list[int],
    tokens_of: Callable[[int], list[Token[P]]],
    *,
    reach: int,
    labelled: bool = False,
    done: AbstractSet[int] = frozenset(),
) -> dict[int, tuple[int, _Cells[P]]]:
    """The rows of :func:`recover`, no labels carried in or out, given each line's tokens
    as text (``words``), their :func:`value_counts` and, for the lines a block looks at,
    the tokens themselves (``tokens_of`` a line index, asked on demand).

    ``reach``: how many lines above a block can hold its header (lines evenly spaced
    hold it within :data:`HEADER_BAND` lines). ``done``: lines given cells already (in
    another geometry); a block of only those is not worked out again."""
    return _recover(_Lines(words, counts, tokens_of, reach), [], labelled, done)[0]


def _recover(
    lines: _Lines[P], carried: list[Span], labelled: bool, done: AbstractSet[int]
) -> tuple[dict[int, tuple[int, _Cells[P]]], list[Span]]:
    words, counts = lines.words, lines.counts
    out: dict[int, tuple[int, _Cells[P]]] = {}
    labels = carried
    first = True
    i = 0
    while i < len(words):
        if counts[i] == 0 or (counts[i] == 1 and counts[i] == len(words[i])):
            i += 1
            continue
        block, end = _block(lines, i)
        if all(k in done for k in block):
            i = end
            continue
        values = [lines[k][-counts[k] :] for k in block]
        tol = 0.8 * max(t.height for v in values for t in v)
        # A column label stands right of where the values start, or right of every
        # row label (the first column may be blank in every row of a short block).
        left = min(t.x0 for v in values for t in v) - tol
        labels_end = max((t.x1 for k in block for t in lines[k][: -counts[k]]), default=left)
        heads = [t for t in _header(lines, i) if t.mid >= left or t.x0 >= labels_end + tol]
        own, upper = _header_columns(heads, tol)
        labels = own or (labels if first else [])
        cells = _cells(values, labels, tol, upper) if labels or not labelled else {}
        if not cells and own:
            # A header whose lines do not line up with each other: its labels merged
            # where they overlap, a label over two others dropped.
            low = max(t.bottom for t in heads)
            near = [t for t in heads if t.bottom >= low - NEAR_BAND * t.height]
            merged = _merged_columns([(t.x0, t.x1) for t in near])
            bottom = [t for t in near if t.bottom >= low - 0.8 * t.height]
            upper = {c for c in merged if not any(t.x0 < c[1] and c[0] < t.x1 for t in bottom)}
            cells = _cells(values, merged, tol, upper)
        for k, row in cells.items():
            line = block[k]
            label = [c for t in lines[line][: -counts[line]] for c in t.chars]
            out[line] = (i, [label, *row] if label else row)
        first = False
        i = end
    return out, labels


def _block(lines: _Lines[P], start: int) -> tuple[list[int], int]:
    """The value lines of the block starting at ``start``, and the index after it.

    A line without values continues the block while it stays left of the first
    value column (a row label wrapped or printed one character per line).
    """
    words, counts = lines.words, lines.counts
    first = min(t.mid for t in lines[start][-counts[start] :])
    block = [start]
    i = start + 1
    while i < len(words):
        if counts[i]:
            block.append(i)
            first = min(first, *(t.mid for t in lines[i][-counts[i] :]))
        elif not words[i] or max(t.x1 for t in lines[i]) > first:
            break  # text reaching into the value columns: a heading, a header, a paragraph
        i += 1
    return block, i


def _header(lines: _Lines[P], start: int) -> list[Token[P]]:
    """The lowest header tokens above a block: the column labels nearest its values."""
    above: list[Token[P]] = []
    for j in range(start - 1, max(start - lines.reach, 0) - 1, -1):
        if lines.counts[j]:
            break
        above.extend(lines[j])
    if not above:
        return []
    low = max(t.bottom for t in above)
    return [t for t in above if t.bottom >= low - HEADER_BAND * t.height]


def _header_columns(labels: list[Token[P]], tol: float) -> tuple[list[Span], set[Span]]:
    """The value columns a header names, left to right, read from its lowest line up:
    a label over no column yet starts one (自然人 and 总计 centred beside the
    sub-columns of 法人或其他组织); one stacked over a column, within its width,
    is the rest of its name (商业 over 企业); one reaching over two or more columns,
    or wider than the one it stands over, groups them and names none.

    Also returned: the columns only a line above the lowest names — a caption or
    a block title may stand there, so they count only with values under them."""
    cols: list[Span] = []
    lowest = max((t.bottom for t in labels), default=0.0)
    upper: set[int] = set()
    for t in sorted(labels, key=lambda t: -t.bottom):
        over = [k for k, (a, b) in enumerate(cols) if t.x0 < b and a < t.x1]
        if not over:
            if t.bottom < lowest - 0.8 * t.height:
                upper.add(len(cols))
            cols.append((t.x0, t.x1))
        elif len(over) == 1:
            a, b = cols[over[0]]
            if t.x0 >= a - tol and t.x1 <= b + tol:
                cols[over[0]] = (min(a, t.x0), max(b, t.x1))
    return sorted(cols), {cols[k] for k in upper}


def _merged_columns(labels: list[Span]) -> list[Span]:
    """Columns from label extents alone: a label over two or more others' middles
    groups them and is dropped; labels that overlap are one column."""
    mids = sorted((a + b) / 2 for a, b in labels)
    # Counted by bisection in the sorted middles, a label's own among them (within it).
    leaves = [(a, b) for a, b in labels if bisect_right(mids, b) - bisect_left(mids, a) < 3]
    out: list[Span] = []
    for a, b in sorted(leaves):
        if out and a < out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def _under(mid: float, cols: list[Span], wide: list[Span]) -> int | None:
    """The column over ``mid``: the one whose extent widened (``wide``, the extents of
    ``cols`` widened by the tolerance) holds it; of two, the one holding it unwidened,
    else the nearer centre. None if none."""
    near = [i for i, (a, b) in enumerate(wide) if a <= mid <= b]
    if len(near) > 1:
        inside = [i for i in near if cols[i][0] <= mid <= cols[i][1]]
        dist = sorted((abs((cols[i][0] + cols[i][1]) / 2 - mid), i) for i in near)
        near = inside if len(inside) == 1 else [dist[0][1]] if dist[0][0] < dist[1][0] else []
    return near[0] if len(near) == 1 else None


def _by_column(values: list[list[Token[P]]], cols: list[Span], tol: float) -> list[list[int] | None]:
    """Each row's value columns, by the column each value stands under; a row with
    a value under none, or two under one, is None."""
    wide = [(a - tol, b + tol) for a, b in cols]
    seen: dict[float, int | None] = {}  # rows of a table put their values at the same places
    out: list[list[int] | None] = []
    for v in values:
        where = []
        for t in v:
            if t.mid not in seen:
                seen[t.mid] = _under(t.mid, cols, wide)
            if (w := seen[t.mid]) is not None:
                where.append(w)
        ok = len(where) == len(v) and all(a < b for a, b in pairwise(where))
        out.append(where if ok else None)
    return out


def _columns(
    values: list[list[Token[P]]], labels: list[Span], tol: float, upper: AbstractSet[Span] = frozenset()
) -> tuple[int, list[list[int]]] | None:
    """The block's column count and each row's value columns, or None.

    Each value goes to the header label it stands under. A header whose labels do
    not stand over the values (printed apart from them) still gives the number
    of columns: when the values fall in exactly that many aligned clusters, the
    clusters are its columns in order. Without labels, the clusters are the
    columns, each filled in most rows."""
    heads = labels
    if heads:
        placed = _by_column(values, heads, tol)
        if all(p is not None for p in placed):
            rows = [p for p in placed if p is not None]
            used = {c for p in rows for c in p}
            keep = [c for c in range(len(heads)) if c in used or heads[c] not in upper]
            renumber = {c: n for n, c in enumerate(keep)}
            return len(keep), [[renumber[c] for c in p] for p in rows]
    clusters = [(c, c) for c in _clusters([t.mid for v in values for t in v], tol)]
    if heads and len(clusters) != len(heads):
        return None
    placed = _by_column(values, clusters, tol)
    if any(p is None for p in placed):
        return None
    rows = [p for p in placed if p is not None]
    if not heads and any(sum(1 for p in rows if c in p) * 2 < len(values) for c in range(len(clusters))):
        return None  # a column filled in few rows: values that do not line up
    return len(clusters), rows


def _cells(
    values: list[list[Token[P]]], labels: list[Span], tol: float, upper: AbstractSet[Span] = frozenset()
) -> dict[int, _Cells[P]]:
    """Position in ``values`` → the row's value cells, for the rows that leave some blank
    (see :func:`_columns`); one value alone is a table row only under a header."""
    if labels and min(len(v) for v in values) >= len(labels):
        # No more columns than labels (see :func:`_columns`): every row fills them all
        # (most blocks of a table printed in full), so there is nothing to place.
        return {}
    found = _columns(values, labels, tol, upper)
    if found is None:
        return {}  # not one table after all: leave the lines as printed
    width, placed = found
    if max(len(v) for v in values) < 2 and (width < 2 or not labels):
        return {}
    out: dict[int, _Cells[P]] = {}
    for k, (vals, where) in enumerate(zip(values, placed, strict=True)):
        if len(vals) == width:
            continue
        cells: _Cells[P] = [[] for _ in range(width)]
        for col_no, t in zip(where, vals, strict=True):
            cells[col_no] = list(t.chars)
        out[k] = cells
    return out
