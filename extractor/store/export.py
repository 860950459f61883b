"""``nianbao export``: the store as tables for analysts — one row per report with every
canonical leaf as a column, and one row per finding.

Report columns, in this order (``docs/store.md``): :data:`REPORT_COLUMNS` (where the
report came from and its finding counts), then :data:`LEAF_COLUMNS` — every leaf of
FORMAT.md by its canonical path, both templates, a leaf the report's template does
not have left empty — then, for each cell a reviewer corrected in any exported
report, three columns ``<path>:corrected`` (the reviewer's value), ``<path>:source``
(``printed`` or ``corrected``) and ``<path>:corrected_by``. The leaf column keeps the
printed value: a correction never replaces it.

Rows stream from the store a chunk at a time, so memory stays flat however many
reports are exported (xlsx is built by openpyxl's write-only mode, parquet in row groups).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import and_, exists, select

from ..errors import InputError, NianbaoError
from ..report import flatten
from ..template import active_paths, application_paths, review_paths
from .api import AMOUNT_SUFFIX, Store, check_choice, corrections_of, standing_correction
from .db import reading
from .formats import TEXT_FORMATS, Format
from .schema import FINDING_STATUSES, documents, extractions, findings, reviews

_CHUNK = 500


def _leaf_columns() -> tuple[str, ...]:
    """Every canonical leaf path of both templates (and both shapes of 其他处理), in schema order."""
    paths = [
        *active_paths("2021"), *application_paths(other_split=True), *review_paths(),
        *active_paths("2019"), *application_paths(other_split=False),
    ]
    return tuple(dict.fromkeys(paths))


LEAF_COLUMNS = _leaf_columns()
#: Report columns before the leaves.
REPORT_COLUMNS = (
    "report_id", "document_id", "path", "format", "sha256", "agency", "year", "template", "published",
    "backend", "model", "nianbao_version", "extracted_at", "errors", "warnings", "open_errors", "open_warnings",
)
FINDING_COLUMNS = (
    "finding_id", "report_id", "path", "agency", "year", "scope", "rule", "severity", "paths", "message",
    "message_en", "printed", "computed", "difference", "quote", "status", "revision", "reviewed_by",
    "reviewed_at", "decision", "note", "corrected_path", "corrected_value",
)
_INT_COLUMNS = frozenset({"report_id", "document_id", "year", "errors", "warnings", "open_errors", "open_warnings",
                          "finding_id", "revision"})


@dataclass(frozen=True, slots=True)
class Filter:
    """Which reports (and their findings) to export: by agency, year, and finding status
    (reports with at least one finding in that status, and only those findings)."""

    agency: str | None = None
    year: int | None = None
    status: str | None = None


def _report_filter(flt: Filter) -> list[Any]:
    cond: list[Any] = [extractions.c.status == "done"]
    if flt.agency is not None:
        cond.append(extractions.c.agency == flt.agency)
    if flt.year is not None:
        cond.append(extractions.c.year == flt.year)
    if flt.status is not None:
        other = findings.alias("with_status")  # not the findings a query may already select from
        cond.append(exists().where(other.c.extraction_id == extractions.c.id, other.c.status == flt.status))
    return cond


def corrected_paths(store: Store, flt: Filter) -> list[str]:
    """Cells corrected in any report the filter selects (they get their three columns)."""
    q = (
        select(reviews.c.path).distinct()
        .join(findings, reviews.c.finding_id == findings.c.id)
        .join(extractions, extractions.c.id == findings.c.extraction_id)
        .where(standing_correction(), *_report_filter(flt))
    )
    with reading(store.engine) as conn:
        return sorted(conn.execute(q).scalars())


def report_columns(corrected: Sequence[str]) -> list[str]:
    extra = [f"{p}:{k}" for p in corrected for k in ("corrected", "source", "corrected_by")]
    return [*REPORT_COLUMNS, *LEAF_COLUMNS, *extra]


def report_rows(store: Store, flt: Filter, corrected: Sequence[str]) -> Iterator[dict[str, Any]]:
    """One dict per report (columns of :func:`report_columns`), in report id order."""
    last = 0
    while True:
        with reading(store.engine) as conn:
            ids = conn.execute(
                select(extractions.c.id).where(*_report_filter(flt), extractions.c.id > last)
                .order_by(extractions.c.id).limit(_CHUNK)
            ).scalars().all()
            if not ids:
                return
            last = ids[-1]
            loaded = {
                r.id: r for r in conn.execute(
                    select(extractions.c.id, extractions.c.report_json, extractions.c.finished_at, documents.c.path,
                           documents.c.format, documents.c.sha256)
                    .join(documents, documents.c.id == extractions.c.document_id)
                    .where(extractions.c.id.in_(ids))
                )
            }
            reports = {i: json.loads(loaded[i].report_json) for i in ids}
            fixes = corrections_of(conn, reports)
        counts = {s.id: s for s in store.list_reports(ids=ids)}
        for i in ids:
            rep, s, row = reports[i], counts[i], loaded[i]
            meta = rep.get("meta") or {}
            out: dict[str, Any] = {
                "report_id": i, "document_id": s.document_id, "path": row.path, "format": row.format,
                "sha256": row.sha256, "agency": meta.get("agency"), "year": meta.get("year"),
                "template": meta.get("template"), "published": meta.get("published"), "backend": s.backend,
                "model": s.model, "nianbao_version": s.nianbao_version, "extracted_at": row.finished_at,
                "errors": s.errors, "warnings": s.warnings, "open_errors": s.open_errors,
                "open_warnings": s.open_warnings,
            }
            leaves = flatten(rep)
            out.update({p: leaves.get(p) for p in LEAF_COLUMNS})
            mine = fixes.get(i, {})
            for p in corrected:
                fix = mine.get(p)
                out[f"{p}:corrected"] = None if fix is None else fix.corrected
                out[f"{p}:source"] = "printed" if fix is None else "corrected"
                out[f"{p}:corrected_by"] = None if fix is None else fix.reviewer
            yield out


def finding_rows(store: Store, flt: Filter) -> Iterator[dict[str, Any]]:
    """One dict per finding of the selected reports (only those in ``flt.status`` when given),
    with its latest review."""
    cond = _report_filter(flt)
    if flt.status is not None:
        cond.append(findings.c.status == flt.status)
    last = 0
    while True:
        q = (
            select(findings, extractions.c.agency, extractions.c.year, documents.c.path.label("doc_path"),
                   reviews.c.reviewer, reviews.c.decided_at, reviews.c.decision, reviews.c.note,
                   reviews.c.path.label("corrected_path"), reviews.c.corrected_value)
            .join(extractions, extractions.c.id == findings.c.extraction_id)
            .join(documents, documents.c.id == extractions.c.document_id)
            .outerjoin(reviews, and_(reviews.c.finding_id == findings.c.id, reviews.c.revision == findings.c.revision))
            .where(*cond, findings.c.id > last)
            .order_by(findings.c.id)
            .limit(_CHUNK)
        )
        with reading(store.engine) as conn:
            rows = conn.execute(q).all()
        if not rows:
            return
        last = rows[-1].id
        for r in rows:
            yield {
                "finding_id": r.id, "report_id": r.extraction_id, "path": r.doc_path, "agency": r.agency,
                "year": r.year, "scope": r.scope, "rule": r.rule, "severity": r.severity,
                "paths": "; ".join(json.loads(r.paths)), "message": r.message, "message_en": r.message_en,
                "printed": r.printed, "computed": r.computed, "difference": r.difference, "quote": r.quote,
                "status": r.status, "revision": r.revision, "reviewed_by": r.reviewer, "reviewed_at": r.decided_at,
                "decision": r.decision, "note": r.note, "corrected_path": r.corrected_path,
                "corrected_value": r.corrected_value,
            }


def findings_path(out: Path) -> Path:
    """Where the findings go beside ``out`` (``reports.csv`` → ``reports.findings.csv``)."""
    return out.with_name(f"{out.stem}.findings{out.suffix}")


def _write_csv(stream: IO[str], columns: Sequence[str], rows: Iterator[dict[str, Any]]) -> int:
    w = csv.DictWriter(stream, fieldnames=list(columns), lineterminator="\n")
    w.writeheader()
    n = 0
    for row in rows:
        w.writerow(row)
        n += 1
    return n


def _write_jsonl(stream: IO[str], columns: Sequence[str], rows: Iterator[dict[str, Any]]) -> int:
    n = 0
    for row in rows:
        stream.write(json.dumps({c: row.get(c) for c in columns}, ensure_ascii=False) + "\n")
        n += 1
    return n


def _arrow_type(column: str) -> Any:
    import pyarrow as pa

    name = column.split(":")[0]
    if column.endswith((":source", ":corrected_by")):
        return pa.string()
    if name.endswith(AMOUNT_SUFFIX) or column in {"printed", "computed", "difference", "corrected_value"}:
        return pa.float64()
    if column in _INT_COLUMNS or name in LEAF_COLUMNS:
        return pa.int64()
    return pa.string()


def _write_parquet(path: Path, columns: Sequence[str], rows: Iterator[dict[str, Any]]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c, _arrow_type(c)) for c in columns])
    n = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        chunk: list[dict[str, Any]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= _CHUNK:
                writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
                n += len(chunk)
                chunk = []
        if chunk or n == 0:
            writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
            n += len(chunk)
    return n


def _write_xlsx(path: Path, sheets: list[tuple[str, Sequence[str], Iterator[dict[str, Any]]]]) -> list[int]:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    counts = []
    for title, columns, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.append(list(columns))
        n = 0
        for row in rows:
            sheet.append([row.get(c) for c in columns])
            n += 1
        counts.append(n)
    book.save(str(path))
    return counts


def export(store: Store, fmt: Format, out: Path | None, flt: Filter, *, findings_only: bool = False,
           stdout: IO[str] | None = None) -> dict[str, int]:
    """Write the reports and findings tables; returns the rows written by table.

    With ``out``: xlsx writes one workbook (sheets ``reports`` and ``findings``); the other formats
    write ``out`` (reports) and :func:`findings_path` beside it. Without ``out`` (csv, jsonl only),
    ``stdout`` gets the reports table, or the findings table with ``findings_only``.
    """
    check_choice("status", flt.status, FINDING_STATUSES)
    corrected = corrected_paths(store, flt)
    tables = {
        "reports": (report_columns(corrected), report_rows(store, flt, corrected)),
        "findings": (list(FINDING_COLUMNS), finding_rows(store, flt)),
    }
    if out is None:
        if fmt not in TEXT_FORMATS or stdout is None:
            raise NianbaoError(f"export --format {fmt} writes a binary file: name it with -o")
        name = "findings" if findings_only else "reports"
        columns, rows = tables[name]
        write = _write_csv if fmt is Format.csv else _write_jsonl
        return {name: write(stdout, columns, rows)}
    try:
        if fmt is Format.xlsx:
            n = _write_xlsx(out, [(name, cols, rows) for name, (cols, rows) in tables.items()])
            return dict(zip(tables, n, strict=True))
        counts = {}
        for name, (columns, rows) in tables.items():
            target = out if name == "reports" else findings_path(out)
            if fmt is Format.parquet:
                counts[name] = _write_parquet(target, columns, rows)
            else:
                with target.open("w", encoding="utf-8", newline="") as f:
                    counts[name] = (_write_csv if fmt is Format.csv else _write_jsonl)(f, columns, rows)
        return counts
    except OSError as e:
        raise InputError(f"cannot write: {e.strerror or e}", path=str(out)) from e
