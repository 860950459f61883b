"""The template's own arithmetic, as the parser uses it to choose a reading.

Where the labels cannot place some rows of a table but its layout admits a
reading by the template's row order, that reading is accepted only if the
relations the template states hold on it: each row's applicant columns add up
to its 总计, （七）总计 is the sum of （一）…（六）, 一+二 = （七）+四, and each group of
table 四 adds up to its 总计. A reading the arithmetic does not bear out is not
taken: the cells stay blank. The verifier (``rules/``) reports on whatever is
read; this module only decides between readings, so it checks no more than
the relations that involve the rows being placed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..template import APPLICANT_COLUMNS, REVIEW_COLUMNS, REVIEW_GROUPS

_APPLICANTS = [c for c in APPLICANT_COLUMNS if c != "total"]
_OUTCOME_GROUPS = ("granted", "partially_granted", "withheld", "unavailable", "not_processed", "other")
_IDENTITY_ROWS = frozenset({"new_received", "carried_over", "total", "carried_forward"})


def _n(flat: dict[str, Any], path: str) -> float:
    v = flat.get(path)
    return float(v) if isinstance(v, int | float) else 0.0


def _row_adds_up(flat: dict[str, Any], prefix: str, parts: Iterable[str]) -> bool:
    return abs(sum(_n(flat, f"{prefix}.{c}") for c in parts) - _n(flat, f"{prefix}.total")) < 1e-6


def table3_holds(flat: dict[str, Any], rows: Iterable[str]) -> bool:
    """Whether every relation of table 三 that involves one of ``rows``
    (paths relative to ``applications``) holds on ``flat``; a blank is 0."""
    rows = set(rows)
    if not all(_row_adds_up(flat, f"applications.{r}", _APPLICANTS) for r in rows):
        return False
    cols = list(APPLICANT_COLUMNS)
    if any(r == "total" or r.split(".")[0] in _OUTCOME_GROUPS for r in rows):
        for c in cols:
            outcomes = sum(
                _n(flat, p) for p in flat
                if p.startswith("applications.") and p.endswith(f".{c}") and p.split(".")[1] in _OUTCOME_GROUPS
            )
            if abs(outcomes - _n(flat, f"applications.total.{c}")) > 1e-6:
                return False
    if rows & _IDENTITY_ROWS:
        for c in cols:
            left = _n(flat, f"applications.new_received.{c}") + _n(flat, f"applications.carried_over.{c}")
            right = _n(flat, f"applications.total.{c}") + _n(flat, f"applications.carried_forward.{c}")
            if abs(left - right) > 1e-6:
                return False
    return True


def table4_holds(flat: dict[str, Any]) -> bool:
    """Whether each group of table 四 adds up to its 总计 (a blank is 0)."""
    parts = [c for c in REVIEW_COLUMNS if c != "total"]
    return all(_row_adds_up(flat, f"review_litigation.{g}", parts) for g in REVIEW_GROUPS)
