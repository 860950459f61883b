"""The deterministic template parser: a Document in, the canonical Report out.

Rows are found by their labels. Each table section is cut into items (label
text, value cells); a run of values belongs to the row its preceding label
names. Where the loader gave the row its grid, each value goes to the column
its header names (:mod:`.columns`). Rows no label places may be read by the
template's row order between rows that labels did place, only where table 三's
own relations hold on that reading (:mod:`.order`, :mod:`.arithmetic`). A row
whose value count does not fit the table's columns is otherwise left blank and reported
(``parse.unplaced``), never guessed; a table that cannot be found is ``null``
with a finding saying so.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .. import cache
from ..document import Document, Line
from ..record import field, record, replace
from ..report import Report
from ..result import Evidence, Finding, Message, Severity
from ..template import (
    ACTIVE_ROWS,
    AMOUNT_FIELDS,
    APPLICANT_COLUMNS,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    TABLES,
    Template,
    application_paths,
    application_rows,
    review_paths,
)
from .arithmetic import table3_holds
from .columns import APPLICANT_HEADERS, REVIEW_HEADERS, Columns, absent, header_columns, place
from .labels import (
    ACTIVE_LABELS,
    REVIEW_GROUP_NAMES,
    REVIEW_RESULT_NAMES,
    RowMatcher,
    all_named,
    is_header_fragment,
    last_named,
    segments,
    strip_header_noise,
)
from .meta import read_meta
from .order import candidates, whole_rows
from .sections import require_sections
from .tokens import Item, Label, Value, items, parse_number, value_at


@record(frozen=False)
class Row:
    label: str
    values: list[Value]
    label_items: list[Label] = field(default_factory=list)


@record(frozen=False)
class Parsed:
    """What the parser read: the report, where each value stands, what it could not place."""

    report: Report
    evidence: dict[str, Evidence]
    findings: list[Finding]
    #: Spans the narrative reader skips: the tables, and any second report in the file.
    table_spans: list[tuple[int, int]]


def rows_of(found: list[Item], width: int, repeated_header: Callable[[str], bool] | None = None) -> list[Row]:
    """Group items into rows: label text, then the run of values after it.

    Header text a page break repeats (``repeated_header``) in the middle of a
    row's values (the row has fewer than ``width`` values so far) does not end
    the row. A table row
    (a line with cells) holds its own values: values on a new one start a new
    row, so blank cells of a header row never join the data row under it.
    """
    rows: list[Row] = []
    labels: list[Label] = []
    values: list[Value] = []
    for it in found:
        if isinstance(it, Label):
            if values and len(values) < width and repeated_header and repeated_header(it.text):
                continue
            if values:
                rows.append(Row("".join(lab.text for lab in labels), values, labels))
                labels, values = [], []
            labels.append(it)
        else:
            if values and it.line.cells is not None and values[-1].line is not it.line:
                rows.append(Row("".join(lab.text for lab in labels), values, labels))
                labels, values = [], []
            values.append(it)
    if values or labels:
        rows.append(Row("".join(lab.text for lab in labels), values, labels))
    return rows


def _continuation(row: Row, below: Row) -> str:
    """The text of ``below`` that continues ``row``'s label: all of it when
    ``below`` is the rest of a row cut by a page break (merged label cells it
    repeats dropped), else its text before its first list marker."""
    if _cut_rest(below):
        shared = next(
            (k for k, (a, b) in enumerate(zip(row.label, below.label, strict=False)) if a != b),
            min(len(row.label), len(below.label)),
        )
        return below.label[shared:]
    first = segments(below.label)[:1]
    return first[0][1] if first and not first[0][0] else ""


def _cut_rest(row: Row) -> bool:
    """A table row printing only label text beside empty cells: what a page
    break leaves of a row whose values stand on the page before."""
    return bool(row.values) and all(not v.text for v in row.values) and bool(row.label)


def _fit(values: list[Value], width: int, lines: list[Line] | None = None) -> list[Value] | None:
    """The row's values if they fill ``width`` columns.

    Beyond ``width``, empty cells at the end (a grid padded to its widest
    sub-table), blank cells in front (gaps between label columns), a page
    number under the row and, given the table's ``lines``, the empty cells of
    a grid column that is no column (:func:`_no_column`) are dropped; anything
    else is a count that does not fit.
    """
    vals = list(values)
    while len(vals) > width and not vals[-1].text:
        vals.pop()
    while len(vals) > width and vals[0].number is None and vals[0].line.cells is not None:
        vals.pop(0)  # a grid's blank label-column cells; "/" on a text line is a printed blank
    if len(vals) == width + 1 and _stray_last(vals):
        vals.pop()
    if len(vals) > width and lines:
        vals = _no_column(vals, lines)
    return vals if len(vals) == width else None


def _no_column(values: list[Value], lines: list[Line]) -> list[Value]:
    """A grid row's values without the empty cells that stand in no column: a
    ruled PDF table often has sliver columns where two cells' borders do not
    line up. A cell is in no column when it is empty and so is the cell above
    it in the table's header row, or every cell of its grid column in the table."""
    line = values[0].line if values else None
    if line is None or line.cells is None:
        return values
    n = len(line.cells)
    same = [ln for ln in lines if ln.table == line.table and ln.cells is not None and len(ln.cells) == n]
    header = [
        ln for ln in same
        if ln.start < line.start and not any(parse_number(c.text) for c in ln.cells or () if c.text)
    ]
    empty: set[int] = set()
    for k, c in enumerate(line.cells):
        column = [ln.cells[k].text for ln in ([header[-1]] if header else same) if ln.cells]
        if not c.text and not any(column):
            empty.add(c.start)
    return [v for v in values if v.line is not line or v.text or v.start not in empty]


