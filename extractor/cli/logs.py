"""``nianbao logs``: the model calls the llm and hybrid backends made, newest first
(``--json`` for whole records: source, hashes and the answer itself)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from ..llm.config import read_config
from ..llm.log import read_calls
from ..llm.prices import Price, price_table
from ..llm.settings import log_db_path
from ._common import console, shown, user_errors


def _response(row: dict[str, Any]) -> Any:
    """The logged answer as JSON when it parses, else as the text the model sent."""
    text = row["response"]
    try:
        return json.loads(text) if text else None
    except (ValueError, RecursionError):  # not JSON, a number over the int limit, nested too deep
        return text


def _cost(row: dict[str, Any], prices: dict[str, Price]) -> float | None:
    """What the call cost by today's price table; None for a model it does not list."""
    price = prices.get(row["model"])
    return None if price is None else price.cost(row["prompt_tokens"], row["completion_tokens"])


def _dollars(cost: float | None) -> str:
    return "—" if cost is None else f"${cost:.4f}"


@user_errors
def command(
    n: Annotated[int, typer.Option("-n", min=1, help="How many calls to list")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Full records, answers included, as JSON")] = False,
) -> None:
    """List logged model calls (log: $NIANBAO_LOG_DB or logs.db in the user data folder)."""
    path = log_db_path()
    rows = read_calls(path, n)
    prices = price_table(read_config())
    costs = [_cost(r, prices) for r in rows]
    if as_json:
        records = [
            row | {"cached": bool(row["cached"]), "response": _response(row), "cost_usd": cost}
            for row, cost in zip(rows, costs, strict=True)
        ]
        typer.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    if not rows:
        console.print(f"no model calls logged in {path}", highlight=False)
        return
    table = Table(title=f"model calls — {path}", title_justify="left")
    for col in ("UTC", "task", "model", "tokens", "cost", "ms"):
        right = col in ("tokens", "cost", "ms")
        table.add_column(col, justify="right" if right else "left", min_width=len(col), no_wrap=True)
    table.add_column("error", overflow="fold", ratio=1)
    for r, cost in zip(rows, costs, strict=True):
        tokens = "cached" if r["cached"] else f"{r['prompt_tokens']}/{r['completion_tokens']}"
        when = r["ts"][5:19].replace("T", " ")
        cells = (when, r["task"], r["model"], tokens, _dollars(cost), str(r["duration_ms"]), (r["error"] or "")[:120])
        table.add_row(*(Text(shown(str(c))) for c in cells))  # no markup: an endpoint's error may print [/]
    console.print(table)
    known = [c for c in costs if c is not None]
    total = f"${sum(known):.4f}" if known else "unknown"
    if len(known) < len(costs):
        total += f" ({len(costs) - len(known)} of them by models the price table does not list)"
    console.print(f"estimated cost of these {len(rows)} calls: {total}; prices from config/prices.toml and "
                  "nianbao.toml [prices], estimates only: check your provider's bill", markup=False, highlight=False)
