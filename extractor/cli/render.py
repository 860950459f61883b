"""The ``table`` view of a Result: the three tables as a person reads them."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..result import Finding, Result
from ..template import ACTIVE_ROWS, APPLICANT_COLUMNS, REVIEW_COLUMNS, REVIEW_GROUPS, TABLES, application_rows
from ._common import SEVERITY_STYLE, shown


def _cell(value: Any, flagged: bool) -> Text:
    text = "—" if value is None else (f"{value:g}" if isinstance(value, float) else str(value))
    return Text(text, style="bold red" if flagged else ("dim" if value is None else ""))


def _flagged(findings: list[Finding]) -> set[str]:
    return {p for f in findings if f.severity == "error" for p in f.paths}


def render_result(result: Result, console: Console) -> None:
    """Print meta, tables 二/三/四, claims and findings; cells named by an error are red."""
    report = result.report
    leaves = report.leaves()
    flagged = _flagged(result.findings)
    meta = report.meta
    console.print(
        Text.assemble(
            (shown(meta.agency or "(机关未识别)"), "bold"),
            f"  {meta.year or '????'} 年度报告  模板 {meta.template or '?'}  发布 {shown(meta.published or '—')}",
        )
    )
    if report.active is not None and meta.template is not None:
        t = Table(title=TABLES["active"].heading, title_justify="left")
        t.add_column("信息内容")
        t.add_column("数值")
        for key, (label, cols) in ACTIVE_ROWS[meta.template].items():
            cells = Text("  ").join(
                Text.assemble(f"{zh} ", _cell(leaves.get(f"active.{key}.{c}"), f"active.{key}.{c}" in flagged))
                for c, zh in cols.items()
            )
            t.add_row(label, cells)
        console.print(t)
    if report.applications is not None:
        t = Table(title=TABLES["applications"].heading, title_justify="left")
        t.add_column("", no_wrap=True, max_width=24, overflow="ellipsis")
        for zh in APPLICANT_COLUMNS.values():
            t.add_column(zh, justify="right")
        group = ""
        for row, label in application_rows(report.other_split):
            head, _, sub = label.rpartition(" ")
            if head and head != group:
                t.add_row(Text(head, style="bold"))
            group = head
            paths = [f"applications.{row}.{c}" for c in APPLICANT_COLUMNS]
            t.add_row(("  " if head else "") + sub, *(_cell(leaves.get(p), p in flagged) for p in paths))
        console.print(t)
    if report.review_litigation is not None:
        t = Table(title=TABLES["review_litigation"].heading, title_justify="left")
        t.add_column("")
        for zh in REVIEW_COLUMNS.values():
            t.add_column(zh, justify="right")
        for g, label in REVIEW_GROUPS.items():
            paths = [f"review_litigation.{g}.{c}" for c in REVIEW_COLUMNS]
            t.add_row(label, *(_cell(leaves.get(p), p in flagged) for p in paths))
        console.print(t)
    if result.claims:
        console.print(f"[bold]叙述中的数字 claims[/] ({len(result.claims)})")
        for c in result.claims:
            console.print(f"  “{shown(c.quote)}” → {' + '.join(c.paths)} = {c.value}", highlight=False, markup=False)
    counts = {s: sum(f.severity == s for f in result.findings) for s in SEVERITY_STYLE}
    console.print(f"[bold]findings[/]: {counts['error']} error, {counts['warning']} warning, {counts['info']} info")
    for f in result.findings:
        console.print(Text(f"  [{f.severity}] {f.rule}: {shown(f.message.zh)}", style=SEVERITY_STYLE[f.severity]))