def _stray_last(vals: list[Value]) -> bool:
    """The last value stands alone on a later line while the row's other values
    share lines: a page number printed under a page's last row."""
    last, rest = vals[-1], vals[:-1]
    lines = {id(v.line) for v in rest}
    return len(lines) < len(rest) and id(last.line) not in lines


class _Reader:
    """Accumulates the flat canonical values, evidence and findings of one document."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.flat: dict[str, Any] = {}
        self.evidence: dict[str, Evidence] = {}
        self.findings: list[Finding] = []

    def finding(
        self, rule: str, severity: Severity, zh: str, en: str, paths: list[str], at: Value | Label | None
    ) -> None:
        ev = {}
        if at is not None:
            ev = {p: self._evidence(at, None, None) for p in paths[:1]}
        self.findings.append(
            Finding(rule=rule, severity=severity, message=Message(zh=zh, en=en), paths=paths, evidence=ev)
        )

    def _evidence(self, v: Value | Label, row: str | None, col: str | None) -> Evidence:
        end = v.end if isinstance(v, Value) else v.start + len(v.text)
        box = self.doc.boxes.get(v.start) or self.doc.boxes.get(v.line.start)
        return Evidence(
            v.line.no, v.start, end, v.text, v.line.page, row, col,
            (box[1], box[2], box[3], box[4]) if box else None, self.doc.confidence.get(v.start),
        )

    def put(self, path: str, v: Value, row: str, col: str, *, amount_unit: str | None = None) -> None:
        number = v.number
        field_name = path.rsplit(".", 1)[1]
        if number is not None and field_name in AMOUNT_FIELDS:
            unit = v.unit or amount_unit or "万元"
            dec = Decimal(v.text.rstrip("万元件个项条宗").replace(",", ""))
            number = float(dec / 10000) if unit == "元" else float(dec)
        elif isinstance(number, float):
            self.finding(
                "parse.not_integer", "warning", f"{row}·{col} 印有非整数 {v.text}，未采用",
                f"{row} / {col} prints a non-integer count {v.text}; left blank", [path], v,
            )
            number = None
        self.flat[path] = number
        self.evidence[path] = self._evidence(v, row, col)

    def unplaced(self, paths: list[str], row: Row, width: int) -> None:
        at: Value | Label | None = row.values[0] if row.values else (row.label_items[0] if row.label_items else None)
        self.finding(
            "parse.unplaced", "warning",
            f"“{row.label[:30]}”一行印有 {len(row.values)} 个数值，应为 {width} 个，无法对应到列，留空",
            f"row “{row.label[:30]}” prints {len(row.values)} values where {width} columns are expected; "
            "cells left blank rather than guessed",
            paths, at,
        )


def _total_first(found: list[Item]) -> bool:
    """Whether a grid header puts 总计 in a column left of 自然人 (the template
    prints it last). Only cell positions tell: running text names 总计 wherever
    the layout put it."""
    where: dict[str, int] = {}
    for it in found:
        if isinstance(it, Value):
            break
        cells = it.line.cells
        if cells and it.text in {"总计", "自然人"}:
            where.setdefault(it.text, next(k for k, c in enumerate(cells) if c.start == it.start))
    return len(where) == 2 and where["总计"] < where["自然人"]


def _applicant_columns(compact_region: str, total_first: bool) -> list[str | None]:
    """Value columns of table 三 in printed order; ``None`` marks a 小计 column."""
    cols: list[str | None] = list(APPLICANT_COLUMNS)
    if total_first:
        cols = ["total", *(c for c in APPLICANT_COLUMNS if c != "total")]
    if "小计" in compact_region:
        sub, other = compact_region.find("小计"), compact_region.find("法律服务机构")
        cols.insert(6 if sub > other >= 0 else 1, None)
    return cols


def _read_applications(r: _Reader, span: tuple[int, int], compact: str) -> bool:
    """Fill table 三; returns whether ``other`` was printed as one row."""
    found = items(r.doc, *span)
    columns = _applicant_columns(compact, _total_first(found))
    rows = rows_of(found, len(columns), is_header_fragment)
    lines = r.doc.lines_in(*span)
    # The header as the rows carry it; where they drop it as header text, as printed.
    carried: list[Item] = []
    for row in rows:
        carried += row.label_items
        carried += row.values
    grid = header_columns(carried, APPLICANT_HEADERS) or header_columns(found, APPLICANT_HEADERS)
    below = _labels_below(rows)
    if below is None:
        return _read_rows(r, rows, columns, lines, grid)
    # Each label may stand under its numbers rather than before them (a PDF's
    # text order for a vertically centred label): two readings, and only the
    # arithmetic can tell them apart.
    above, under = _Reader(r.doc), _Reader(r.doc)
    single = _read_rows(above, rows, columns, lines, grid)
    single_under = _read_rows(under, below, columns, lines, grid)
    chosen = under if _adds_up(under.flat) else above if _adds_up(above.flat) else None
    if chosen is None:
        r.finding(
            "parse.order_rejected", "warning",
            "表三的行标签可能印在其数值之下；两种读法的勾稽关系都不成立，无法确定数值属于哪一行，留空",
            "table 三 may print its row labels under their numbers; the table's relations hold on neither "
            "reading, so which row each value line belongs to is unknown: left blank",
            application_paths(not single_under), None,
        )
        return single_under
    r.flat.update(chosen.flat)
    r.evidence.update(chosen.evidence)
    r.findings.extend(chosen.findings)
    if chosen is under:
        r.finding(
            "parse.order_reading", "info",
            "表三的行标签印在其数值之下：按“数值行属于其下的标签”读出，勾稽关系成立，而按标签在前读则不成立",
            "table 三 prints each row label under its numbers: read with each value line belonging to the label "
            "below it, the reading on which the table's relations hold (they do not with labels first)",
            ["applications.total.total"], None,
        )
        return single_under
    return single


def _labels_below(rows: list[Row]) -> list[Row] | None:
    """The rows re-paired value line → the label printed after it, when the
    layout suggests labels stand under their numbers: the first numbers come
    before any row's label, and the table ends in a row label with no numbers."""
    if len(rows) < 3 or rows[-1].values or RowMatcher().match(rows[-1].label) is None:
        return None
    first = next((k for k, row in enumerate(rows) if any(v.number is not None for v in row.values)), None)
    if first is None or RowMatcher().match(rows[first].label) is not None:
        return None
    return [Row(rows[k + 1].label, rows[k].values, rows[k + 1].label_items) for k in range(first, len(rows) - 1)]


