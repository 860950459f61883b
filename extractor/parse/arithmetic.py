"""The template's own arithmetic, as the parser uses it to choose a reading.

Where the labels cannot place some rows of table 三 but its layout admits a
reading by the template's row order, that reading is accepted only if the
relations the template states hold on it: each row's applicant columns add up
to its 总计, （七）总计 is the sum of （一）…（六）, and 一+二 = （七）+四 — all of
them, or all but those a single misprinted cell explains (the report's own
error, which the verifier then reports). A reading the arithmetic does not
bear out is not taken: the cells stay blank. This module only decides between
readings, so it checks no more than the relations that involve the rows being
placed; the verifier (``rules/``) reports on whatever is read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..template import APPLICANT_COLUMNS

_APPLICANTS = [c for c in APPLICANT_COLUMNS if c != "total"]
_OUTCOME_GROUPS = ("granted", "partially_granted", "withheld", "unavailable", "not_processed", "other")
_IDENTITY_ROWS = frozenset({"new_received", "carried_over", "total", "carried_forward"})


def _n(flat: dict[str, Any], path: str) -> float:
    v = flat.get(path)
    return float(v) if isinstance(v, int | float) else 0.0


#: A relation as (cells on the left, cells on the right): their sums must be equal.
Relation = tuple[list[str], list[str]]


def _relations(flat: dict[str, Any], rows: set[str]) -> list[Relation]:
    """The relations of table 三 that involve one of ``rows``."""
    out: list[Relation] = [
        ([f"applications.{r}.total"], [f"applications.{r}.{c}" for c in _APPLICANTS]) for r in sorted(rows)
    ]
    if any(r == "total" or r.split(".")[0] in _OUTCOME_GROUPS for r in rows):
        for c in APPLICANT_COLUMNS:
            parts = [
                p for p in flat
                if p.startswith("applications.") and p.endswith(f".{c}") and p.split(".")[1] in _OUTCOME_GROUPS
            ]
            out.append(([f"applications.total.{c}"], parts))
    if rows & _IDENTITY_ROWS:
        for c in APPLICANT_COLUMNS:
            out.append((
                [f"applications.new_received.{c}", f"applications.carried_over.{c}"],
                [f"applications.total.{c}", f"applications.carried_forward.{c}"],
            ))
    return out


def table3_holds(flat: dict[str, Any], rows: Iterable[str]) -> bool:
    """Whether the relations of table 三 that involve one of ``rows`` (paths
    relative to ``applications``) hold on ``flat`` — all of them, or all but
    those one misprinted cell explains: a report's own error in one cell breaks
    its row's sum and its column's sums, and a reading in the wrong order breaks
    relations that share no cell. A blank counts as 0."""
    failed = [
        set(left + right) for left, right in _relations(flat, set(rows))
        if abs(sum(_n(flat, p) for p in left) - sum(_n(flat, p) for p in right)) > 1e-6
    ]
    return not failed or (len(failed) <= 3 and bool(set.intersection(*failed)))


