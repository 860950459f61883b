"""``nianbao eval``: score a backend against the labelled fixtures, with gates for CI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import NianbaoError
from ..llm import NAMES as LLM_NAMES
from ._common import BASE_URL_HELP, EXIT_FINDINGS, NO_CACHE_HELP, console, err_console, user_errors

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from ..evaluate.compare import Compared
    from ..evaluate.harness import EvalRun
    from ..evaluate.scoring import Counts
    from ..llm.settings import LLMSettings


def _counts(c: Counts) -> list[str]:
    from ..evaluate.scoring import percent

    return [f"{c.right}/{c.leaves}", *(percent(v, 1) for v in (c.accuracy, c.precision, c.recall, c.f1))]


def _reports_table(run: EvalRun) -> Table:
    from rich.table import Table

    t = Table(title=f"nianbao eval — {run.backend} on {run.fixtures}", title_justify="left")
    t.add_column("report", no_wrap=True)
    for col in ("leaves", "acc", "P", "R", "F1", "claims", "extra", "findings", "false alarms"):
        t.add_column(col, justify="right")
    if run.mutate:
        t.add_column("mutations", justify="right")
    t.add_column("s", justify="right")
    for r in run.reports:
        mut = [f"{r.mutation.caught}/{r.mutation.tried}" if r.mutation else "—"] if run.mutate else []
        if r.error:
            t.add_row(f"[red]{r.name}[/]", *_counts(r.leaves.counts), f"0/{r.claims.gold}", "—",
                      f"0/{r.findings.gold}", "—", *mut, f"{r.seconds:.2f}")
            continue
        t.add_row(
            r.name, *_counts(r.leaves.counts), f"{r.claims.found}/{r.claims.gold}", str(r.claims.extra),
            f"{r.findings.detected}/{r.findings.gold}", str(r.findings.false_alarms), *mut, f"{r.seconds:.2f}",
        )
    mut = [f"{run.total('mutation.caught')}/{run.total('mutation.tried')}"] if run.mutate else []
    t.add_section()
    t.add_row(
        "[b]total[/]", *_counts(run.counts),
        f"{run.total('claims.found')}/{run.total('claims.gold')}", str(run.total("claims.extra")),
        f"{run.total('findings.detected')}/{run.total('findings.gold')}",
        str(run.total("findings.false_alarms")), *mut, f"{run.seconds:.2f}",
    )
    return t


def _breakdown(run: EvalRun, worst: int) -> Table:
    from rich.table import Table

    t = Table(title="by section, then the rows that fail most", title_justify="left")
    for col in ("section / row", "right/leaves", "acc", "P", "R", "F1"):
        t.add_column(col, justify="left" if col.startswith("section") else "right")
    for name, c in run.sections().items():
        t.add_row(name, *_counts(c))
    failing = sorted(((k, c) for k, c in run.rows().items() if c.wrong), key=lambda kc: (-kc[1].wrong, kc[0]))
    if failing:
        t.add_section()
        for name, c in failing[:worst]:
            t.add_row(f"[dim]{name}[/]", *_counts(c))
    return t


def print_run(run: EvalRun, out: Console, limit: int) -> None:
    """The tables, the headline figures, then every mismatch (first ``limit`` per report)."""
    from rich.console import Console

    from ..evaluate.report import summary_rows

    if not out.is_terminal:  # a CI log: room for every column rather than 80 squeezed ones
        out = Console(file=out.file, width=max(out.width, 150))
    out.print(_reports_table(run))
    out.print(_breakdown(run, worst=10))
    for k, v in summary_rows(run):
        out.print(f"[b]{k}[/]: {v}", highlight=False)
    for r in run.reports:
        lines = [f"FAILED {r.error}"] if r.error else []
        for m in r.leaves.mismatches[:limit]:
            src = r.sources.get(m.path)
            where = f"   line {src.line}: {src.text.strip()[:80]}" if src else ""
            lines.append(f"{m.path}: gold {m.gold!r} got {m.got!r}{where}")
        if len(r.leaves.mismatches) > limit:
            lines.append(f"… {len(r.leaves.mismatches) - limit} more")
        lines += [f"missed claim {q!r}" for q in r.claims.missed]
        lines += [f"missed finding: {w}" for w in r.findings.missed]
        lines += [f"false alarm {a}" for a in r.findings.alarms]
        lines += [f"missed mutation {m}" for m in (r.mutation.misses if r.mutation else [])]
        if lines:
            out.print(f"\n[b]{r.name}[/]", highlight=False)
            for line in lines:
                out.print(f"  {line}", markup=False, highlight=False)
    for n in run.notes:
        out.print(n, markup=False, highlight=False)


def print_comparison(fixtures: Path, rows: list[Compared], out: Console) -> None:
    from rich.console import Console
    from rich.table import Table

    from ..evaluate.compare import HEADERS, NOTE, cells

    if not out.is_terminal:
        out = Console(file=out.file, width=max(out.width, 170))
    t = Table(title=f"nianbao eval — models compared on {fixtures}", title_justify="left")
    for h in HEADERS:
        t.add_column(h, justify="left" if h in ("model", "backend") else "right")
    for r in rows:
        t.add_row(*cells(r))
    out.print(t)
    out.print(NOTE, markup=False, highlight=False)


@user_errors
def command(
    fixtures: Annotated[Path, typer.Argument(help="Folder with reports/ and gold/")] = Path("eval/fixtures"),
    backend: Annotated[str, typer.Option("--backend", "-b", help="Extraction backend to score")] = "parser",
    mutate: Annotated[int, typer.Option(min=0, help="Numbers of table 三 to change per consistent text report")] = 0,
    seed: Annotated[int, typer.Option(help="Random seed for --mutate (same edits as score.py)")] = 7,
    only: Annotated[str | None, typer.Option(help="Glob on report names")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON")] = False,
    report: Annotated[Path | None, typer.Option(help="Write an HTML (.html) or Markdown report here")] = None,
    limit: Annotated[int, typer.Option(min=0, help="Mismatches listed per report")] = 50,
    min_accuracy: Annotated[float | None, typer.Option(help="Gate: leaf accuracy, percent")] = None,
    min_claims: Annotated[float | None, typer.Option(help="Gate: claims recall, percent")] = None,
    max_false_alarms: Annotated[int | None, typer.Option(help="Gate: error findings on consistent reports")] = None,
    min_caught: Annotated[float | None, typer.Option(help="Gate: mutations caught, percent")] = None,
    models: Annotated[
        list[str] | None,
        typer.Option("--model", help="Model to score (repeat to compare several, beside the parser)"),
    ] = None,
    base_url: Annotated[
        str | None, typer.Option("--base-url", help=BASE_URL_HELP)
    ] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help=NO_CACHE_HELP)] = False,
    record: Annotated[Path | None, typer.Option(help="Record every model answer used into this cassette")] = None,
    replay: Annotated[
        Path | None, typer.Option(help="Answer from this recorded cassette: no endpoint, no request")
    ] = None,
    compare_out: Annotated[
        Path, typer.Option(help="With --model: write the comparison to this path + .json and .md")
    ] = Path("nianbao-comparison"),
) -> None:
    """Score a backend against hand-labelled fixtures; exit 1 when a gate fails.
    With --model (repeatable), compare those models and the parser in one table."""
    from ..evaluate.compare import compared, rank, to_json, write_comparison
    from ..evaluate.harness import Gates, backend_extractor, evaluate, gate_failures
    from ..evaluate.report import write_report

    asks = backend in LLM_NAMES
    if (models or base_url or record or replay) and not asks:
        raise NianbaoError(f"--model, --base-url, --record and --replay need --backend {' or '.join(LLM_NAMES)}")

    def settings(model: str | None) -> LLMSettings | None:
        if not asks:
            return None
        from ..llm.settings import LLMSettings

        return LLMSettings.from_env(model=model, base_url=base_url, cache=not no_cache, record=record, replay=replay)

    def scored(name: str, llm: LLMSettings | None) -> EvalRun:
        run = evaluate(fixtures, backend_extractor(name, llm), backend=name, mutate=mutate, seed=seed, only=only,
                       jobs=llm.concurrency if llm is not None else 1)
        if not run.reports:
            raise NianbaoError(f"{fixtures}: no labelled reports")
        return run

    gates = Gates(min_accuracy, min_claims, max_false_alarms, min_caught)
    if models:
        chosen = [settings(m) for m in models]  # every model's settings checked before any report is read
        runs = [("parser", scored("parser", None))]
        runs += [(m, scored(backend, llm)) for m, llm in zip(models, chosen, strict=True)]
        rows = rank([compared(name, run) for name, run in runs])
        if as_json:
            typer.echo(json.dumps(to_json(str(fixtures), rows), ensure_ascii=False, indent=2))
        else:
            print_comparison(fixtures, rows, console)
        for path in write_comparison(compare_out, str(fixtures), rows):
            err_console.print(f"wrote {path}", highlight=False)
        failures = [f"{name}: {f}" for name, run in runs[1:] for f in gate_failures(run, gates)]
        for f in failures:
            err_console.print(f"[red]gate failed:[/] {f}", highlight=False)
        if failures:
            raise typer.Exit(EXIT_FINDINGS)
        return
    run = scored(backend, settings(None))
    if as_json:
        typer.echo(json.dumps(run.to_json(), ensure_ascii=False, indent=2))
    else:
        print_run(run, console, limit)
    if report is not None:
        write_report(run, report, limit)
        err_console.print(f"wrote {report}", highlight=False)
    failures = gate_failures(run, gates)
    for f in failures:
        err_console.print(f"[red]gate failed:[/] {f}", highlight=False)
    if failures:
        raise typer.Exit(EXIT_FINDINGS)