def _adds_up(flat: dict[str, Any]) -> bool:
    """Whether table 三 as read in ``flat`` satisfies its relations (up to one misprinted cell)."""
    rows = {p.split(".", 1)[1].rsplit(".", 1)[0] for p in flat if p.startswith("applications.")}
    return bool(rows) and table3_holds(flat, rows)


def _read_rows(
    r: _Reader, rows: list[Row], columns: list[str | None], lines: list[Line], grid: dict[int, Columns]
) -> bool:
    """Read table 三's printed rows by their labels, then the rest by order;
    returns whether ``other`` was printed as one row."""
    width = len(columns)
    matcher = RowMatcher()
    seen: set[str] = set()
    unplaced: set[str] = set()
    by_position = False
    #: per printed row: the path it was placed as, or None; and its values if unread
    placed: list[str | None] = [None] * len(rows)
    material: list[list[Value]] = [[] for _ in rows]
    #: findings about rows left unread, held back until a reading by order is tried
    held: dict[int, Callable[[], None]] = {}
    empty: dict[str, tuple[Row, list[Value]]] = {}
    #: rows placed by a label printed on an earlier line than their numbers, or by a block of labels
    loose: dict[int, list[Value]] = {}
    last: str | None = None
    skip = False
    for i, row in enumerate(rows):
        if skip:
            skip = False
            continue
        path = matcher.match(row.label)
        if path is None and row.values and i + 1 < len(rows):
            # A label cut short with the rest printed below it (a page break, or
            # a wrapped cell): read it whole, with the first part's values.
            rest = _continuation(row, rows[i + 1])
            trial = replace(matcher)
            path = trial.match(row.label + rest) if rest else None
            if path is not None:
                matcher, skip = trial, _cut_rest(rows[i + 1])
                row = Row(row.label + rest, row.values, row.label_items)
        elif path is not None and path == last and _cut_rest(row):
            continue  # the rest of the row above, cut by a page break
        last = path
        # A label naming three or more rows: rows printed blank before this one,
        # or a block of labels with their numbers elsewhere. Either way its
        # numbers are not sure to be the last row's.
        block = matcher.named >= 3
        if path is None:
            material[i] = _fit(row.values, width, lines) or list(row.values)
            if row.values and any(v.number is not None for v in row.values):
                label = strip_header_noise(row.label)[:30] or "(无标签)"
                held[i] = functools.partial(
                    r.finding, "parse.extra_row", "info", f"表三中“{label}”一行不属于模板，已略过",
                    f"table 三 row “{label}” is not in the template; ignored", [], row.values[0],
                )
            continue
        if not row.values:
            continue
        paths = [f"applications.{path}.{c}" for c in APPLICANT_COLUMNS]
        if path in seen:
            material[i] = _fit(row.values, width, lines) or list(row.values)
            held[i] = functools.partial(
                r.finding, "parse.duplicate_row", "warning", f"表三“{path}”一行重复出现，采用第一次",
                f"table 三 row {path} printed twice; the first is kept", paths, row.values[0],
            )
            continue
        # A label apart from its numbers (a block of labels, or a label on an
        # earlier line) may not own them: such rows go the label-order way below,
        # where a reading by order can take them back.
        apart = block or bool(row.label_items and row.label_items[-1].line is not row.values[0].line)
        by_header = None if apart else place(row.values, grid)
        if by_header is not None and any(v.text for v in by_header.values()):
            # (a row printing nothing beside its label is left to the reading by order below)
            seen.add(path)
            placed[i], by_position = path, True
            for key, v in by_header.items():
                r.put(f"applications.{path}.{key}", v, row.label, APPLICANT_COLUMNS[key])
            continue
        vals = _fit(row.values, width, lines)
        if vals is None:
            material[i] = list(row.values)
            held[i] = functools.partial(r.unplaced, paths, row, width)
            unplaced.add(path)  # reported as unplaced, not as missing
            continue
        seen.add(path)
        if all(not v.text for v in vals):
            # Nothing printed beside the label: blank cells, or its numbers stand
            # on a line of their own below. Blank unless a reading by order fills it.
            empty[path] = (row, vals)
            continue
        placed[i] = path
        if block or (row.label_items and row.label_items[-1].line is not vals[0].line):
            loose[i] = vals
        for col, v in zip(columns, vals, strict=True):
            if col is not None:
                r.put(f"applications.{path}.{col}", v, row.label, APPLICANT_COLUMNS[col])
    ends_bare = bool(rows) and not rows[-1].values and RowMatcher().match(rows[-1].label) is not None
    if ends_bare or any(v.number is not None for m in material for v in m):
        # Numbers no label took, or a table ending in a label without numbers:
        # value lines may stand above their labels somewhere, so a label followed
        # by numbers on a line of their own may have its neighbour's. Such rows
        # are read by order, where the arithmetic bears that out, or not at all.
        for i, vals in loose.items():
            path = placed[i]
            if path:
                for c in APPLICANT_COLUMNS:
                    r.flat.pop(f"applications.{path}.{c}", None)
                    r.evidence.pop(f"applications.{path}.{c}", None)
                placed[i], material[i] = None, vals
                seen.discard(path)
    consumed, read = _read_by_order(r, placed, material, columns)
    for k in consumed:
        held.pop(k, None)
    seen.update(read)
    for path, (row, vals) in empty.items():
        if path not in read:
            for col, v in zip(columns, vals, strict=True):
                if col is not None:
                    r.put(f"applications.{path}.{col}", v, row.label, APPLICANT_COLUMNS[col])
    for emit in held.values():
        emit()
    found = seen | {p for p in unplaced if p not in read}
    single_other = "other" in found
    split_other = any(p.startswith("other.") for p in found)
    lost = absent(grid, APPLICANT_COLUMNS) if by_position else []
    if lost:
        names = "、".join(APPLICANT_COLUMNS[c] for c in lost)
        r.finding(
            "parse.column_absent", "info", f"表三未印出“{names}”列，留空",
            f"table 三 prints no {', '.join(lost)} column; its cells are blank",
            [f"applications.{k}.{c}" for k, _ in application_rows(split_other or not single_other) for c in lost],
            None,
        )
    for key, label in application_rows(split_other or not single_other):
        if key not in found:
            r.finding(
                "parse.row_missing", "warning", f"表三未找到“{label}”一行，留空",
                f"table 三 row {key} was not found; its cells are blank",
                [f"applications.{key}.{c}" for c in APPLICANT_COLUMNS], None,
            )
    if single_other and split_other:
        r.flat = {k: v for k, v in r.flat.items() if k.split(".")[:2] != ["applications", "other"] or k.count(".") == 3}
        r.finding(
            "parse.other_subtotal", "info", "（六）其他处理既有合计行又有分项，采用分项",
            "（六）其他处理 printed both as one row and split; the split rows are kept", [], None,
        )
        return False
    return single_other


