"""Properties of the engine over random tables: a consistent table 三 and 四
raises no error, and changing any one cell raises an error naming that cell."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from verify_support import canonical, errors

from extractor.report import unflatten
from extractor.schema import validate_report
from extractor.template import APPLICANT_COLUMNS, REVIEW_COLUMNS, REVIEW_GROUPS, application_rows
from extractor.verify.engine import verify

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
