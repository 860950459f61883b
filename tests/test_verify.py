"""The rule engine on whole reports: consistent gold reports raise no error,
printed mistakes are found and located, blanks are not assessable, claims are
read either way they may be meant."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, load_gold
from pydantic import TypeAdapter
from verify_support import canonical, errors, named, report

from extractor.result import Claim, Evidence, Finding
from extractor.schema import validate_report
from extractor.verify.claims import Breakdown, NarrativeClaim
from extractor.verify.engine import label, verify

GOLD = sorted((FIXTURES / "gold").glob("*.json"))
DG = "dongguan-hrss-2023"


def _gold_claims(gold: dict[str, Any]) -> list[Claim]:
    return [TypeAdapter(Claim).validate_python(c) for c in gold.get("claims") or []]


@pytest.mark.parametrize("path", GOLD, ids=[p.stem for p in GOLD])
def test_gold_reports_verify_as_labelled(path: Path) -> None:
    gold = load_gold(path)
    found = verify(report(path.stem), {}, _gold_claims(gold))
    named_by_errors = {p for f in errors(found) for p in f.paths}
    expected = [f for f in gold["findings"] if not f.get("soft")]
    if not gold["findings"]:
        assert errors(found) == []
    for f in expected:
        assert named_by_errors & set(f["paths"]), f["why"]


def test_a_printed_error_is_located_with_its_values_and_evidence() -> None:
    ev = Evidence(line=48, start=10, end=12, text="53")
    found = verify(
        report(DG, {"applications.granted.natural_person": 53}), {"applications.granted.natural_person": ev}, []
    )
    row = next(f for f in found if f.rule == "T3-ROW")
    assert (row.printed, row.computed, row.difference) == (56, 55, 1)
    assert row.paths[0] == "applications.granted.total"
    assert row.evidence == {"applications.granted.natural_person": ev}
    assert "（一）予以公开·总计" in row.message.zh and "56" in row.message.zh
    assert "applications.granted.total" in row.message.en
    again = verify(report(DG, {"applications.granted.natural_person": 53}), {}, [])
    assert [f.id for f in again] == [f.id for f in found]


def test_a_blank_operand_is_not_assessable_never_an_error() -> None:
    found = verify(report(DG, {"applications.granted.commercial": None}), {}, [])
    assert errors(found) == []
    infos = named(found, "applications.granted.commercial")
    assert {f.rule for f in infos} == {"T3-ROW", "T3-OUTCOMES"}
    assert all(f.severity == "info" and "空白" in f.message.zh for f in infos)


def test_parts_beyond_a_printed_total_despite_a_blank_are_a_warning() -> None:
    found = verify(
        report(DG, {"applications.granted.commercial": None, "applications.granted.natural_person": 60}), {}, []
    )
    row = next(f for f in found if f.rule == "T3-ROW")
    assert row.severity == "warning"
    assert (row.printed, row.computed) == (56, 60)
    assert errors(found) != []  # the column relations without blanks still fail


@pytest.mark.parametrize("absent", ["applications", "review_litigation", "active"])
def test_an_absent_or_blank_table_is_reported_once(absent: str) -> None:
    data = canonical(DG)
    data[absent] = None
    found = verify(validate_report(data), {}, [])
    assert [(f.rule, f.severity, f.paths) for f in found] == [("TABLE-ABSENT", "info", [absent])]
    blank = report(DG)
    blank_data = blank.to_canonical()

    def clear(node: Any) -> Any:
        return {k: clear(v) for k, v in node.items()} if isinstance(node, dict) else None

    blank_data[absent] = clear(blank_data[absent])
    found = verify(validate_report(blank_data), {}, [])
    assert [(f.rule, f.paths) for f in found] == [("TABLE-ABSENT", [absent])]


# -- claims ---------------------------------------------------------------------------------------------


def _claim(value: int, paths: list[str], alt: list[str] | None = None, **kw: Any) -> NarrativeClaim:
    return NarrativeClaim(quote=f"说{value}件", paths=paths, alt_paths=alt, value=value, **({"rule": "t"} | kw))


def test_a_claim_agreeing_with_the_tables_raises_nothing() -> None:
    claims = [
        _claim(56, ["applications.granted.total"]),
        _claim(3, ["applications.withheld.*.total"]),
        _claim(0, ["review_litigation.litigation_direct.total", "review_litigation.litigation_after_review.total"]),
    ]
    assert verify(report(DG), {}, claims) == []


def test_a_claim_may_match_either_reading() -> None:
    # dongguan: 办理 73 is （七）总计; 新收 is 73 too, so pick a value only one reading has
    r = report(
        DG,
        {
            "applications.new_received.total": 72,
            "applications.new_received.natural_person": 70,
            "applications.carried_over.total": 2,
            "applications.carried_over.natural_person": 2,
        },
    )
    claim = _claim(72, ["applications.total.total"], ["applications.new_received.total"])
    assert [f for f in verify(r, {}, [claim]) if f.rule == "CLAIM.t"] == []


def test_a_claim_contradicting_both_readings_is_an_error_with_its_quote() -> None:
    ev = Evidence(line=25, start=0, end=5, text="说99件")
    claim = _claim(99, ["applications.total.total"], ["applications.new_received.total"], evidence=ev)
    (f,) = verify(report(DG), {}, [claim])
    assert (f.rule, f.severity, f.quote) == ("CLAIM.t", "error", "说99件")
    assert (f.printed, f.computed, f.difference) == (99, 73, 26)
    assert f.paths == ["applications.total.total", "applications.new_received.total"]
    assert f.evidence["narrative"] == ev
    assert "另一读法" in f.message.zh


def test_a_claim_of_a_narrower_count_mismatches_as_its_phrasing_says() -> None:
    # 办结 N 件 (phrasing handled_bare in rules/claims.yaml) may leave out cases closed otherwise
    (f,) = verify(report(DG), {}, [_claim(70, ["applications.total.total"], rule="handled_bare")])
    assert (f.rule, f.severity) == ("CLAIM.handled_bare", "warning")
    (g,) = verify(report(DG), {}, [Claim(quote="q", paths=["applications.total.total"], value=70)])
    assert (g.rule, g.severity) == ("CLAIM", "error")


def test_a_claim_on_a_blank_cell_is_not_assessable() -> None:
    (f,) = [
        f
        for f in verify(
            report(DG, {"applications.granted.total": None}), {}, [_claim(50, ["applications.granted.total"])]
        )
        if f.rule == "CLAIM.t"
    ]
    assert f.severity == "info"


def test_a_claim_on_an_absent_table_is_covered_by_the_table_finding() -> None:
    data = canonical(DG)
    data["review_litigation"] = None
    found = verify(validate_report(data), {}, [_claim(5, ["review_litigation.review.total"])])
    assert [f.rule for f in found] == ["TABLE-ABSENT"]


def test_a_claim_on_cells_this_template_lacks_is_not_assessable() -> None:
    (f,) = verify(report("guangzhou-hrss-2020"), {}, [_claim(5, ["active.regulations.issued"])])
    assert (f.severity, f.rule) == ("info", "CLAIM.t")


def test_a_wildcard_reads_a_group_printed_as_one_row() -> None:
    # guangzhou (2019) prints （六）其他处理 as one row of 108
    gz = report("guangzhou-hrss-2020")
    assert verify(gz, {}, [_claim(108, ["applications.other.*.total"])]) == []
    (f,) = verify(gz, {}, [_claim(100, ["applications.other.*.total"])])
    assert f.paths == ["applications.other.total"]


def test_a_year_claim_checks_the_report_year() -> None:
    claim = _claim(2023, ["meta.year"])
    assert verify(report(DG), {}, [claim]) == []
    (f,) = verify(report(DG, {"meta.year": 2022}), {}, [claim])
    assert f.severity == "error" and "2023" in f.message.zh and "2022" in f.message.zh


@pytest.mark.parametrize(
    ("value", "parts", "complete", "raises"),
    [
        (1502, [522, 597, 383], True, []),
        (1503, [522, 597, 383], True, ["error"]),  # 其他… closes the list: it must add up
        (1503, [522, 597], False, []),  # an open list may name only some parts
        (81, [42, 5, 31, 1, 2, 2, 7], False, []),  # the parts reach the total, then go on
        (7, [6, 3], False, ["warning"]),  # the parts overshoot an open list
    ],
)
def test_a_narrative_breakdown(value: int, parts: list[int], complete: bool, raises: list[str]) -> None:
    ev = Evidence(line=7, start=0, end=1, text="q")
    b = Breakdown(quote="q", value=value, parts=tuple(parts), complete=complete, evidence=ev)
    found = verify(report(DG), {}, [], [b])
    assert [f.severity for f in found] == raises
    assert all(f.rule == "NARRATIVE-SUM" and f.quote == "q" and f.evidence == {"narrative": ev} for f in found)


def test_labels_name_printed_rows_and_columns() -> None:
    assert label("applications.withheld.*.total") == "（三）不予公开·总计"
    assert label("2022:applications.carried_forward.natural_person") == "2022年四、结转下年度继续办理·自然人"
    assert label("review_litigation.litigation_direct.pending") == "行政诉讼·未经复议直接起诉·尚未审结"
    assert label("meta.published") == "发布日期"


def test_an_absent_table_is_named_as_the_template_heads_it() -> None:
    data = canonical(DG)
    data["review_litigation"] = None
    (f,) = verify(validate_report(data), {}, [])
    assert f.message.zh.startswith("表四 政府信息公开行政复议、行政诉讼情况")
    assert f.message.en.startswith("table 四 (review and litigation)")


def _errors_after(report: str, sentence: str, anchor: str) -> list[Finding]:
    from extractor.load import load_bytes
    from extractor.pipeline import extract

    path = FIXTURES / "reports" / report
    text = path.read_text(encoding="utf-8")
    assert anchor in text
    doc = load_bytes(text.replace(anchor, anchor + "\n" + sentence + "\n", 1).encode("utf-8"), path.name)
    return [f for f in extract(doc).findings if f.severity == "error"]


def test_a_count_for_several_bodies_is_no_error() -> None:
    """全县各单位… counts more bodies than the agency's own table: a warning at most."""
    sentence = "全县各单位共收到政府信息公开申请356件。"
    assert _errors_after("dongguan-hrss-2023.md", sentence, "### 一、总体情况") == []
    plain = "本局共收到政府信息公开申请356件。"
    assert [f.rule for f in _errors_after("dongguan-hrss-2023.md", plain, "### 一、总体情况")] == ["CLAIM.received"]


def test_a_bracketed_aside_does_not_scope_the_list_after_it() -> None:
    """（含复议后起诉0件）is an aside: 其中维持3件 still counts all lawsuits (3 + 0)."""
    sentence = "因政府信息公开被提起行政诉讼4件（含复议后起诉0件），其中维持3件，尚未审结1件。"
    assert _errors_after("guangzhou-hrss-2020.txt", sentence, "一、总体情况") == []
