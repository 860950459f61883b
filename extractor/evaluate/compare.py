"""Several models (and the parser) scored on the same fixtures, in one table.

``nianbao eval --backend llm --model A --model B`` runs the harness once per
model and once with the parser, and ranks the runs: leaf accuracy first, then
claims recall, findings recall, fewer false alarms, fewer failed reports. Cost
does not rank; it is shown beside. Requests are what this run sent; a replayed
cassette sends none, and its recorded tokens (and so its cost) are shown as
recorded.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from .harness import EvalRun
from .scoring import percent


@dataclass(frozen=True)
class Compared:
    """One run's headline figures."""

    name: str
    backend: str
    reports: int
    failed: int
    accuracy: float | None
    right: int
    leaves: int
    claims_found: int
    claims_gold: int
    findings_detected: int
    findings_gold: int
    false_alarms: int
    requests: int
    replayed: int
    cache_hits: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None
    seconds_per_report: float
    rank: int = 0


def compared(name: str, run: EvalRun) -> Compared:
    """The figures of ``run`` under ``name`` (a model, or ``parser``)."""
    usage = run.usage() or {}
    c = run.counts
    n = len(run.reports)
    return Compared(
        name, run.backend, n, run.failed, c.accuracy, c.right, c.leaves,
        run.total("claims.found"), run.total("claims.gold"),
        run.total("findings.detected"), run.total("findings.gold"), run.total("findings.false_alarms"),
        int(usage.get("llm_calls", 0)), int(usage.get("replayed", 0)), int(usage.get("cache_hits", 0)),
        int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0)),
        usage.get("cost_usd") if usage else (0.0 if run.backend == "parser" else None),
        run.seconds / n if n else 0.0,
    )


def _rate(num: int, den: int) -> float:
    return num / den if den else 1.0


def rank(rows: list[Compared]) -> list[Compared]:
    """Best first; ties share a rank."""
    def key(r: Compared) -> tuple[float, ...]:
        return (-(r.accuracy or 0.0), -_rate(r.claims_found, r.claims_gold),
                -_rate(r.findings_detected, r.findings_gold), r.false_alarms, r.failed)

    ordered = sorted(rows, key=key)
    out: list[Compared] = []
    for i, r in enumerate(ordered):
        same = out and key(out[-1]) == key(r)
        out.append(Compared(**{**asdict(r), "rank": out[-1].rank if same else i + 1}))
    return out


HEADERS = ("rank", "model", "backend", "leaf accuracy", "claims", "findings", "false alarms", "failed",
           "requests", "tokens in/out", "est. cost", "s/report")


def cells(r: Compared) -> list[str]:
    """One row of the table, as text."""
    requests = str(r.requests) + (f" (+{r.replayed} replayed)" if r.replayed else "")
    cost = "n/a" if r.cost_usd is None else f"${r.cost_usd:.4f}"
    return [
        str(r.rank), r.name, r.backend, f"{percent(r.accuracy)} ({r.right}/{r.leaves})",
        f"{r.claims_found}/{r.claims_gold}", f"{r.findings_detected}/{r.findings_gold}", str(r.false_alarms),
        f"{r.failed}/{r.reports}", requests, f"{r.prompt_tokens}/{r.completion_tokens}", cost,
        f"{r.seconds_per_report:.2f}",
    ]


NOTE = ("est. cost: tokens × the price table (config/prices.toml, nianbao.toml [prices]); n/a for a model it "
        "does not list. Prices are as published on the date each entry gives: check them.")


def to_markdown(fixtures: str, rows: list[Compared]) -> str:
    lines = [f"# nianbao model comparison — {fixtures}", "", "| " + " | ".join(HEADERS) + " |",
             "|" + "---|" * len(HEADERS)]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in cells(r)) + " |" for r in rows]
    return "\n".join([*lines, "", NOTE, ""])


def to_json(fixtures: str, rows: list[Compared]) -> dict[str, Any]:
    return {"fixtures": fixtures, "note": NOTE, "rows": [asdict(r) for r in rows]}


def write_comparison(stem: Path, fixtures: str, rows: list[Compared]) -> tuple[Path, Path]:
    """``stem``.json and ``stem``.md."""
    paths = stem.with_name(stem.name + ".json"), stem.with_name(stem.name + ".md")
    try:
        paths[0].write_text(json.dumps(to_json(fixtures, rows), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        paths[1].write_text(to_markdown(fixtures, rows), encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot write: {e.strerror or e}", path=str(stem)) from e
    return paths
