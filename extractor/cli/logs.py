"""``nianbao logs``: the model calls the llm and hybrid backends made, newest first
(``--json`` for whole records: source, hashes and the answer itself)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from ..llm.log import read_calls
from ..llm.settings import log_db_path
from ._common import console, shown, user_errors


def _response(row: dict[str, Any]) -> Any:
    """The logged answer as JSON when it parses, else as the text the model sent."""
    text = row["response"]
    try:
        return json.loads(text) if text else None
    except (ValueError, RecursionError):  # not JSON, a number over the int limit, nested too deep
        return text


@user_errors
def command(
    n: Annotated[int, typer.Option("-n", min=1, help="How many calls to list")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Full records, answers included, as JSON")] = False,
) -> None:
    """List logged model calls (log: $NIANBAO_LOG_DB or logs.db in the user data folder)."""
    path = log_db_path()
    rows = read_calls(path, n)
    if as_json:
        records = [row | {"cached": bool(row["cached"]), "response": _response(row)} for row in rows]
        typer.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    if not rows:
        console.print(f"no model calls logged in {path}", highlight=False)
        return
    table = Table(title=f"model calls — {path}", title_justify="left")
    for col in ("UTC", "task", "model", "tokens", "ms"):
        table.add_column(col, justify="right" if col in ("tokens", "ms") else "left", min_width=len(col), no_wrap=True)
    table.add_column("error", overflow="fold", ratio=1)
    for r in rows:
        tokens = "cached" if r["cached"] else f"{r['prompt_tokens']}/{r['completion_tokens']}"
        when = r["ts"][5:19].replace("T", " ")
        cells = (when, r["task"], r["model"], tokens, str(r["duration_ms"]), (r["error"] or "")[:120])
        table.add_row(*(Text(shown(str(c))) for c in cells))  # no markup: an endpoint's error may print [/]
    console.print(table)