def _read_by_order(
    r: _Reader, placed: list[str | None], material: list[list[Value]], columns: list[str | None]
) -> tuple[set[int], list[str]]:
    """Read the rows labels left unread by the template's row order, where the
    counts fit exactly and table 三's relations hold on the result; returns the
    printed rows so read and the row paths they were read as."""
    found = candidates(placed, material, len(columns))
    if not found:
        return set(), []
    trial = dict(r.flat)
    for cand in found:
        for path, vals in zip(cand.paths, cand.values, strict=True):
            trial.update({f"applications.{path}.{c}": v.number for c, v in zip(columns, vals, strict=True) if c})
    if not table3_holds(trial, [p for c in found for p in c.paths]):
        names = "、".join(p for c in found for p in c.paths)
        r.finding(
            "parse.order_rejected", "warning",
            f"表三部分行无法按标签对应；按模板行序读出的 {names} 不符合表内勾稽关系，留空",
            f"table 三 rows {names} could be read by the template's row order, but the table's "
            "relations do not hold on that reading; left blank",
            [f"applications.{p}.total" for c in found for p in c.paths], found[0].values[0][0],
        )
        return set(), []
    labels = dict(application_rows(True) + application_rows(False))
    for cand in found:
        for path, vals in zip(cand.paths, cand.values, strict=True):
            label = f"{labels[path]}（按模板行序读出，勾稽关系成立）"
            for col, v in zip(columns, vals, strict=True):
                if col is not None:
                    r.put(f"applications.{path}.{col}", v, label, APPLICANT_COLUMNS[col])
    read = [p for c in found for p in c.paths]
    r.finding(
        "parse.order_reading", "info",
        f"表三 {'、'.join(read)} 的标签无法对应到数值，按模板行序读出：行数恰好相符，"
        "且各行合计、（七）总计与（一）至（六）之和、一+二=（七）+四 均成立（至多一个单元格印错）",
        f"table 三 rows {', '.join(read)} were read by the template's row order, not by label: the counts fit "
        "exactly and the row sums, (七) = (一)…(六) and 一+二 = (七)+四 hold on that reading "
        "(but for at most one misprinted cell)",
        [f"applications.{p}.total" for p in read], found[0].values[0][0],
    )
    return {k for c in found for k in c.rows}, read


