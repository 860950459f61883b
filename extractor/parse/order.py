"""A candidate reading of table 三 by the template's row order.

When labels place some rows but not others — a label garbled by a PDF's
interleaved text, labels detached from their numbers (a block of label lines,
then a block of number rows), a stray value line inside a group — the rows
placed by label are anchors, and between two anchors the template says which
rows must stand. If the values printed between them fill exactly those rows,
in whole rows that no printed line straddles, they are a candidate reading.
The parser takes it only when the template's arithmetic holds on it
(:mod:`.arithmetic`); otherwise the cells stay blank.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from ..record import record
from ..template import application_rows
from .tokens import Value


@record
class Candidate:
    """Rows ``paths`` read from ``values`` (one list per path), found between
    the printed rows ``rows`` (indexes) that labels could not place."""

    paths: list[str]
    values: list[list[Value]]
    rows: list[int]


def _order(split: bool) -> list[str]:
    return [k for k, _ in application_rows(split)]


def whole_rows(values: list[Value], width: int) -> list[list[Value]] | None:
    """``values`` cut into rows of ``width``, or None if a printed line would
    hold values of two rows (a line is one row, or part of one)."""
    if not values or len(values) % width:
        return None
    out = [values[k : k + width] for k in range(0, len(values), width)]
    owner: dict[int, int] = {}
    for n, chunk in enumerate(out):
        for v in chunk:
            if owner.setdefault(id(v.line), n) != n:
                return None
    return out


def candidates(
    placed: Sequence[str | None], material: Sequence[list[Value]], width: int
) -> list[Candidate]:
    """Candidate readings of the gaps between rows placed by label.

    ``placed[i]`` is the row path printed row ``i`` was read as (None when
    unread); ``material[i]`` are the values of an unread row (empty for a
    placed one). Both ways of printing （六） are tried where neither is placed.
    """
    done = {p for p in placed if p}
    if any(p.startswith("other.") for p in done):
        variants = [True]
    elif "other" in done:
        variants = [False]
    else:
        variants = [True, False]
    best: list[Candidate] = []
    for split in variants:
        order = _order(split)
        pos = {p: k for k, p in enumerate(order)}
        anchors = [(-1, -1)] + [(i, pos[p]) for i, p in enumerate(placed) if p in pos] + [(len(placed), len(order))]
        if any(b <= a for (_, a), (_, b) in pairwise(anchors)):
            continue  # rows out of the template's order: no reading by order
        found: list[Candidate] = []
        for (i, a), (j, b) in pairwise(anchors):
            missing = [p for p in order[a + 1 : b] if p not in done]
            between = [k for k in range(i + 1, j) if material[k]]
            if not missing or not between:
                continue
            rows = whole_rows([v for k in between for v in material[k]], width)
            if rows is None or len(rows) != len(missing):
                # blank cells of header rows are not values: try without rows printing nothing
                between = [k for k in between if any(v.text for v in material[k])]
                rows = whole_rows([v for k in between for v in material[k]], width)
            if rows is not None and len(rows) == len(missing):
                found.append(Candidate(missing, rows, between))
        if sum(len(c.paths) for c in found) > sum(len(c.paths) for c in best):
            best = found
    return best
