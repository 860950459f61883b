"""Cross-year checks: one agency's consecutive reports, paired by year."""

from __future__ import annotations

from verify_support import errors, report

from extractor.result import Evidence
from extractor.schema import validate_report
from extractor.verify.crossyear import check_years

DG = "dongguan-hrss-2023"
#: dongguan 2023 as the year before itself: consistent with 2023 (its 结转下年度
#: equals 2023's 上年结转, and 56 + 4 - 3 = 57 规范性文件 in force)
Y2022 = {"meta.year": 2022, "active.normative_documents.in_force": 56}


def test_consistent_consecutive_years_raise_nothing() -> None:
    assert check_years([(report(DG), {}), (report(DG, Y2022), {})]) == [[], []]


def test_carried_over_must_be_last_years_carried_forward() -> None:
    prev = report(
        DG, {**Y2022, "applications.carried_forward.natural_person": 3, "applications.carried_forward.total": 3}
    )
    ev = Evidence(line=83, start=0, end=1, text="3")
    later, earlier = check_years([(report(DG), {}), (prev, {"applications.carried_forward.natural_person": ev})])
    assert earlier == []  # findings go on the later year
    hits = [f for f in errors(later) if f.rule == "X-CARRIED"]
    assert {tuple(f.paths) for f in hits} == {
        ("applications.carried_over.natural_person", "2022:applications.carried_forward.natural_person"),
        ("applications.carried_over.total", "2022:applications.carried_forward.total"),
    }
    person = next(f for f in hits if "natural_person" in f.paths[0])
    assert (person.printed, person.computed, person.difference) == (1, 3, -2)
    assert person.evidence == {"2022:applications.carried_forward.natural_person": ev}
    assert "2022年" in person.message.zh


def test_in_force_follows_from_last_year_as_a_warning() -> None:
    (f,) = check_years([(report(DG, {**Y2022, "active.normative_documents.in_force": 50}), {}), (report(DG), {})])[1]
    assert (f.rule, f.severity) == ("X-IN-FORCE", "warning")
    assert (f.printed, f.computed) == (57, 51)


def test_only_consecutive_years_of_one_agency_are_paired() -> None:
    broken = {**Y2022, "applications.carried_forward.total": 9}
    gap = report(DG, {**broken, "meta.year": 2021})
    other = report(DG, {**broken, "meta.agency": "另一机关"})
    assert check_years([(report(DG), {}), (gap, {}), (other, {})]) == [[], [], []]
    twice = check_years([(report(DG), {}), (report(DG, broken), {}), (report(DG, Y2022), {})])
    assert twice == [[], [], []]  # 2022 given twice: which one is last year's is unknown


def test_a_2019_year_before_a_2021_year_checks_what_both_print() -> None:
    prev = validate_report(
        report("guangzhou-hrss-2020").to_canonical()
        | {"meta": {"agency": "东莞市人力资源和社会保障局", "year": 2022, "template": "2019"}}
    )
    found = check_years([(prev, {}), (report(DG), {})])[1]
    assert {f.rule for f in found} == {"X-CARRIED"}  # 现行有效件数 is not printed in 2019


def test_reports_whose_agency_was_not_read_are_not_paired() -> None:
    broken = {**Y2022, "applications.carried_forward.total": 9}
    unnamed = [(report(DG, {"meta.agency": None}), {}), (report(DG, {**broken, "meta.agency": None}), {})]
    assert check_years(unnamed) == [[], []]
    # nor with a named report of the year before or after
    assert check_years([(report(DG, {"meta.agency": None}), {}), (report(DG, broken), {})]) == [[], []]
    assert check_years([(report(DG), {}), (report(DG, {**broken, "meta.agency": " "}), {})]) == [[], []]
