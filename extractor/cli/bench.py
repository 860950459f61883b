"""``nianbao bench``: throughput and memory of load, parse and check over copies of the fixtures."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import NianbaoError
from ._common import console, user_errors

if TYPE_CHECKING:
    from rich.table import Table

    from ..evaluate.bench import BenchResult


def _table(r: BenchResult) -> Table:
    from rich.table import Table

    from ..evaluate.bench import STAGES
    t = Table(title=f"nianbao bench — {r.files} reports × {r.copies} copies", title_justify="left")
    for col in ("jobs", "stage", "docs", "seconds", "reports/s", "peak heap KiB", "peak RSS MiB"):
        t.add_column(col, justify="left" if col == "stage" else "right")
    for m in r.modes:
        for s in STAGES:
            heap = f"{r.peak_heap[s] / 1024:.0f}" if m.jobs == 1 else ""
            t.add_row(str(m.jobs), s, str(m.docs), f"{m.stage_seconds[s]:.2f}", f"{m.rate(s):.1f}", heap, "")
        t.add_row(str(m.jobs), "[b]end to end[/]", str(m.docs), f"{m.wall:.2f}", f"{m.wall_rate:.1f}", "",
                  f"{m.peak_rss_kib / 1024:.0f}")
        t.add_section()
    return t


def _formats(r: BenchResult) -> Table:
    from rich.table import Table

    t = Table(title="by format", title_justify="left")
    for col in ("format", "reports/s in process", "report", "`nianbao extract` wall s", "CPU s"):
        t.add_column(col, justify="left" if col in ("format", "report") else "right")
    for fmt, rate in r.format_rates.items():
        p = r.startup.get(fmt)
        name, wall, cpu = (p.report, p.wall, p.cpu) if p else ("", math.nan, math.nan)
        t.add_row(fmt, f"{rate:.1f}", name, f"{wall:.3f}", f"{cpu:.3f}")
    return t


@user_errors
def command(
    fixtures: Annotated[Path, typer.Argument(help="Folder with reports/, or a folder of report files")] = Path(
        "eval/fixtures"
    ),
    copies: Annotated[
        int | None, typer.Option("--copies", "-n", min=1, help="Copies of the fixtures (default: fit --seconds)")
    ] = None,
    seconds: Annotated[float, typer.Option(min=0.1, help="Target duration of the single-process run")] = 10.0,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Also run with this many worker processes")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON")] = False,
    by_format: Annotated[
        bool,
        typer.Option("--by-format", help="Also each format's reports/s and `nianbao extract` timed as a whole process"),
    ] = False,
    runs: Annotated[int, typer.Option(min=1, help="With --by-format: runs of each whole-process timing")] = 5,
) -> None:
    """Measure reports/s and peak memory of each stage, single process and with --jobs."""
    from ..evaluate.bench import bench

    folder = fixtures / "reports" if (fixtures / "reports").is_dir() else fixtures
    files = sorted(p for p in folder.glob("*") if p.is_file())
    if not files:
        raise NianbaoError(f"{folder}: no report files")
    result = bench(files, copies=copies, seconds=seconds, jobs=jobs, by_format=by_format, runs=runs)
    if as_json:
        typer.echo(json.dumps(result.to_json(), indent=2))
        return
    console.print(_table(result))
    console.print("reports/s per stage = documents / time in that stage (× jobs), after one warm-up copy, "
                  "in the bounded worker that extract and batch use; peak heap = largest tracemalloc peak of one "
                  "document in the stage (Python allocations only, not C libraries); peak RSS = getrusage "
                  "ru_maxrss of that worker, or of the largest one with --jobs.", highlight=False)
    if by_format:
        console.print(_formats(result))
    for s in result.skipped:
        console.print(f"skipped {s}", markup=False, highlight=False)
