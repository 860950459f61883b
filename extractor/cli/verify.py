"""``nianbao verify FILE...``: the findings of reports (or their canonical JSON),
by severity, each with the source lines of its cells; across years when the
files are one agency's consecutive reports.

Exit 0 when no finding is an error, 1 when one is, 2 on bad input.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import TypeAdapter, ValidationError

from ..claims import Breakdown, NarrativeClaim
from ..crossyear import check_years
from ..errors import InputError
from ..pipeline import extract
from ..result import Claim, Evidence, Finding
from ..rules import validation_message
from ..schema import SECTIONS, Report
from ..verify import verify
from ._common import EXIT_FINDINGS, console, user_errors

_EVIDENCE = TypeAdapter(dict[str, Evidence])
_ORDER = {"error": 0, "warning": 1, "info": 2}
_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim"}


@dataclass(slots=True)
class Checked:
    name: str
    report: Report
    evidence: dict[str, Evidence]
    findings: list[Finding]


def _claim(data: dict[str, Any]) -> Claim:
    if "parts" in data:
        return Breakdown.model_validate(data)
    return NarrativeClaim.model_validate(data) if "rule" in data else Claim.model_validate(data)


def load_canonical(path: Path) -> Checked:
    """A canonical JSON file (as ``nianbao extract --format json`` writes it),
    verified afresh: its stored findings are recomputed, not trusted."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise InputError("not a canonical JSON object", path=str(path))
        report = Report.model_validate({k: data[k] for k in ("schema_version", "meta", *SECTIONS) if k in data})
        evidence = _EVIDENCE.validate_python(data.get("evidence") or {})
        claims = [_claim(c) for c in data.get("claims") or []]
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read: {e}", path=str(path)) from e
    except json.JSONDecodeError as e:
        raise InputError(f"not JSON: {e.msg} at line {e.lineno}", path=str(path)) from e
    except ValidationError as e:
        raise InputError(f"not canonical JSON: {validation_message(e)}", path=str(path)) from e
    return Checked(path.name, report, evidence, verify(report, evidence, claims))


def check(path: Path) -> Checked:
    if path.suffix.lower() == ".json":
        return load_canonical(path)
    result = extract(path)
    return Checked(path.name, result.report, result.evidence, result.findings)


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
        f"{item.name}: {counts['error']} errors, {counts['warning']} warnings, {counts['info']} info",
        style="bold",
        highlight=False,
        markup=False,
    )
    for f in sorted(item.findings, key=lambda f: _ORDER[f.severity]):
        if f.severity == "info" and not show_info:
            continue
        where = _lines(f)
        console.print(
            f"  {f.severity.upper():7} {f.rule}  {where}", style=_STYLE[f.severity], highlight=False, markup=False
        )
        console.print(f"          {f.message.zh}", highlight=False, markup=False, soft_wrap=True)
        console.print(f"          {f.message.en}", style="dim", highlight=False, markup=False, soft_wrap=True)
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
    items = [check(p) for p in files]
    for item, extra in zip(items, check_years([(i.report, i.evidence) for i in items]), strict=True):
        item.findings += extra
    for item in items:
        render(item, info)
    if any(f.severity == "error" for item in items for f in item.findings):
        raise typer.Exit(EXIT_FINDINGS)