def _flat_run(doc: Document, span: tuple[int, int], n: int) -> list[Value] | None:
    """The one run of exactly ``n`` values printed together on a text line of
    ``span``, header words before or after it (a flat table printed as extracted
    text, ``维持 纠正 结果 审结 10 1 0 … 0 计``); None unless exactly one line has one."""
    runs: list[list[Value]] = []
    for line in doc.lines_in(*span):
        if line.cells is not None:
            continue
        run: list[Value] = []
        for m in re.finditer(r"\S+", line.text):
            s = line.start + m.start()
            v = value_at(m.group(), s, line)
            if v is not None and span[0] <= s < span[1]:
                run.append(v)
                continue
            if len(run) == n:
                runs.append(run)
            run = []
        if len(run) == n:
            runs.append(run)
    return runs[0] if len(runs) == 1 else None


def _read_review(r: _Reader, span: tuple[int, int]) -> None:
    paths = review_paths()
    cut = items(r.doc, *span)
    found = rows_of(cut, len(paths))
    # Placed by its header where it names each column's group and result: printed
    # flat (the five results once per group), or in parts whose headers name them.
    named = header_columns(cut, REVIEW_HEADERS, REVIEW_GROUP_NAMES, list(REVIEW_GROUPS))
    grid = {t: c for t, c in named.items() if c.named_groups or len(c.keys) > len(REVIEW_COLUMNS)}
    for x in found:
        placed = place(x.values, grid)
        if placed is not None and any(v.number is not None for v in placed.values()):
            for key, v in placed.items():
                g, c = key.split(".")
                if f"review_litigation.{key}" not in r.flat:
                    r.put(f"review_litigation.{key}", v, REVIEW_GROUPS[g], REVIEW_COLUMNS[c])
    if all(p in r.flat for p in paths):
        return
    row = next((x for x in found if len(x.values) >= len(paths)), None)
    if row is not None:
        vals = _fit(row.values, len(paths), r.doc.lines_in(*span))
        if vals is None:
            r.unplaced(paths, row, len(paths))
            return
        for path, v in zip(paths, vals, strict=True):
            g, c = path.split(".")[1:]
            r.put(path, v, REVIEW_GROUPS[g], REVIEW_COLUMNS[c])
        return
    # Rotated layouts: one row per group (five values), or one row per result
    # with the three groups as columns (three values).
    for x in found:
        group = last_named(x.label, REVIEW_GROUP_NAMES)
        vals = _fit(x.values, len(REVIEW_COLUMNS)) if group else None
        if group and vals:
            for c, v in zip(REVIEW_COLUMNS, vals, strict=True):
                r.put(f"review_litigation.{group}.{c}", v, REVIEW_GROUPS[group], REVIEW_COLUMNS[c])
            continue
        result = last_named(x.label, REVIEW_RESULT_NAMES)
        vals = _fit(x.values, len(REVIEW_GROUPS)) if result else None
        if result and vals:
            for g, v in zip(REVIEW_GROUPS, vals, strict=True):
                r.put(f"review_litigation.{g}.{result}", v, REVIEW_GROUPS[g], REVIEW_COLUMNS[result])
    if not any(k.startswith("review_litigation.") for k in r.flat) and (run := _flat_run(r.doc, span, len(paths))):
        for path, v in zip(paths, run, strict=True):
            g, c = path.split(".")[1:]
            r.put(path, v, REVIEW_GROUPS[g], REVIEW_COLUMNS[c])
    if not any(k.startswith("review_litigation.") for k in r.flat):
        bad = next((x for x in found if x.values), None)
        if bad is not None:
            r.unplaced(paths, bad, len(paths))




