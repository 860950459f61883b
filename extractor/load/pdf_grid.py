"""Turn a page's ruling lines into table grids and fill their cells with characters.

A table is a connected set of horizontal and vertical rules. Its distinct rule
positions cut it into elementary cells; two neighbours are one (spanned) cell
when no rule separates them. Each character goes to the cell under its centre,
so a label printed one character per line, or wrapped over lines, comes out
as one string. Pure geometry: no pdfium here, so it can be tested alone.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from operator import attrgetter, itemgetter

from ..record import field, record
from .pdf_model import Char, Seg

#: Rules closer than this (points) are the same rule; gaps this small are joined.
TOL = 2.0
#: Rules reaching this far (points) past a table's outermost crossing rule leave it open there.
OPEN = 8.0

Box = tuple[float, float, float, float]
_TOP = attrgetter("top")
_X0 = attrgetter("x0")
_TOP_BOTTOM = itemgetter(2, 4)


@record(frozen=False)
class Grid:
    """A ruled table: ``rows[r][c]`` is the id of the cell covering that grid slot.

    ``texts[id]`` is the cell's text and ``boxes[id]`` its ``(x0, top, x1, bottom)``.
    """

    xs: list[float]
    ys: list[float]
    rows: list[list[int]]
    texts: dict[int, str] = field(default_factory=dict)
    boxes: dict[int, Box] = field(default_factory=dict)

    @property
    def top(self) -> float:
        return self.ys[0]

    @property
    def bottom(self) -> float:
        return self.ys[-1]

    def row_texts(self, r: int) -> tuple[str, ...]:
        return tuple(self.texts[i] for i in self.rows[r])


def find_grids(rules: list[Seg], lines: list[list[Char]]) -> tuple[list[Grid], list[list[Char]]]:
    """The ruled tables on a page, top to bottom, with their cells' text; and the page's
    ``lines`` without the characters that fell inside a table (spaces there included).

    Each character is looked at once: it goes to the first table whose area holds its
    centre, or stays in its line.
    """
    grids = [g for g in (_grid(group) for group in _groups(_merge(rules))) if g is not None]
    if not grids:
        return [], lines
    grids.sort(key=lambda g: g.top)
    cells = [_cells(g) for g in grids]
    areas = [(g.xs[0], g.xs[-1], g.ys[0], g.ys[-1], k) for k, g in enumerate(grids)]
    kept: list[list[Char]] = []
    for line in lines:
        rest: list[Char] = []
        for ch in line:
            text, x0, y0, x1, y1 = ch  # unpacked at once: cheaper than five attribute reads
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            for left, right, top, bottom, k in areas:
                if left <= cx <= right and top <= cy <= bottom:
                    if text != " ":  # slot() inlined: this runs for every character of a table
                        g = grids[k]
                        r = bisect_right(g.ys, cy, 1, len(g.ys) - 1) - 1
                        cells[k][g.rows[r][bisect_right(g.xs, cx, 1, len(g.xs) - 1) - 1]].append(ch)
                    break
            else:
                rest.append(ch)
        kept.append(rest)
    for g, members in zip(grids, cells, strict=True):
        _fill(g, members)
    return grids, kept


def _cells(g: Grid) -> dict[int, list[Char]]:
    """An empty list of characters per cell id, in the order the grid's slots first name them."""
    return {i: [] for row in g.rows for i in row}


def _merge(rules: list[Seg]) -> list[Seg]:
    """Rules at (nearly) the same position joined where they touch or overlap."""
    out: list[Seg] = []
    for horizontal in (True, False):
        segs = sorted((s for s in rules if s.horizontal is horizontal), key=lambda s: (s.at, s.a))
        lanes: list[list[Seg]] = []
        for s in segs:
            if lanes and s.at - lanes[-1][0].at <= TOL:
                lanes[-1].append(s)
            else:
                lanes.append([s])
        for lane in lanes:
            at = sum(s.at for s in lane) / len(lane)
            spans = sorted((s.a, s.b) for s in lane)
            a, b = spans[0]
            for na, nb in spans[1:]:
                if na <= b + TOL:
                    b = max(b, nb)
                else:
                    out.append(Seg(horizontal, at, a, b))
                    a, b = na, nb
            out.append(Seg(horizontal, at, a, b))
    return out


