"""Every rule of the catalogue has a report where it fires and one where it does not.

A case changes a consistent gold report (and, for cross-year rules, a
consistent copy of it as the year before) so that the relation under test
breaks; the finding must name the changed cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from verify_support import report

from extractor.result import Finding
from extractor.verify.catalogue import load_catalogue
from extractor.verify.crossyear import check_years
from extractor.verify.engine import verify


@dataclass(frozen=True)
class Case:
    base: str
    breaks: dict[str, Any]
    names: str
    prev: dict[str, Any] | None = None  # the year before, consistent with base
    prev_breaks: dict[str, Any] = field(default_factory=dict)


DG, GZ = "dongguan-hrss-2023", "guangzhou-hrss-2020"

CASES: dict[str, Case] = {
    "T3-ROW": Case(DG, {"applications.granted.natural_person": 55}, "applications.granted.natural_person"),
    # change a cell and its row total together: the row adds up, the columns do not
    "T3-IDENTITY": Case(
        DG,
        {"applications.new_received.commercial": 3, "applications.new_received.total": 74},
        "applications.new_received.commercial",
    ),
    "T3-OUTCOMES": Case(
        DG, {"applications.granted.commercial": 3, "applications.granted.total": 57}, "applications.granted.commercial"
    ),
    "T4-GROUP": Case(DG, {"review_litigation.review.total": 2}, "review_litigation.review.total"),
    "COUNT-NONNEG": Case(DG, {"active.licensing.decisions": -5}, "active.licensing.decisions"),
    "AMOUNT-UNIT": Case(DG, {"active.fees.amount_10k_yuan": 4988000000.0}, "active.fees.amount_10k_yuan"),
    "A19-ITEMS": Case(GZ, {"active.punishment.change": -60}, "active.punishment.change"),
    "META-PUBLISHED": Case(DG, {"meta.published": "2023-12-20"}, "meta.published"),
    "X-CARRIED": Case(
        DG,
        {},
        "applications.carried_over.natural_person",
        prev={"meta.year": 2022, "active.normative_documents.in_force": 56},
        prev_breaks={"applications.carried_forward.natural_person": 2, "applications.carried_forward.total": 2},
    ),
    "X-IN-FORCE": Case(
        DG,
        {},
        "active.normative_documents.in_force",
        prev={"meta.year": 2022, "active.normative_documents.in_force": 56},
        prev_breaks={"active.normative_documents.in_force": 60},
    ),
    "X-ITEMS-2019": Case(
        GZ,
        {},
        "active.licensing.prev_items",
        prev={"meta.year": 2019},
        prev_breaks={"active.licensing.change": 2},
    ),
}


def _findings(case: Case, broken: bool) -> list[Finding]:
    cur = report(case.base, case.breaks if broken and not case.prev_breaks else None)
    if case.prev is None:
        return verify(cur, {}, [])
    prev = report(case.base, {**case.prev, **(case.prev_breaks if broken else {})})
    return verify(cur, {}, []) + check_years([(prev, {}), (cur, {})])[1]


def test_every_rule_has_a_case() -> None:
    assert set(CASES) == {r.id for r in load_catalogue().rules}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_fires_naming_the_cell(rule: str) -> None:
    case = CASES[rule]
    severity = next(r.severity for r in load_catalogue().rules if r.id == rule)
    hits = [f for f in _findings(case, broken=True) if f.rule == rule and f.severity == severity]
    assert hits, f"{rule} did not fire"
    assert any(case.names in f.paths for f in hits)
    assert all(f.message.zh and f.message.en for f in hits)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_is_quiet_on_a_consistent_report(rule: str) -> None:
    assert [f for f in _findings(CASES[rule], broken=False) if f.rule == rule] == []