#: Column headers and rows only one template's table 二 prints. A template is
#: known by the structure of its table 二, never by the report's year: a 2020
#: report may be on either. A footnote naming 现行有效 (the 2019 template's
#: "对外公开总数量为现行有效的数量") is no header, so whole header words count.
_TEMPLATE_CUES: dict[Template, re.Pattern[str]] = {
    "2021": cache.compile(r"制发件数|废止件数|现行有效件数|收费金额"),
    "2019": cache.compile(
        r"新制作数量|新公开数量|对外公开总数量|上一年项目数量|本年增/?减|采购项目数量|采购总金额|对外管理服务"
    ),
}


def _template(compact_active: str, compact_all: str) -> Template | None:
    """The template whose table 二 headers the report prints more of; failing
    that, table 三's split （六） rows (2021 only)."""
    hits = {t: len(set(p.findall(compact_active))) for t, p in _TEMPLATE_CUES.items()}
    if hits["2021"] != hits["2019"]:
        return "2021" if hits["2021"] > hits["2019"] else "2019"
    if re.search(r"逾期不补正|逾期未按收费", compact_all):
        return "2021"
    return None


def _read_active(r: _Reader, span: tuple[int, int], template: Template, compact: str) -> None:
    unit = "元" if re.search(r"单位[:：]?元|\(元\)", compact) else "万元"
    rows = ACTIVE_ROWS[template]
    lines = r.doc.lines_in(*span)
    unplaced: set[str] = set()
    for row in rows_of(items(r.doc, *span), 3):
        if not row.values:
            continue
        key = last_named(strip_header_noise(row.label), ACTIVE_LABELS)
        if key is None or key not in rows:
            continue
        label, cols = rows[key]
        paths = [f"active.{key}.{c}" for c in cols]
        if paths[0] in r.flat:
            continue
        vals = _fit(row.values, len(cols), lines)
        if vals is None and _read_active_block(r, row, rows, unit):
            continue
        if vals is None:
            unplaced.add(key)
            r.unplaced(paths, row, len(cols))
            continue
        for (c, col_label), v in zip(cols.items(), vals, strict=True):
            r.put(f"active.{key}.{c}", v, label, col_label, amount_unit=unit)
    for key, (label, cols) in rows.items():
        paths = [f"active.{key}.{c}" for c in cols]
        if key not in unplaced and not any(p in r.flat for p in paths):
            # e.g. its cell prints N/A or 详见附件: no value, so no row
            r.finding(
                "parse.row_missing", "warning", f"表二未找到“{label}”一行（或其数值），留空",
                f"table 二 row {key} (or its value) was not found; its cells are blank",
                paths, None,
            )


