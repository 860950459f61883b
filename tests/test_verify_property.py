"""Properties of the engine over random tables: a consistent table 三 and 四
raises no error, changing any one cell raises an error naming that cell, and the
cheap test of a relation never changes a finding."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from verify_support import canonical, errors

from extractor.report import Meta, Report, unflatten
from extractor.result import Finding
from extractor.schema import validate_report
from extractor.template import APPLICANT_COLUMNS, REVIEW_COLUMNS, REVIEW_GROUPS, application_rows
from extractor.verify import engine
from extractor.verify.engine import BoundCheck, Facts, SumCheck, run_rules, verify

APPLICANTS = [c for c in APPLICANT_COLUMNS if c != "total"]
COUNT = st.integers(min_value=0, max_value=500)


def _cols(values: dict[str, int]) -> dict[str, int]:
    return {**values, "total": sum(values.values())}


@st.composite
def consistent_report(draw: st.DrawFn) -> dict[str, Any]:
    """Dongguan's report with table 三 and 四 replaced by random consistent ones;
    （六）其他处理 printed as three rows or as one."""
    outcomes = [row for row, _ in application_rows(draw(st.booleans()))][2:-2]  # (一)…(六)
    rows: dict[str, dict[str, int]] = {row: _cols({c: draw(COUNT) for c in APPLICANTS}) for row in outcomes}
    rows["total"] = _cols({c: sum(rows[r][c] for r in outcomes) for c in APPLICANTS})
    rows["carried_forward"] = _cols({c: draw(COUNT) for c in APPLICANTS})
    carried = {c: draw(st.integers(0, rows["total"][c] + rows["carried_forward"][c])) for c in APPLICANTS}
    rows["carried_over"] = _cols(carried)
    rows["new_received"] = _cols({c: rows["total"][c] + rows["carried_forward"][c] - carried[c] for c in APPLICANTS})
    data = canonical("dongguan-hrss-2023")
    data["applications"] = unflatten(rows)
    results = [c for c in REVIEW_COLUMNS if c != "total"]
    data["review_litigation"] = {g: _cols({c: draw(COUNT) for c in results}) for g in REVIEW_GROUPS}
    return data


def _leaves(data: dict[str, Any], section: str) -> list[str]:
    return [p for p in validate_report(data).leaves() if p.startswith(section + ".")]


def _set(data: dict[str, Any], path: str, value: int) -> None:
    node = data
    *parents, last = path.split(".")
    for p in parents:
        node = node[p]
    node[last] = value


@settings(max_examples=60, deadline=None)
@given(consistent_report())
def test_a_consistent_report_raises_no_error(data: dict[str, Any]) -> None:
    assert errors(verify(validate_report(data), {}, [])) == []


@settings(max_examples=300, deadline=None)
@given(consistent_report(), st.sampled_from(["applications", "review_litigation"]), st.data())
def test_any_single_cell_change_is_an_error_naming_the_cell(
    data: dict[str, Any], section: str, pick: st.DataObject
) -> None:
    path = pick.draw(st.sampled_from(_leaves(data, section)))
    report = validate_report(data)
    old = report.leaves()[path]
    new = pick.draw(st.integers(min_value=-5, max_value=1000).filter(lambda v: v != old))
    _set(data, path, new)
    found = errors(verify(validate_report(data), {}, []))
    assert any(path in f.paths for f in found), (path, old, new)


#: cells as a report may print them, or canonical JSON may hold them: blanks, counts
#: (negative too), amounts, and sums that floating point does not add up exactly
VALUE = st.one_of(
    st.none(),
    st.integers(min_value=-5, max_value=500),
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    st.sampled_from([0.1, 0.2, 0.3, 1e-7, 1e16, 10000000.000001]),
)


def _same_with_and_without_the_shortcut(data: dict[str, Any]) -> list[Finding]:
    made = Report(Meta(**data["meta"]), data["active"], data["applications"], data["review_litigation"])
    facts = Facts.of(made, {})
    with_shortcut = run_rules(facts)
    with (
        patch.object(SumCheck, "holds", lambda self, values: False),
        patch.object(BoundCheck, "holds", lambda self, values: False),
    ):
        assert run_rules(facts) == with_shortcut
    return with_shortcut


@settings(max_examples=80, deadline=None)
@given(
    st.sampled_from(["dongguan-hrss-2023", "synthetic-2019-blank-cells", "shanghai-gov-2020"]), st.data()
)
def test_relations_told_to_hold_cheaply_change_no_finding(name: str, pick: st.DataObject) -> None:
    """A relation :meth:`holds` passes is one the exact evaluation finds nothing
    wrong with: the rules' findings are the same with the shortcut and without."""
    data = canonical(name)
    leaves = list(validate_report(data).leaves())
    for path in pick.draw(st.lists(st.sampled_from(leaves), max_size=12)):
        _set(data, path, pick.draw(VALUE))
    _same_with_and_without_the_shortcut(data)


@pytest.mark.parametrize(
    ("name", "changes", "rule", "fires"),
    [
        ("dongguan-hrss-2023", {"applications.granted.total": 1000}, "T3-ROW", True),  # a sum too large
        ("dongguan-hrss-2023", {"applications.granted.total": 0.5}, "T3-OUTCOMES", True),  # an amount among counts
        ("dongguan-hrss-2023", {"review_litigation.review.upheld": -1}, "COUNT-NONNEG", True),
        ("shanghai-gov-2020", {"active.licensing.change": -900}, "A19-ITEMS", True),  # at least: below
        ("shanghai-gov-2020", {"active.licensing.change": -893}, "A19-ITEMS", False),  # at least: exactly
    ],
)
def test_relations_that_fail_are_evaluated_in_full(name: str, changes: dict[str, Any], rule: str, fires: bool) -> None:
    found = _same_with_and_without_the_shortcut(canonical(name, changes))
    assert any(f.rule == rule and f.severity != "info" for f in found) == fires


def test_a_consistent_report_is_told_by_the_shortcut_alone() -> None:
    """Every relation of a report whose tables add up holds by the cheap test."""
    facts = Facts.of(validate_report(canonical("dongguan-hrss-2023")), {})
    with patch.object(engine, "_sum_finding", side_effect=AssertionError("evaluated in full")):
        assert run_rules(facts) == []
