"""Find each number the model gave where the source prints it, before trusting it.

A model can misread a cell or invent one. A value counts as *located* when its
table section (二/三/四, as :func:`~extractor.parse.sections.find_sections` cuts it)
prints that number: as a value cell the parser's tokeniser sees, else anywhere
in the section text between non-digits (an amount may also be printed in 元).
Values are matched in printed order (rows top to bottom, columns left to right),
each taking the first matching cell after the previous match, so the evidence
usually points at the right cell. This proves the number is printed in the
section, not that it stands in that row and column: a 0 is found almost anywhere.

A value that is not located is not trusted: it is left blank (``null``) and
named in an ``llm.unlocated`` warning together with the number the model gave,
so the verifier never computes with it and a reviewer can still see it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from ..document import Document
from ..parse.sections import Sections
from ..parse.tokens import NUMBER, Value, items, parse_number
from ..result import Evidence, Finding, Message
from ..template import (
    ACTIVE_ROWS,
    AMOUNT_FIELDS,
    APPLICANT_COLUMNS,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    TABLES,
    application_rows,
)

_LOOSE = re.compile(r"(?<![\d.])" + NUMBER.pattern + r"(?![\d.])")
_ROW_LABELS = dict(application_rows(True) + application_rows(False))


def cell_labels(path: str) -> tuple[str, str]:
    """The printed row and column labels of a canonical leaf path."""
    section, *row, col = path.split(".")
    if section == "applications":
        return _ROW_LABELS.get(".".join(row), ".".join(row)), APPLICANT_COLUMNS.get(col, col)
    if section == "review_litigation":
        return REVIEW_GROUPS.get(row[0], row[0]), REVIEW_COLUMNS.get(col, col)
    for rows in ACTIVE_ROWS.values():
        label, cols = rows.get(row[0], ("", {}))
        if col in cols:
            return label, cols[col]
    return ".".join(row), col


@dataclass(slots=True)
class Located:
    """The values to use (unlocated ones blank), evidence for the located, and the warnings."""

    values: dict[str, int | float | None] = field(default_factory=dict)
    evidence: dict[str, Evidence] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


def _same(printed: int | float | None, value: int | float, amount: bool) -> bool:
    if printed is None:
        return False
    if amount:  # 万元, or 元 that the report's unit line turns into 万元
        return any(math.isclose(p, value, rel_tol=1e-9, abs_tol=1e-9) for p in (printed, printed / 10000))
    return printed == value


class _Printed:
    """The numbers one section prints, and where the last match stood."""

    def __init__(self, doc: Document, span: tuple[int, int]) -> None:
        self.cells = [it for it in items(doc, *span) if isinstance(it, Value) and it.number is not None]
        self.loose: list[Value] = []
        for m in _LOOSE.finditer(doc.text, *span):
            parsed, line = parse_number(m.group()), doc.line_at(m.start())
            if parsed is not None and line is not None:
                self.loose.append(Value(parsed[0], m.group(), m.start(), m.end(), line, parsed[1]))
        self.cursor = span[0]

    def find(self, value: int | float, amount: bool) -> Value | None:
        hit = next((c for c in self.cells if c.start >= self.cursor and _same(c.number, value, amount)), None)
        if hit is not None:
            self.cursor = hit.end
            return hit
        return next((c for c in (*self.cells, *self.loose) if _same(c.number, value, amount)), None)


def _warning(rule: str, path: str, zh: str, en: str) -> Finding:
    return Finding(rule=rule, severity="warning", message=Message(zh=zh, en=en), paths=[path])


def locate(doc: Document, sections: Sections, values: dict[str, int | float | None]) -> Located:
    """Check the model's ``values`` (canonical leaf path → value, in printed order) against the source."""
    out = Located()
    printed: dict[str, _Printed] = {}
    for path, value in values.items():
        out.values[path] = None
        if value is None:
            continue
        section = path.split(".", 1)[0]
        row, col = cell_labels(path)
        amount = path.rsplit(".", 1)[1] in AMOUNT_FIELDS
        if not amount and isinstance(value, float):
            if not value.is_integer():
                out.findings.append(_warning(
                    "llm.not_integer", path, f"模型给出的{row}·{col}为非整数 {value}，未采用",
                    f"the model gave a non-integer count {value} for {path}; left blank",
                ))
                continue
            value = int(value)
        span = sections.get(section)
        if span is not None and section not in printed:
            printed[section] = _Printed(doc, span)
        hit = printed[section].find(value, amount) if span is not None else None
        if hit is None:
            zh = TABLES[section].number if section in TABLES else section
            out.findings.append(_warning(
                "llm.unlocated", path, f"模型给出的{row}·{col}为 {value}，但表{zh}中未印有该数字，未采用",
                f"the model read {value} for {path}, but table {zh} does not print that number; left blank",
            ))
            continue
        out.values[path] = float(value) if amount else value
        out.evidence[path] = Evidence(
            line=hit.line.no, start=hit.start, end=hit.end, text=hit.text, page=hit.line.page, row=row, col=col
        )
    return out
