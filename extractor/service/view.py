"""What the review page shows for one stored report, computed once on the server:
the source lines with every cell a finding names marked, the three tables laid out
as the template prints them with flagged cells marked, and each finding with its
place, its numbers and the source lines around it.

A finding's first path is the cell it is about (the printed total, the claimed
cell); the others are the cells it was computed from. Both are marked, the first
more strongly. A finding with no evidence (a row the parser did not find) is
placed at the nearest cell before it in printed order that has some.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from ..document import Document
from ..report import flatten
from ..store.api import FindingRow, ReportDetail, ReviewRow
from ..template import (
    ACTIVE_ROWS,
    APPLICANT_COLUMNS,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    TABLES,
    active_paths,
    application_paths,
    application_rows,
    review_paths,
    splits_other,
)

#: Source lines shown before and after a finding's place in its list entry.
CONTEXT_LINES = 3
_SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
#: Points added around a value's glyph box on a page image, so the frame reads as the cell's.
_BOX_PAD = 3.0


@dataclass(frozen=True, slots=True)
class Mark:
    """One span of the source text that findings point at."""

    start: int
    end: int
    path: str
    findings: tuple[int, ...]
    severity: str
    primary: bool


@dataclass(slots=True)
class Piece:
    """A run of one source line: plain text, or a marked cell."""

    text: str
    mark: Mark | None = None


@dataclass(slots=True)
class SourceLine:
    no: int
    pieces: list[Piece]
    page: int | None = None


@dataclass(slots=True)
class CellView:
    path: str
    text: str
    severity: str | None = None
    findings: tuple[int, ...] = ()
    corrected: str | None = None
    corrected_by: str | None = None
    caption: str = ""
    #: a finding is about this cell (not only computed from it)
    primary: bool = False


@dataclass(slots=True)
class RowView:
    label: str
    cells: list[CellView]
    group: bool = False
    indent: bool = False


@dataclass(slots=True)
class TableView:
    key: str
    heading: str
    columns: list[str]
    rows: list[RowView]


@dataclass(slots=True)
class BoxView:
    """A cell's box on a page image, in percent of the page (so it scales with the image)."""

    left: float
    top: float
    width: float
    height: float
    path: str
    findings: tuple[int, ...]
    severity: str
    primary: bool


@dataclass(slots=True)
class PageView:
    number: int
    width: float
    height: float
    boxes: list[BoxView] = field(default_factory=list)


@dataclass(slots=True)
class FindingView:
    row: FindingRow
    place: str | None
    context: list[SourceLine]
    #: ``(row · column label, the cell: printed value and standing correction)`` for every cell it names
    cells: list[tuple[str, CellView]]
    printed: str
    computed: str


@dataclass(slots=True)
class ReportView:
    detail: ReportDetail
    lines: list[SourceLine]
    tables: list[TableView]
    findings: list[FindingView]
    pages: list[PageView]
    source_missing: bool
    #: every decision on the report, oldest first, with the finding it was on
    history: list[tuple[ReviewRow, FindingRow]]


def number(value: Any) -> str:
    """A value as the page prints it: ``—`` for blank, no trailing ``.0``."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _other_split(report: dict[str, Any]) -> bool:
    return splits_other((report.get("applications") or {}).get("other"))


def _order(report: dict[str, Any]) -> list[str]:
    """Every canonical leaf path of this report's tables, in printed order."""
    template = (report.get("meta") or {}).get("template")
    return [
        *(active_paths(template) if template in ACTIVE_ROWS else []),
        *application_paths(_other_split(report)),
        *review_paths(),
    ]


def _located(ev: Any) -> dict[str, Any] | None:
    return ev if isinstance(ev, dict) and "start" in ev and "end" in ev else None


def _where(finding: FindingRow, evidence: dict[str, Any], path: str) -> dict[str, Any] | None:
    return _located(finding.evidence.get(path)) or _located(evidence.get(path))


