"""The deterministic template parser: a Document in, the canonical Report out.

It reads labels and structure, never positions. Each table section is cut
into items (label text, value cells); a run of values belongs to the row its
preceding label names. A row whose value count does not fit the table's
columns is left blank and reported (``parse.unplaced``), never guessed; a
table that cannot be found is ``null`` with a finding saying so.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from ..document import Document
from ..result import Evidence, Finding, Message, Severity
from ..schema import Report, unflatten
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
from .labels import (
    ACTIVE_LABELS,
    REVIEW_GROUP_NAMES,
    REVIEW_RESULT_NAMES,
    RowMatcher,
    is_header_fragment,
    last_named,
    segments,
    strip_header_noise,
)
from .meta import read_meta
from .sections import require_sections
from .tokens import Item, Label, Value, items


@dataclass(slots=True)
class Row:
    label: str
    values: list[Value]
    label_items: list[Label] = field(default_factory=list)


@dataclass(slots=True)
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


def _fit(values: list[Value], width: int) -> list[Value] | None:
    """The row's values if they fill ``width`` columns.

    Beyond ``width``, empty cells at the end (a grid padded to its widest
    sub-table), blank cells in front (gaps between label columns) and a page
    number under the row are not columns and are dropped; anything else is a
    count that does not fit.
    """
    vals = list(values)
    while len(vals) > width and not vals[-1].text:
        vals.pop()
    while len(vals) > width and vals[0].number is None:
        vals.pop(0)
    if len(vals) == width + 1 and _stray_last(vals):
        vals.pop()
    return vals if len(vals) == width else None


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
    width = len(columns)
    matcher = RowMatcher()
    seen: set[str] = set()
    single_other = split_other = False
    rows = rows_of(found, width, is_header_fragment)
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
        if path is None:
            if row.values and any(v.number is not None for v in row.values):
                label = strip_header_noise(row.label)[:30] or "(无标签)"
                r.finding(
                    "parse.extra_row", "info", f"表三中“{label}”一行不属于模板，已略过",
                    f"table 三 row “{label}” is not in the template; ignored", [], row.values[0],
                )
            continue
        if not row.values:
            continue
        paths = [f"applications.{path}.{c}" for c in APPLICANT_COLUMNS]
        if path in seen:
            r.finding(
                "parse.duplicate_row", "warning", f"表三“{path}”一行重复出现，采用第一次",
                f"table 三 row {path} printed twice; the first is kept", paths, row.values[0],
            )
            continue
        seen.add(path)
        single_other |= path == "other"
        split_other |= path.startswith("other.")
        vals = _fit(row.values, width)
        if vals is None:
            r.unplaced(paths, row, width)
            continue
        for col, v in zip(columns, vals, strict=True):
            if col is not None:
                r.put(f"applications.{path}.{col}", v, row.label, APPLICANT_COLUMNS[col])
    for key, label in application_rows(split_other or not single_other):
        if key not in seen:
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


def _read_review(r: _Reader, span: tuple[int, int]) -> None:
    paths = review_paths()
    found = rows_of(items(r.doc, *span), len(paths))
    row = next((x for x in found if len(x.values) >= len(paths)), None)
    if row is not None:
        vals = _fit(row.values, len(paths))
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
    if not any(k.startswith("review_litigation.") for k in r.flat):
        bad = next((x for x in found if x.values), None)
        if bad is not None:
            r.unplaced(paths, bad, len(paths))




def _template(compact_active: str, compact_all: str) -> Template | None:
    if re.search(r"制发件数|废止件数|现行有效", compact_active):
        return "2021"
    if re.search(r"新制作数量|上一年项目数量|对外公开总数量|本年增/?减", compact_active):
        return "2019"
    if re.search(r"逾期不补正|逾期未按收费", compact_all):
        return "2021"
    return None


def _read_active(r: _Reader, span: tuple[int, int], template: Template, compact: str) -> None:
    unit = "元" if re.search(r"单位[:：]?元|\(元\)", compact) else "万元"
    rows = ACTIVE_ROWS[template]
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
        vals = _fit(row.values, len(cols))
        if vals is None:
            r.unplaced(paths, row, len(cols))
            continue
        for (c, col_label), v in zip(cols.items(), vals, strict=True):
            r.put(f"active.{key}.{c}", v, label, col_label, amount_unit=unit)


def parse(doc: Document) -> Parsed:
    """Read meta and the three tables of one report."""
    sections = require_sections(doc)
    r = _Reader(doc)
    meta = read_meta(doc, sections.second_report)

    def region(name: str) -> str:
        span = sections.get(name)
        return re.sub(r"\s+", "", doc.text[span[0] : span[1]]) if span else ""

    active_text, app_text = region("active"), region("applications")
    template = _template(active_text, app_text)
    meta.template = template
    canonical: dict[str, Any] = {
        "meta": meta.model_dump(), "active": None, "applications": None, "review_litigation": None
    }

    single_other = template == "2019"
    if (span := sections.get("applications")) is not None:
        single_other = _read_applications(r, span, app_text) or (
            template == "2019" and not any(k.startswith("applications.other.") for k in r.flat)
        )
        canonical["applications"] = _section(r.flat, application_paths(not single_other), "applications")
    if (span := sections.get("review_litigation")) is not None:
        _read_review(r, span)
        canonical["review_litigation"] = _section(r.flat, review_paths(), "review_litigation")
    if (span := sections.get("active")) is not None and template is not None:
        _read_active(r, span, template, active_text)
        paths = [f"active.{k}.{c}" for k, (_, cols) in ACTIVE_ROWS[template].items() for c in cols]
        canonical["active"] = _section(r.flat, paths, "active")
    if sections.repeated:
        r.finding(
            "parse.repeated_section", "warning", "同一表格出现不止一次，文件可能含有两份报告；只读第一份",
            f"{', '.join(sections.repeated)} printed more than once: the file may hold two reports; "
            "the first is read", list(sections.repeated), None,
        )
    for name, table in TABLES.items():
        if canonical[name] is None:
            r.finding(
                "parse.table_missing", "warning", f"未找到表{table.number}",
                f"table {table.number} ({name}) was not found; it is null", [name], None,
            )
    report = Report.model_validate(canonical)
    spans = sorted(sections.spans.values())
    if sections.second_report is not None:
        # A second report's narrative is not about the first report's tables.
        spans.append((sections.second_report, len(doc.text)))
    return Parsed(report=report, evidence=r.evidence, findings=r.findings, table_spans=spans)


def _section(flat: dict[str, Any], paths: list[str], name: str) -> dict[str, Any]:
    return dict(unflatten({p: flat.get(p) for p in paths})[name])
