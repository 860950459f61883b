"""The narrative sentence set (tests/data/claims_sentences.yaml), each sentence
read inside a report whose tables bear its gold claims out.

Every gold claim must be found as ``nianbao eval`` matches claims (same value,
same set of cells, gold's alt_paths accepted), and no claim may disagree with
the tables at error level: the tables agree with gold, so an error is a claim
gold does not make — and the sentences that claim nothing get tables of zeros.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from claims_sentences import cases, claim_errors, found, read_case
from conftest import SHARED
from verify_support import errors, report

from extractor.evaluate.scoring import score_claims
from extractor.load import load, load_string
from extractor.parse.parser import parse
from extractor.record import replace
from extractor.verify.claims import NarrativeClaim, find_claims, read_narrative
from extractor.verify.engine import verify

CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_sentence_yields_its_claims_and_no_false_error(case: dict[str, Any]) -> None:
    gold, result = read_case(case)
    n, missed = found(gold, result)
    assert missed == [], case["text"]
    assert n == len(case["claims"])
    assert claim_errors(result) == [], case["text"]


def test_the_set_has_what_the_issue_asks() -> None:
    positive = [c for c in CASES if c["claims"]]
    ours = [c for c in CASES if c["id"].startswith("mine-")]
    assert len(positive) >= 80 and len(CASES) - len(positive) >= 36
    assert len(ours) >= 60


SHANGHAI = SHARED / "fixtures" / "reports" / "shanghai-gov-2020.html"


@pytest.mark.skipif(not SHANGHAI.exists(), reason="../shared/fixtures not beside the checkout")
def test_a_real_report_whose_claims_were_not_tuned_to_is_read_from_its_narrative() -> None:
    """Shanghai 2020 (2019 template): every gold claim from the narrative, read
    with the template gold states (its tables are another helper's work)."""
    gold = json.loads((SHARED / "fixtures" / "gold" / "shanghai-gov-2020.json").read_text(encoding="utf-8"))
    doc = load(SHANGHAI)
    parsed = parse(doc)
    meta = replace(parsed.report.meta, template=gold["meta"]["template"])
    narration = read_narrative(doc, replace(parsed.report, meta=meta), parsed.table_spans)
    pred = {"claims": [c.to_json() for c in narration.claims]}
    score = score_claims(gold, pred)
    assert score.missed == [] and score.found == len(gold["claims"]) == 18
    # 一审行政诉讼案件687件 counts first-instance cases only: neither it nor the
    # 结果纠正23件 after it is read as table 四's
    assert not {c.value for c in narration.claims} & {687, 23}


def test_all_upheld_is_contradicted_by_a_pending_case() -> None:
    text = "因政府信息公开被申请行政复议 1 件、被提起行政诉讼 0 件，均获维持。"
    upheld = [c for c in find_claims(load_string(text), report("dongguan-hrss-2023"), []) if c.quote == "均获维持"]
    assert [(c.value, c.paths) for c in upheld] == [
        (1, ["review_litigation.review.upheld"]),
        (0, ["review_litigation.litigation_direct.upheld", "review_litigation.litigation_after_review.upheld"]),
    ]
    assert errors(verify(report("dongguan-hrss-2023"), {}, upheld)) == []  # its one review was upheld
    pending = report(
        "dongguan-hrss-2023", {"review_litigation.review.upheld": 0, "review_litigation.review.pending": 1}
    )
    (f,) = errors(verify(pending, {}, upheld))
    assert (f.rule, f.quote, f.printed, f.computed) == ("CLAIM.result_all_upheld", "均获维持", 1, 0)
    assert f.message.zh == "正文“均获维持”为 1，表中行政复议·结果维持合计 0，相差 1"


def test_the_reading_the_tables_bear_out_comes_first_and_says_why() -> None:
    """自然人申请 N 件: 本年新收, or （七）总计, or 新收 + 上年结转 — whichever the tables bear out."""
    text = "自然人申请 {n} 件。"
    dg = report("dongguan-hrss-2023")
    new, carried = (
        dg.leaves()["applications.new_received.natural_person"],
        dg.leaves()["applications.carried_over.natural_person"],
    )
    assert isinstance(new, int) and isinstance(carried, int) and carried > 0
    (c,) = find_claims(load_string(text.format(n=new + carried)), dg, [])
    assert isinstance(c, NarrativeClaim)
    assert c.paths == ["applications.new_received.natural_person", "applications.carried_over.natural_person"]
    assert c.alt_paths == ["applications.new_received.natural_person"]
    assert c.why is not None and "not the usual one" in c.why


def _read(text: str) -> list[tuple[str, int | float, list[str]]]:
    blank = report("dongguan-hrss-2023")
    return [
        (c.rule, c.value, c.paths) for c in find_claims(load_string(text), blank, []) if isinstance(c, NarrativeClaim)
    ]


@pytest.mark.parametrize(
    ("lead", "scope"),
    [("政府信息公开行政复议情况：", "review"), ("因政府信息公开引起的行政诉讼方面，", "litigation_direct")],
)
def test_a_lead_opens_the_scope_of_the_results_after_it(lead: str, scope: str) -> None:
    read = _read(lead + "维持 1 件，尚未审结 2 件。")
    assert [(v, p[0]) for _, v, p in read] == [
        (1, f"review_litigation.{scope}.upheld"),
        (2, f"review_litigation.{scope}.pending"),
    ]
    # a lead not about information disclosure opens nothing
    assert _read("行政复议情况：维持 1 件，尚未审结 2 件。") == []


def test_respectively_pairs_each_item_with_its_count() -> None:
    read = _read("行政许可、行政处罚、行政强制信息分别公开 120 条、35 条、2 条。")
    assert [(r, v, p) for r, v, p in read] == [
        ("active_licensing", 120, ["active.licensing.decisions"]),
        ("active_punishment", 35, ["active.punishment.decisions"]),
        ("active_coercion", 2, ["active.coercion.decisions"]),
    ]
    # lists of different lengths, or an item the lexicon does not know: nothing
    assert _read("行政许可、行政处罚、行政强制信息分别公开 120 条、35 条。") == []
    assert _read("行政许可、政策解读信息分别公开 120 条、35 条。") == []