def _read_active_block(
    r: _Reader, row: Row, rows: dict[str, tuple[str, dict[str, str]]], unit: str
) -> bool:
    """A 第二十条 block printed as its row labels, then its numbers (``规章`` /
    ``行政规范性文件`` / ``0 0 0`` / ``5 3 33``): the labels name the rows in
    printed order, and the numbers fill exactly that many whole rows, no
    printed line holding two rows' numbers. Table 二 states no relations to check
    a reading against, so only a block that fits exactly this way is read."""
    keys = all_named(strip_header_noise(row.label), ACTIVE_LABELS)
    if len(keys) < 2 or any(k not in rows or f"active.{k}.{next(iter(rows[k][1]))}" in r.flat for k in keys):
        return False
    widths = {len(rows[k][1]) for k in keys}
    vals = [v for v in row.values if v.text or v.line.cells is None]
    chunks = whole_rows(vals, widths.pop()) if len(widths) == 1 else None
    if chunks is None or len(chunks) != len(keys):
        return False
    for key, chunk in zip(keys, chunks, strict=True):
        label, cols = rows[key]
        for (c, col_label), v in zip(cols.items(), chunk, strict=True):
            shown = f"{label}（标签与数值分开印出，按标签顺序读出）"
            r.put(f"active.{key}.{c}", v, shown, col_label, amount_unit=unit)
    return True


