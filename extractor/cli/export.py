"""``nianbao export``: the store's reports and findings as csv, xlsx, jsonl or parquet."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ..store.formats import Format
from ._common import err_console, user_errors
from .batch import DB_HELP, open_store, store_errors


@user_errors
def command(
    format: Annotated[Format, typer.Option("--format", "-f", help="csv | xlsx | jsonl | parquet")] = Format.csv,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (findings go beside it: NAME.findings.EXT; xlsx: a sheet)"),
    ] = None,
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
    agency: Annotated[str | None, typer.Option(help="Only this agency (as printed in the title)")] = None,
    year: Annotated[int | None, typer.Option(help="Only this year")] = None,
    status: Annotated[
        str | None, typer.Option(help="Only findings in this status (open, confirmed, dismissed, corrected) "
                                      "and the reports that have one")
    ] = None,
    findings: Annotated[
        bool, typer.Option("--findings", help="To stdout: the findings table instead of reports")
    ] = False,
) -> None:
    """One row per report with every canonical value as a column, and a findings table."""
    store = open_store(db, existing=True)
    from ..store.export import Filter, export

    try:
        with store_errors():
            counts = export(store, format, output, Filter(agency, year, status), findings_only=findings,
                            stdout=sys.stdout)
    finally:
        store.close()
    if output is not None:
        from ..store.export import findings_path

        where = str(output) if format is Format.xlsx else f"{output} and {findings_path(output)}"
        wrote = f"wrote {counts.get('reports', 0)} reports and {counts.get('findings', 0)} findings to {where}"
        err_console.print(wrote, highlight=False, markup=False)