def _marks(detail: ReportDetail) -> list[Mark]:
    """Every span a finding names, one mark per span carrying every finding that names
    it and the worst severity among them; ``primary`` when it is a finding's own cell."""
    by_span: dict[tuple[int, int], dict[str, Any]] = {}

    def add(ev: dict[str, Any], path: str, f: FindingRow, primary: bool) -> None:
        span = by_span.setdefault(
            (ev["start"], ev["end"]), {"path": path, "findings": [], "severity": f.severity, "primary": False}
        )
        span["findings"].append(f.id)
        if _SEVERITY_RANK.get(f.severity, 3) < _SEVERITY_RANK.get(span["severity"], 3):
            span["severity"] = f.severity
        span["primary"] = span["primary"] or primary

    for f in detail.findings:
        for i, path in enumerate(f.paths):
            ev = _where(f, detail.evidence, path)
            if ev is not None:
                add(ev, path, f, i == 0)
        for key, ev in f.evidence.items():  # a claim's quote, and anything else it points at
            if key not in f.paths and _located(ev) is not None:
                add(ev, key, f, True)
    return sorted(
        (Mark(s, e, v["path"], tuple(dict.fromkeys(v["findings"])), v["severity"], v["primary"])
         for (s, e), v in by_span.items() if e > s),
        key=lambda m: (m.start, -m.end),
    )


def _cut(doc: Document, index: int, marks: list[Mark], starts: list[int]) -> SourceLine:
    """Line ``index`` of ``doc`` cut into plain and marked pieces (of overlapping marks
    the earlier one wins)."""
    line = doc.lines[index]
    pieces: list[Piece] = []
    at = line.start
    i = bisect.bisect_left(starts, line.start)
    while i > 0 and marks[i - 1].end > line.start:  # a mark that began on an earlier line
        i -= 1
    for m in marks[i:]:
        if m.start >= line.end:
            break
        s, e = max(m.start, at), min(m.end, line.end)
        if e <= s:
            continue
        if s > at:
            pieces.append(Piece(doc.text[at:s]))
        pieces.append(Piece(doc.text[s:e], m))
        at = e
    if at < line.end:
        pieces.append(Piece(doc.text[at:line.end]))
    return SourceLine(line.no, pieces, line.page)


def _cells(detail: ReportDetail) -> dict[str, CellView]:
    """A view of every leaf, with the worst finding that names it and any correction."""
    leaves = flatten(detail.report)
    out: dict[str, CellView] = {}
    for path in _order(detail.report):
        fix = detail.corrections.get(path)
        out[path] = CellView(
            path, number(leaves.get(path)), corrected=None if fix is None else number(fix.corrected),
            corrected_by=None if fix is None else fix.reviewer,
        )
    for f in sorted(detail.findings, key=lambda f: _SEVERITY_RANK.get(f.severity, 3), reverse=True):
        for i, path in enumerate(f.paths):
            view = out.setdefault(path, CellView(path, number(leaves.get(path))))
            view.severity = f.severity
            view.findings = (*view.findings, f.id)
            view.primary = view.primary or i == 0
    return out


def _tables(detail: ReportDetail, cells: dict[str, CellView]) -> list[TableView]:
    """Tables 二, 三 and 四 as the template lays them out."""
    report = detail.report
    out: list[TableView] = []

    def cell(path: str, caption: str = "") -> CellView:
        cells[path].caption = caption
        return cells[path]

    template = (report.get("meta") or {}).get("template")
    if report.get("active") is not None and template in ACTIVE_ROWS:
        # table 二's rows have columns of their own: each cell carries its column's name
        rows = [
            RowView(label, [cell(f"active.{key}.{c}", zh) for c, zh in cols.items()])
            for key, (label, cols) in ACTIVE_ROWS[template].items()
        ]
        out.append(TableView("active", TABLES["active"].heading, ["信息内容", "数值"], rows))
    if report.get("applications") is not None:
        rows = []
        group = ""
        for key, label in application_rows(_other_split(report)):
            head, _, sub = label.rpartition(" ")
            if head and head != group:
                rows.append(RowView(head, [], group=True))
            group = head
            rows.append(RowView(sub, [cell(f"applications.{key}.{c}") for c in APPLICANT_COLUMNS], indent=bool(head)))
        out.append(TableView("applications", TABLES["applications"].heading, ["", *APPLICANT_COLUMNS.values()], rows))
    if report.get("review_litigation") is not None:
        rows = [
            RowView(label, [cell(f"review_litigation.{g}.{c}") for c in REVIEW_COLUMNS])
            for g, label in REVIEW_GROUPS.items()
        ]
        out.append(TableView(
            "review_litigation", TABLES["review_litigation"].heading, ["", *REVIEW_COLUMNS.values()], rows,
        ))
    return out


