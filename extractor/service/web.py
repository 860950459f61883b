"""The review pages: ``/`` lists the reports with their open errors and warnings,
``/reports/{id}`` shows one report's source with every cell a finding names marked,
its tables, and its findings to confirm, dismiss or correct (``static/review.js``
posts decisions to the API). Templates autoescape everything; a report is untrusted."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ..errors import NianbaoError
from . import pageimage, sources, view
from .api import store_of

router = APIRouter(include_in_schema=False)
templates = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")), autoescape=True, undefined=StrictUndefined
)
templates.filters["number"] = view.number


def _page(name: str, **context: object) -> HTMLResponse:
    return HTMLResponse(templates.get_template(name).render(**context))


@router.get("/", response_class=HTMLResponse)
def index(
    request: Request, agency: str | None = None, year: str | None = None, open_errors: bool = False
) -> HTMLResponse:
    """The reports (newest first, at most 1000), filtered as the form above them says."""
    number = int(year) if year and year.strip().isdigit() else None
    reports = store_of(request).list_reports(
        agency=agency or None, year=number, has_open_errors=True if open_errors else None, limit=1000
    )
    return _page("index.html", reports=reports, agency=agency or "", year=year or "", open_errors=open_errors)


def _report_view(request: Request, report_id: int) -> view.ReportView:
    store = store_of(request)
    detail = store.get_report(report_id)
    doc = sources.source_document(store, detail)
    sizes = None
    if doc is not None and doc.format == "pdf":
        data = sources.source_bytes(store, detail)
        try:
            sizes = pageimage.page_sizes(data, detail.path) if data is not None else None
        except NianbaoError:
            sizes = None
    return view.build(detail, doc, sizes)


@router.get("/reports/{report_id}", response_class=HTMLResponse)
async def report_page(request: Request, report_id: int) -> HTMLResponse:
    page = await run_in_threadpool(_report_view, request, report_id)
    return _page("report.html", v=page, d=page.detail)


@router.get("/reports/{report_id}/pages/{number}.png")
async def page_image(request: Request, report_id: int, number: int) -> Response:
    """Page ``number`` of the report's PDF source, rendered on the server."""
    store = store_of(request)
    detail = await run_in_threadpool(store.get_report, report_id)
    doc = await run_in_threadpool(sources.source_document, store, detail)
    data = await run_in_threadpool(sources.source_bytes, store, detail)
    if data is None or doc is None or doc.format != "pdf":
        raise HTTPException(404, f"report {report_id} has no PDF source to render")
    sizes = await run_in_threadpool(pageimage.page_sizes, data, detail.path)
    if not 1 <= number <= len(sizes):
        raise HTTPException(404, f"report {report_id} has no page {number}")
    png = await run_in_threadpool(pageimage.page_png, data, detail.path, number)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})