def parse(doc: Document) -> Parsed:
    """Read meta and the three tables of one report."""
    sections = require_sections(doc)
    r = _Reader(doc)
    meta = read_meta(doc, sections.second_report)

    def region(name: str) -> str:
        span = sections.get(name)
        return "".join(doc.text[span[0] : span[1]].split()) if span else ""

    active_text, app_text = region("active"), region("applications")
    template = _template(active_text, app_text)
    meta = replace(meta, template=template)

    single_other = template == "2019"
    if (span := sections.get("applications")) is not None:
        single_other = _read_applications(r, span, app_text) or (
            template == "2019" and not any(k.startswith("applications.other.") for k in r.flat)
        )
    if (span := sections.get("review_litigation")) is not None:
        _read_review(r, span)
    if (span := sections.get("active")) is not None and template is not None:
        _read_active(r, span, template, active_text)
    if sections.repeated:
        r.finding(
            "parse.repeated_section", "warning", "同一表格出现不止一次，文件可能含有两份报告；只读第一份",
            f"{', '.join(sections.repeated)} printed more than once: the file may hold two reports; "
            "the first is read", list(sections.repeated), None,
        )
    report = Report.from_leaves(meta, r.flat, {n for n in TABLES if sections.get(n) is not None}, not single_other)
    for name, table in TABLES.items():
        if report.sections()[name] is None:
            r.finding(
                "parse.table_missing", "warning", f"未找到表{table.number}",
                f"table {table.number} ({name}) was not found; it is null", [name], None,
            )
    spans = sorted(sections.spans.values())
    if sections.second_report is not None:
        # A second report's narrative is not about the first report's tables.
        spans.append((sections.second_report, len(doc.text)))
    return Parsed(report=report, evidence=r.evidence, findings=r.findings, table_spans=spans)
