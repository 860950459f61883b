"""``nianbao batch``: many reports into the store, with a progress bar and a summary."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import ConfigError
from ..llm import NAMES as LLM_NAMES
from ._common import console, err_console, user_errors

if TYPE_CHECKING:
    from rich.table import Table

    from ..store.api import Store
    from ..store.batch import BatchSummary

DB_HELP = "Store: a file path or postgresql://… URL (default: $NIANBAO_DB, else ./nianbao.db)"


def require_store() -> None:
    """One line saying how to install the ``store`` extra when its libraries are missing."""
    try:
        import alembic  # noqa: F401
        import sqlalchemy  # noqa: F401
    except ImportError as e:
        raise ConfigError(
            f"the store needs the 'store' extra ({e.name} is missing): pip install 'nianbao[store]'"
        ) from None


def open_store(db: str | None, *, existing: bool = False) -> Store:
    """The store, opened (and migrated) for a command; ``existing`` for commands that only read it."""
    require_store()
    from ..store.api import Store

    return Store.open(db, existing=existing)


@contextmanager
def store_errors() -> Iterator[None]:
    """A database failure mid-command (the server went away, the disk is full) as one line."""
    from sqlalchemy.exc import SQLAlchemyError

    from ..store.db import db_message

    try:
        yield
    except SQLAlchemyError as e:
        raise ConfigError(f"the store failed: {db_message(e)}") from None


def _summary(s: BatchSummary, price_in: float | None, price_out: float | None) -> Table:
    from rich.table import Table
    t = Table(title="nianbao batch", title_justify="left", show_header=False)
    t.add_column(justify="left")
    t.add_column(justify="right")
    rows: list[tuple[str, object]] = [
        ("files", s.files), ("done", s.done), ("skipped (already in the store)", s.skipped),
        ("failed", s.failed + s.unreadable), ("error findings", s.error_findings),
        ("cross-year error findings", s.crossyear_errors),
    ]
    if s.done + s.failed:
        rows.append(("reports/s", f"{s.rate:.1f}"))
    if s.duplicates:
        rows.append(("same content as another file", s.duplicates))
    if s.elsewhere:
        rows.append(("taken by another batch process", s.elsewhere))
    if s.prompt_tokens or s.completion_tokens:
        rows += [("prompt tokens", s.prompt_tokens), ("completion tokens", s.completion_tokens)]
        cost = s.cost(price_in, price_out)
        if cost is not None:
            rows.append(("estimated cost", f"{cost:.4f}"))
    for k, v in rows:
        t.add_row(k, str(v))
    return t


def _by_agency(s: BatchSummary) -> Table:
    from rich.table import Table
    t = Table(title="done this run, by agency and year", title_justify="left")
    for col in ("agency", "year", "reports", "error findings"):
        t.add_column(col, justify="left" if col == "agency" else "right")
    for (agency, year), (n, errors) in sorted(s.by_agency_year.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        t.add_row(agency, str(year or "?"), str(n), str(errors))
    return t


@user_errors
def command(
    paths: Annotated[list[str], typer.Argument(help="Report files, folders (walked recursively) or globs")],
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", min=1, help="Worker processes (default: CPU cores)")
    ] = None,
    backend: Annotated[str, typer.Option("--backend", "-b", help=f"parser | {' | '.join(LLM_NAMES)}")] = "parser",
    concurrency: Annotated[
        int, typer.Option("--concurrency", min=1, help="llm/hybrid: documents asking the model at once")
    ] = 4,
    model: Annotated[str | None, typer.Option("--model", help="Model name (default: $NIANBAO_LLM_MODEL)")] = None,
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="OpenAI-compatible endpoint (default: $NIANBAO_LLM_BASE_URL)")
    ] = None,
    price_in: Annotated[
        float | None, typer.Option(help="Price per million prompt tokens, for the cost estimate")
    ] = None,
    price_out: Annotated[
        float | None, typer.Option(help="Price per million completion tokens, for the cost estimate")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar")] = False,
) -> None:
    """Extract many reports into the store: parallel, resumable, skipping what is done."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    from ..llm.settings import LLMSettings

    llm = LLMSettings.from_env(model=model, base_url=base_url) if backend in LLM_NAMES else None
    workers = concurrency if llm is not None else (jobs or os.cpu_count() or 1)
    require_store()
    from ..store.batch import Batch, find_files
    from ..store.worker import Outcome

    files = [str(f) for f in find_files(paths)]
    store = open_store(db)
    progress = Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TaskProgressColumn(), TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(), console=err_console, disable=quiet or as_json,
    )
    task = progress.add_task("extracting", total=None, rate="")

    def on_total(n: int) -> None:
        progress.update(task, total=n)

    def on_outcome(_: Outcome) -> None:
        speed = progress.tasks[task].speed
        progress.update(task, advance=1, rate=f"{speed:.1f} reports/s" if speed else "")

    try:
        with store_errors(), progress:
            summary = Batch(store, backend=backend, jobs=workers, llm=llm, on_total=on_total,
                            on_outcome=on_outcome).run(files)
    finally:
        store.close()
    if as_json:
        out = {k: v for k, v in vars(summary).items() if k != "by_agency_year"}
        out["by_agency_year"] = [{"agency": a, "year": y, "reports": n, "error_findings": e}
                                 for (a, y), (n, e) in summary.by_agency_year.items()]
        out["cost"] = summary.cost(price_in, price_out)
        out["reports_per_second"] = round(summary.rate, 2)
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    console.print(_summary(summary, price_in, price_out))
    if summary.by_agency_year:
        console.print(_by_agency(summary))
    for line in summary.failures[:20]:
        console.print(f"failed: {line}", markup=False, highlight=False)
    if len(summary.failures) > 20:
        console.print(f"… and {len(summary.failures) - 20} more (see the extractions table, status 'failed')")
