"""The ``/v1`` JSON routes: extract an upload into the store, list and read reports and
findings, record a review decision, export a report with its corrections.

Every error is ``{"message": ...}`` (see ``app``); a review names the finding's
``revision`` it was based on and gets 409 with the finding as it now stands when
someone else decided it meanwhile.
"""

from __future__ import annotations

import csv
import io
from pathlib import PurePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile

from ..load import load_bytes
from ..pipeline import extract
from ..report import flatten
from ..store.api import FindingRow, ReportDetail, ReportSummary, Store

router = APIRouter(prefix="/v1", tags=["api"])


class ExtractText(BaseModel):
    """A report given as text: ``name`` (its extension picks the reader) and ``text``."""

    name: str = Field("report.txt", max_length=255)
    text: str


class ReviewIn(BaseModel):
    """One decision on a finding. ``revision`` is the finding's revision the reviewer saw;
    ``correct`` also names the cell (``path``, one the finding names) and the value read."""

    decision: Literal["confirm", "dismiss", "correct", "reopen"]
    reviewer: str = Field(min_length=1, max_length=200)
    revision: int = Field(ge=0)
    note: str | None = Field(None, max_length=4000)
    path: str | None = Field(None, max_length=200)
    value: float | None = None


class ExportCell(BaseModel):
    """One leaf of a report: the value as printed, and the reviewer's value if corrected."""

    path: str
    printed: Any
    value: Any
    source: Literal["printed", "corrected"]
    corrected_by: str | None = None
    corrected_at: str | None = None
    note: str | None = None


class ExportOut(BaseModel):
    id: int
    meta: dict[str, Any]
    cells: list[ExportCell]


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _extract_into(store: Store, data: bytes, name: str) -> dict[str, Any]:
    """Read, extract, verify and store one upload; the canonical JSON with the report's id."""
    name = PurePath(name.replace("\\", "/")).name or "upload.txt"
    result = extract(load_bytes(data, name))
    path = f"upload/{name}"
    report_id = store.add_result(data, path, result)
    store.keep_source(data, path)
    return {"id": report_id, **result.to_json()}


_EXTRACT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {"type": "object", "required": ["file"],
                           "properties": {"file": {"type": "string", "format": "binary"}}},
            },
            "application/json": {"schema": ExtractText.model_json_schema()},
        },
    }
}


@router.post("/extract", openapi_extra=_EXTRACT_BODY, summary="Extract one report and store it")
async def extract_report(request: Request) -> dict[str, Any]:
    """A report file in the multipart field ``file``, or JSON ``{"name", "text"}``: returns
    the canonical JSON (claims, findings, evidence, usage, provenance) and the stored ``id``."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=10)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise HTTPException(400, "a multipart upload needs the report in the field 'file'")
        data, name = await upload.read(), upload.filename or "upload"
    elif kind == "application/json":
        body = ExtractText.model_validate_json(await request.body())
        data, name = body.text.encode("utf-8"), body.name
    else:
        raise HTTPException(415, "send the report as multipart/form-data (field 'file') or JSON {name, text}")
    return await run_in_threadpool(_extract_into, store_of(request), data, name)


@router.get("/reports", summary="List stored reports")
def list_reports(
    request: Request,
    agency: str | None = None,
    year: int | None = None,
    has_open_errors: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[ReportSummary]:
    """Reports, newest first, with counts of errors and warnings (all and still open)."""
    return store_of(request).list_reports(
        agency=agency, year=year, has_open_errors=has_open_errors, limit=limit, offset=offset
    )


@router.get("/reports/{report_id}", summary="One report with findings and reviews")
def get_report(request: Request, report_id: int) -> ReportDetail:
    return store_of(request).get_report(report_id)


@router.get("/findings", summary="List findings")
def list_findings(
    request: Request,
    status: Literal["open", "confirmed", "dismissed", "corrected"] | None = None,
    severity: Literal["error", "warning", "info"] | None = None,
    report_id: int | None = None,
    rule: str | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[FindingRow]:
    """Findings of stored reports, oldest first (``status=open``: what is left to review)."""
    return store_of(request).list_findings(
        status=status, severity=severity, report_id=report_id, rule=rule, limit=limit, offset=offset
    )


@router.get("/findings/{finding_id}", summary="One finding with its review history")
def get_finding(request: Request, finding_id: int) -> FindingRow:
    return store_of(request).get_finding(finding_id)


@router.post("/findings/{finding_id}/review", summary="Confirm, dismiss or correct a finding")
def review_finding(request: Request, finding_id: int, body: ReviewIn) -> FindingRow:
    """Append a decision. 409 (with ``current``: the finding as it now stands) when the
    finding has moved past ``revision``: nobody overwrites a decision they have not seen."""
    return store_of(request).record_review(
        finding_id, body.decision, body.reviewer, based_on_revision=body.revision, note=body.note,
        path=body.path, corrected_value=body.value,
    )


def export_cells(detail: ReportDetail) -> list[ExportCell]:
    """Every leaf of the report: printed value, and the reviewer's value where corrected."""
    out = []
    for path, printed in flatten(detail.report).items():
        fix = detail.corrections.get(path)
        out.append(ExportCell(
            path=path, printed=printed, value=printed if fix is None else fix.corrected,
            source="printed" if fix is None else "corrected", corrected_by=None if fix is None else fix.reviewer,
            corrected_at=None if fix is None else fix.decided_at, note=None if fix is None else fix.note,
        ))
    return out


@router.get("/reports/{report_id}/export", summary="A report's values, as printed or as corrected", response_model=None)
def export_report(
    request: Request, report_id: int, format: Literal["json", "csv"] = "json"
) -> ExportOut | Response:
    """Every leaf with its printed value, the value to use, whether it is printed or
    corrected by a reviewer, and who corrected it (``format=csv`` for a spreadsheet)."""
    detail = store_of(request).get_report(report_id)
    cells = export_cells(detail)
    if format == "json":
        return ExportOut(id=report_id, meta=detail.report.get("meta") or {}, cells=cells)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(ExportCell.model_fields))
    writer.writeheader()
    for c in cells:
        writer.writerow(c.model_dump())
    return Response(
        buf.getvalue(), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="report-{report_id}.csv"'},
    )