def place(finding: FindingRow, detail: ReportDetail) -> tuple[str | None, dict[str, Any] | None]:
    """The cell a finding is shown at and the evidence to show it by: its own first located
    cell, else (a blank row) the nearest located cell before its first path in printed
    order — the lines around it are where the missing values should have stood."""
    for path in finding.paths:
        ev = _where(finding, detail.evidence, path)
        if ev is not None:
            return path, ev
    for ev in finding.evidence.values():
        if _located(ev) is not None:
            return (finding.paths[0] if finding.paths else None), ev
    if not finding.paths:
        return None, None
    order = _order(detail.report)
    if finding.paths[0] not in order:
        return finding.paths[0], None
    at = order.index(finding.paths[0])
    for path in [*reversed(order[:at]), *order[at + 1:]]:
        ev = _located(detail.evidence.get(path))
        if ev is not None:
            return finding.paths[0], ev
    return finding.paths[0], None


def _template_labels() -> dict[str, str]:
    """Every canonical leaf path of either template by its printed row and column names."""
    out = {
        f"active.{key}.{c}": f"{label} · {zh}"
        for rows in ACTIVE_ROWS.values() for key, (label, cols) in rows.items() for c, zh in cols.items()
    }
    for split in (True, False):
        for key, label in application_rows(split):
            out.update({f"applications.{key}.{c}": f"{label} · {zh}" for c, zh in APPLICANT_COLUMNS.items()})
    for g, label in REVIEW_GROUPS.items():
        out.update({f"review_litigation.{g}.{c}": f"{label} · {zh}" for c, zh in REVIEW_COLUMNS.items()})
    return out


_LABELS = _template_labels()


def _pages(doc: Document, marks: list[Mark], sizes: list[tuple[float, float]]) -> list[PageView]:
    pages = [PageView(i + 1, w, h) for i, (w, h) in enumerate(sizes)]
    for m in marks:
        box = doc.boxes.get(m.start)
        if box is None or not 1 <= box[0] <= len(pages):
            continue
        page, x0, top, x1, bottom = box
        x0, top, x1, bottom = x0 - _BOX_PAD, top - _BOX_PAD, x1 + _BOX_PAD, bottom + _BOX_PAD
        pv = pages[page - 1]
        pv.boxes.append(BoxView(
            round(100 * x0 / pv.width, 3), round(100 * top / pv.height, 3),
            round(100 * (x1 - x0) / pv.width, 3), round(100 * (bottom - top) / pv.height, 3),
            m.path, m.findings, m.severity, m.primary,
        ))
    return pages


def _context(doc: Document, lines: list[SourceLine], ev: dict[str, Any] | None) -> list[SourceLine]:
    if ev is None:
        return []
    line = doc.line_at(ev["start"])
    if line is None:
        return []
    i = bisect.bisect_left(doc.lines, line.start, key=lambda ln: ln.start)
    return lines[max(0, i - CONTEXT_LINES): i + CONTEXT_LINES + 1]


def build(
    detail: ReportDetail, doc: Document | None, page_sizes: list[tuple[float, float]] | None = None
) -> ReportView:
    """The whole page's content for one report (``doc``: its source, if still readable)."""
    marks = _marks(detail)
    starts = [m.start for m in marks]
    lines = [_cut(doc, i, marks, starts) for i in range(len(doc.lines))] if doc is not None else []
    cells = _cells(detail)
    views = []
    for f in detail.findings:
        at, ev = place(f, detail)
        context = _context(doc, lines, ev) if doc is not None else []
        named = [(_LABELS.get(p, p), cells[p]) for p in f.paths]
        views.append(FindingView(f, at, context, named, number(f.printed), number(f.computed)))
    pages = _pages(doc, marks, page_sizes) if doc is not None and page_sizes else []
    history = sorted(((r, f) for f in detail.findings for r in f.reviews), key=lambda rf: (rf[0].decided_at, rf[0].id))
    return ReportView(detail, lines, _tables(detail, cells), views, pages, doc is None, history)


def snippet(detail: ReportDetail, doc: Document | None, finding: FindingRow) -> list[tuple[int, str, bool]]:
    """The source lines around a finding's place as ``(line number, text, is its line)``,
    for the terminal (``nianbao review``)."""
    _, ev = place(finding, detail)
    if ev is None or doc is None:
        return []
    line = doc.line_at(ev["start"])
    if line is None:
        return []
    i = bisect.bisect_left(doc.lines, line.start, key=lambda ln: ln.start)
    return [(ln.no, doc.text[ln.start:ln.end], ln is line) for ln in doc.lines[max(0, i - 1): i + 2]]