class _Sets:
    """Union-find over 0..n-1; a set is named by its smallest member."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        self.parent[max(ra, rb)] = min(ra, rb)


def _groups(segs: list[Seg]) -> list[list[Seg]]:
    """Connected components of crossing rules (those within :data:`TOL` of touching).

    The vertical rules are sorted by position, so each horizontal one looks only
    at those within its reach instead of at all of them. A rule with a NaN end or
    position (an overflowing matrix in a hostile file) touches nothing: it is kept
    out of the sort, which NaN would disorder.
    """
    sets = _Sets(len(segs))
    vs = sorted((s.at, i) for i, s in enumerate(segs) if not s.horizontal and s.at == s.at)
    at = [x for x, _ in vs]
    for i, h in enumerate(segs):
        if h.horizontal and h.a == h.a and h.b == h.b:
            for _, j in vs[bisect_left(at, h.a - TOL) : bisect_right(at, h.b + TOL)]:
                if segs[j].a - TOL <= h.at <= segs[j].b + TOL:
                    sets.union(i, j)
    groups: dict[int, list[Seg]] = {}
    for i, s in enumerate(segs):
        groups.setdefault(sets.find(i), []).append(s)
    return list(groups.values())


def _lanes(segs: list[Seg]) -> dict[float, list[tuple[float, float]]]:
    """Rule position → the stretches it covers (widened by the tolerance)."""
    out: dict[float, list[tuple[float, float]]] = {}
    for s in segs:
        out.setdefault(round(s.at, 1), []).append((s.a - TOL, s.b + TOL))
    return out


def _covers(stretches: list[tuple[float, float]], mid: float) -> bool:
    for a, b in stretches:  # noqa: SIM110  # a loop, not any(): no generator made per grid slot (~2.8M instructions on huaian)
        if a <= mid <= b:
            return True
    return False


def _close(across: dict[float, list[tuple[float, float]]], edges: dict[float, list[tuple[float, float]]],
           segs: list[Seg]) -> None:
    """Draw the missing outer edges of a table cut open: where the rules running
    one way (``segs``, whose lanes are ``across``) reach past the outermost rule
    running the other way (``edges``), the table goes on to where they end — a
    column cut off at the page's edge by a browser's print, the top of a table
    continued from the page before. The edge added covers the whole table.

    It stands where most of those rules end: the printed area ends there, a
    rule stopping short is an inner one, a rule reaching further an overhang.
    """
    lo, hi = min(edges), max(edges)
    span = (min(across) - TOL, max(across) + TOL)
    for ends in ([s.a for s in segs if s.a < lo - OPEN], [s.b for s in segs if s.b > hi + OPEN]):
        if ends:
            common = Counter(round(e) for e in ends).most_common()
            top = max(n for _, n in common)
            at = max(e for e, n in common if n == top) if ends[0] > hi else min(e for e, n in common if n == top)
            edges[round(float(at), 1)] = [span]


def _grid(group: list[Seg]) -> Grid | None:
    """The cell grid of one group of rules, or None if it is not a table (a box, a line)."""
    hs = _lanes([s for s in group if s.horizontal])
    vs = _lanes([s for s in group if not s.horizontal])
    if len(vs) < 2 or len(hs) < 2:
        return None
    _close(hs, vs, [s for s in group if s.horizontal])
    _close(vs, hs, [s for s in group if not s.horizontal])
    xs, ys = sorted(vs), sorted(hs)
    if len(xs) < 3 or len(ys) < 2:
        return None
    nr, nc = len(ys) - 1, len(xs) - 1
    sets = _Sets(nr * nc)
    find, union = sets.find, sets.union
    for r in range(nr):
        ymid = (ys[r] + ys[r + 1]) / 2
        for c in range(nc):
            xmid = (xs[c] + xs[c + 1]) / 2
            if c + 1 < nc and not _covers(vs[xs[c + 1]], ymid):
                union(r * nc + c, r * nc + c + 1)
            if r + 1 < nr and not _covers(hs[ys[r + 1]], xmid):
                union(r * nc + c, (r + 1) * nc + c)
    rows: list[list[int]] = []
    bounds = [ys[0]]
    for r in range(nr):
        row = [find(r * nc + c) for c in range(nc)]
        if rows and row == rows[-1]:
            bounds[-1] = ys[r + 1]  # no rule crosses here: one row, not two
        else:
            rows.append(row)
            bounds.append(ys[r + 1])
    if len({i for row in rows for i in row}) < 2:
        return None
    return Grid(xs, bounds, rows)


def _fill(g: Grid, members: dict[int, list[Char]]) -> None:
    """Each cell's text (its characters read line by line) and box, from the characters
    that fell in it (``members``, in content order)."""
    for cid, cs in members.items():
        if len(cs) == 1:  # a figure's one digit, most cells of a report's tables
            g.texts[cid], g.boxes[cid] = cs[0].text, cs[0][1:]
            continue
        g.texts[cid] = _read(cs)
        if cs:
            g.boxes[cid] = bbox(cs)
    for r, row in enumerate(g.rows):
        for c, cid in enumerate(row):
            if cid not in g.boxes:
                g.boxes[cid] = (g.xs[c], g.ys[r], g.xs[c + 1], g.ys[r + 1])


def bbox(chars: list[Char]) -> Box:
    """The box around some characters."""
    _, x0, top, x1, bottom = zip(*chars, strict=True)
    return min(x0), min(top), max(x1), max(bottom)


def slot(bounds: list[float], v: float) -> int:
    """The index of the interval of sorted ``bounds`` that holds ``v`` (clamped: the search
    runs over the inner bounds only)."""
    return bisect_right(bounds, v, 1, len(bounds) - 1) - 1


def _read(chars: list[Char]) -> str:
    """Characters in reading order: lines top to bottom, each left to right."""
    if len(set(map(_TOP_BOTTOM, chars))) == 1 and chars[0].top < chars[0].bottom:
        return "".join([c.text for c in sorted(chars, key=_X0)])  # one line (pdfium's loose boxes share it)
    lines: list[list[Char]] = []
    bottom = -1.0
    for ch in sorted(chars, key=_TOP):
        if (ch.top + ch.bottom) / 2 < bottom:
            lines[-1].append(ch)
            bottom = max(bottom, ch.bottom)
        else:
            lines.append([ch])
            bottom = ch.bottom
    return "".join([c.text for line in lines for c in sorted(line, key=_X0)])
