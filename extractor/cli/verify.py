"""``nianbao verify FILE...``: the findings of reports (or their canonical JSON),
by severity, each with the source lines of its cells; across years when the
files are one agency's consecutive reports.

Exit 0 when no finding is an error, 1 when one is, 2 when a file could not be
read (the others are still verified and shown).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import NianbaoError
from ..pipeline import check_files
from ..result import Finding
from ..verify.files import Checked
from ._common import EXIT_BAD_INPUT, EXIT_FINDINGS, SEVERITY_STYLE, console, say_error, shown, user_errors

_ORDER = {"error": 0, "warning": 1, "info": 2}


def _lines(f: Finding) -> str:
    """Source lines of a finding's cells; a cell of last year's report shows as ``2022:83``."""
    marks = sorted({(k.split(":", 1)[0] if ":" in k else "", e.line) for k, e in f.evidence.items() if e.line})
    if not marks:
        return ""
    shown = ", ".join(f"{y}:{n}" if y else str(n) for y, n in marks[:6]) + (" …" if len(marks) > 6 else "")
    return f"line{'s' if len(marks) > 1 else ''} {shown}"


def render(item: Checked, show_info: bool) -> None:
    counts = {s: sum(f.severity == s for f in item.findings) for s in _ORDER}
    console.print(
        f"{shown(item.name)}: {counts['error']} errors, {counts['warning']} warnings, {counts['info']} info",
        style="bold",
        highlight=False,
        markup=False,
    )
    for f in sorted(item.findings, key=lambda f: _ORDER[f.severity]):
        if f.severity == "info" and not show_info:
            continue
        where = _lines(f)
        console.print(
            f"  {f.severity.upper():7} {f.rule}  {where}",
            style=SEVERITY_STYLE[f.severity],
            highlight=False,
            markup=False,
        )
        console.print(f"          {shown(f.message.zh)}", highlight=False, markup=False, soft_wrap=True)
        console.print(f"          {shown(f.message.en)}", style="dim", highlight=False, markup=False, soft_wrap=True)
    if counts["info"] and not show_info:
        console.print(
            f"  ({counts['info']} info (not assessable, notes) hidden; --info shows them)", style="dim", highlight=False
        )


@user_errors
def command(
    files: Annotated[list[Path], typer.Argument(help="Reports (.txt .md .html .pdf …) or canonical .json files")],
    info: Annotated[
        bool, typer.Option("--info", help="Also list info findings: relations that could not be assessed, notes")
    ] = False,
) -> None:
    """Verify reports: table relations, narrative claims and, for one agency's
    consecutive years, 上年结转 against last year's 结转下年度."""
    failed: list[NianbaoError] = []
    items = check_files(files, failed.append)
    for item in items:
        render(item, info)
    for error in failed:  # after the others' findings: one unreadable file hides nothing
        say_error(str(error))
    if failed:
        raise typer.Exit(EXIT_BAD_INPUT)
    if any(f.severity == "error" for item in items for f in item.findings):
        raise typer.Exit(EXIT_FINDINGS)
