"""``nianbao review``: the review page for the terminal — open findings with the
source lines they point at, and one decision recorded from the command line."""

from __future__ import annotations

import getpass
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import NianbaoError
from ._common import SEVERITY_STYLE, console, user_errors
from .batch import DB_HELP, open_store

if TYPE_CHECKING:  # the store is the optional 'store' extra: imported when the command runs
    from ..store.api import FindingRow, Store


class Decision(StrEnum):
    confirm = "confirm"
    dismiss = "dismiss"
    correct = "correct"
    reopen = "reopen"


def _show(store: Store, f: FindingRow, *, history: bool) -> None:
    from rich.text import Text

    from ..service import sources
    from ..service.view import number, snippet

    detail = store.get_report(f.report_id)
    head = Text.assemble(
        (f"#{f.id} ", "bold"), (f"[{f.severity}] ", SEVERITY_STYLE.get(f.severity, "")), f"{f.rule}  ",
        (f"{f.status} (revision {f.revision})", "dim"),
        f"  report {detail.id}: {detail.agency or detail.path} {detail.year or ''}",
    )
    console.print(head)
    console.print(Text("  " + f.message))
    if f.printed is not None or f.computed is not None:
        console.print(Text(f"  printed {number(f.printed)} · computed {number(f.computed)}", style="dim"))
    doc = sources.source_document(store, detail)
    for no, line, here in snippet(detail, doc, f):
        console.print(Text(f"  {'>' if here else ' '}{no:5} │ {line[:160]}", style="" if here else "dim"))
    if history:
        for r in f.reviews:
            value = f" {r.path} = {number(r.corrected_value)}" if r.corrected_value is not None else ""
            note = f" — {r.note}" if r.note else ""
            console.print(Text(f"  {r.decided_at} {r.reviewer}: {r.decision}{value}{note}", style="cyan"))


@user_errors
def command(
    finding: Annotated[int | None, typer.Argument(help="A finding's id: show it, or decide it with --decide")] = None,
    decide: Annotated[Decision | None, typer.Option("--decide", help="confirm | dismiss | correct | reopen")] = None,
    value: Annotated[
        float | None, typer.Option("--value", help="With --decide correct: the value the source prints")
    ] = None,
    path: Annotated[
        str | None, typer.Option("--path", help="With --decide correct: the cell (default: the finding's first)")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Why")] = None,
    reviewer: Annotated[str | None, typer.Option("--reviewer", help="Your name (default: your login)")] = None,
    revision: Annotated[
        int, typer.Option("--revision", help="The finding's revision you decide on (to overrule an earlier decision)")
    ] = 0,
    report: Annotated[int | None, typer.Option("--report", help="List only this report's findings")] = None,
    all_: Annotated[bool, typer.Option("--all", help="List decided findings too, not only open ones")] = False,
    limit: Annotated[int, typer.Option("--limit", help="List at most this many")] = 50,
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
) -> None:
    """List open findings with their source lines, or decide one (confirm, dismiss, correct)."""
    from ..store.api import ReviewConflict

    store = open_store(db, existing=True)
    try:
        if finding is None:
            if decide is not None:
                raise NianbaoError("--decide needs the finding's id: nianbao review ID --decide ...")
            found = store.list_findings(status=None if all_ else "open", report_id=report, limit=limit)
            for f in found:
                _show(store, f, history=all_)
            console.print(f"{len(found)} finding{'s' if len(found) != 1 else ''}"
                          f"{'' if all_ else ' open'}; decide one: nianbao review ID --decide confirm|dismiss|correct")
            return
        current = store.get_finding(finding)
        if decide is None:
            _show(store, current, history=True)
            return
        if decide is Decision.correct:
            if value is None:
                raise NianbaoError("--decide correct needs --value (the number the source prints)")
            path = path or (current.paths[0] if current.paths else None)
        try:
            done = store.record_review(
                finding, decide.value, reviewer or getpass.getuser(), based_on_revision=revision, note=note,
                path=path if decide is Decision.correct else None, corrected_value=value,
            )
        except ReviewConflict as e:
            last = e.current.reviews[-1] if e.current.reviews else None
            who = f" by {last.reviewer} at {last.decided_at} ({last.decision})" if last else ""
            raise NianbaoError(
                f"finding {finding} was decided{who}; to decide it again pass --revision {e.current.revision}"
            ) from None
        _show(store, done, history=True)
    finally:
        store.close()
