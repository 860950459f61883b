"""The claims finder: narrative numbers mapped to canonical paths.

Every gold claim of the labelled fixtures is found, every phrasing of
``rules/claims.yaml`` has a sentence it reads and a near miss it leaves alone,
and numbers that are not counts (years, percentages, approximations, table
cells) are never claimed.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import Any

import pytest
from claims_sentences import sentence_set_rules
from conftest import labelled, load_gold
from verify_support import report

from extractor.load import load, load_string
from extractor.parse.parser import parse
from extractor.report import Meta, Report, flatten
from extractor.result import Claim
from extractor.template import Template
from extractor.verify.claims import NarrativeClaim, find_claims, load_phrasings, read_narrative
from extractor.verify.engine import verify

FIXTURES = labelled(".txt", ".md", ".html", ".pdf")


def _expand(leaves: dict[str, Any], paths: list[str] | None) -> frozenset[str]:
    """score.py's reading of a claim's paths."""
    out: set[str] = set()
    for pat in paths or []:
        n = len(pat.split("."))
        out |= {p for p in leaves if len(p.split(".")) == n and fnmatch.fnmatch(p, pat)} if "*" in pat else {pat}
    return frozenset(out)


@pytest.mark.parametrize(("report", "gold"), FIXTURES, ids=[r.name for r, _ in FIXTURES])
def test_fixture_claims_are_found_and_agree_with_the_tables(report: Path, gold: Path) -> None:
    g = load_gold(gold)
    leaves = flatten(g)
    doc = load(report)
    parsed = parse(doc)
    narration = read_narrative(doc, parsed.report, parsed.table_spans)
    # as score.py reads them: a claim's primary paths must be gold's reading
    got = {(c.value, _expand(leaves, c.paths)) for c in narration.claims}
    for c in g["claims"]:
        targets = {_expand(leaves, c["paths"]), _expand(leaves, c.get("alt_paths"))}
        assert any((c["value"], t) in got for t in targets), c["quote"]
    if not g["findings"]:
        found = verify(parsed.report, parsed.evidence, narration.claims, narration.breakdowns)
        assert [f for f in found if f.severity == "error"] == []


def _blank(template: Template = "2021") -> Report:
    """A report of ``template`` whose tables were not found."""
    return Report(Meta(template=template))


def _claims(
    text: str, spans: list[tuple[int, int]] | None = None, tables: Report | None = None
) -> list[NarrativeClaim]:
    return [c for c in find_claims(load_string(text), tables or _blank(), spans or []) if isinstance(c, NarrativeClaim)]


def _read(
    text: str, spans: list[tuple[int, int]] | None = None, tables: Report | None = None
) -> list[tuple[str, int, list[str]]]:
    return [(c.rule, int(c.value), c.paths) for c in _claims(text, spans, tables) if c.paths != ["meta.year"]]


A = "applications."
R = "review_litigation."
ORGS = [f"{A}new_received.{c}" for c in ("commercial", "research", "social_org", "legal_service", "other_org")]

#: phrasing → (a sentence it reads, the value, a leading path; a near miss it must not read as this phrasing)
PHRASINGS: dict[str, tuple[str, int, str, str]] = {
    "carried_over": ("含上年度结转申请 34 件。", 34, f"{A}carried_over.total", "2023年结转 34 件。"),
    "carried_forward": ("结转下年度继续办理 2 件。", 2, f"{A}carried_forward.total", "结转下年度的工作 2 项。"),
    "carried_forward_after": ("另有 103 件顺延到下年度答复。", 103, f"{A}carried_forward.total", "另有 103 件已办结。"),
    "review_total": ("因政府信息公开申请引发行政复议 3 起。", 3, f"{R}review.total", "全年共受理行政复议申请120件。"),
    "review_total_unscoped": ("全年共受理行政复议申请120件。", 120, f"{R}review.total", "行政复议纠错率 3%。"),
    "litigation_direct_total": (
        "未经复议直接起诉 2 件。",
        2,
        f"{R}litigation_direct.total",
        "直接起诉的期限为 2 个月。",
    ),
    "litigation_after_review_total": (
        "复议后起诉 1 件。",
        1,
        f"{R}litigation_after_review.total",
        "复议后 15 日内起诉。",
    ),
    "litigation_total": (
        "因政府信息公开引起的行政复议案件2件、行政诉讼案件7件。",
        7,
        f"{R}litigation_direct.total",
        "本年度全市行政诉讼案件 7 件。",
    ),
    "litigation_total_unscoped": (
        "本年度全市行政诉讼案件 7 件。",
        7,
        f"{R}litigation_direct.total",
        "行政复议和行政诉讼 7 件。",
    ),
    "result_upheld": ("涉及政府信息公开的行政复议 4 件，其中维持 3 件。", 3, f"{R}review.upheld", "维持 3 件。"),
    "result_corrected": ("政府信息公开行政复议 4 件，其中纠正 1 件。", 1, f"{R}review.corrected", "纠正 1 件。"),
    "result_other": (
        "政府信息公开行政诉讼 9 件，其他结果 2 件。",
        2,
        f"{R}litigation_direct.other",
        "行政诉讼 9 件，其他结果 2 件。",  # not about information disclosure
    ),
    "result_pending": ("因信息公开被申请行政复议 4 件，尚未审结 1 件。", 1, f"{R}review.pending", "尚未审结 1 件。"),
    "received": ("全年共收到政府信息公开申请 1,525 件。", 1525, f"{A}new_received.total", "收到人大建议 15 件。"),
    "received_before": ("共受理 25 件政府信息公开申请。", 25, f"{A}new_received.total", "共受理 25 件行政许可。"),
    "received_new": ("本年新收 12 件。", 12, f"{A}new_received.total", "本年新收录 12 件。"),
    "received_with_carried_over": (
        "我厅共收到政府信息公开申请752件，上年结转28件，共计780件。",
        780,
        f"{A}carried_over.total",
        "共收到政府信息公开申请752件，办结744件，共计780件。",
    ),
    "handled": ("全年共办理依申请公开件 70 件。", 70, f"{A}total.total", "依法办结行政许可 70 件。"),
    "handled_before": ("答复 70 件政府信息公开申请。", 70, f"{A}total.total", "答复 70 件人大建议。"),
    "handled_bare": ("收到政府信息公开申请 72 件，答复 70 件。", 70, f"{A}total.total", "答复 70 件。"),
    "granted_and_partial": ("予以公开及部分公开 42 件。", 42, f"{A}granted.total", "予以公开率 42%。"),
    "disclosed_including_partial": (
        "公开（含部分公开）30 件。", 30, f"{A}partially_granted.total", "不予公开（含部分公开）30 件。"
    ),
    "granted_including_partial": (
        "予以公开 56 件（含部分公开 4 件）。",
        56,
        f"{A}partially_granted.total",
        "予以公开 56 件（含主动公开）。",
    ),
    "granted": ("予以公开 56 件，占 76.7%。", 56, f"{A}granted.total", "不同意公开 56 件。"),
    "partially_granted": ("部分公开 4 件。", 4, f"{A}partially_granted.total", "部分公开 4 条信息。"),
    "withheld": ("不予公开 3 件。", 3, f"{A}withheld.*.total", "不予公开 3 类。"),
    "unavailable": ("无法提供 9 件。", 9, f"{A}unavailable.*.total", "无法提供约 9 件。"),
    "not_processed": ("不予处理 1 件。", 1, f"{A}not_processed.*.total", "不予处理 1 类。"),
    "other_processing": ("其他处理 5 件。", 5, f"{A}other.*.total", "其他处理 5 次。"),
    "opened": ("答复政府信息公开申请共 7 件，其中公开 6 件。", 6, f"{A}granted.total", "公开 6 件规范性文件。"),
    "natural_person": ("来自公民的申请 71 件。", 71, f"{A}new_received.natural_person", "公民 71 人。"),
    "organisations": ("法人或其他组织申请 34 件。", 34, ORGS[0], "法人 34 家。"),
    "commercial": ("商业企业 1 件。", 1, f"{A}new_received.commercial", "商业企业 1 家。"),
    "research": ("科研机构 2 件。", 2, f"{A}new_received.research", "科研机构 2 家。"),
    "social_org": ("社会公益组织 1 件。", 1, f"{A}new_received.social_org", "社会公益组织 1 个。"),
    "legal_service": ("法律服务机构 3 件。", 3, f"{A}new_received.legal_service", "法律服务机构 3 所。"),
    "regulations_issued": ("全年新增公开市政府规章 1 件。", 1, "active.regulations.issued", "现行有效规章 1 件。"),
    "normative_issued": (
        "本年度制发的规范性文件 77 件。",
        77,
        "active.normative_documents.issued",
        "清理并集中发布现行有效行政规范性文件 393 件。",
    ),
    "regulations_repealed": ("废止规章 2 件。", 2, "active.regulations.repealed", "废止规章 2 项条款。"),
    "normative_repealed": ("废止行政规范性文件 26 件。", 26, "active.normative_documents.repealed", "废止率 26%。"),
    # read with a report of the 2019 template; the near miss with one of 2021
    "regulations_made_2019": ("新制作规章 1 件。", 1, "active.regulations.made", "新制作规章 1 件。"),
    "normative_made_2019": ("制发规范性文件 11 件。", 11, "active.normative_documents.made", "制发规范性文件 11 件。"),
    "regulations_next": ("全年制发规范性文件 3 件、规章 1 件。", 1, "active.regulations.issued", "全年规章 1 件。"),
    "normative_next": (
        "全年新制作并公开规章1件、规范性文件9件。",
        9,
        "active.normative_documents.made",
        "全年新制作并公开规章1件。规范性文件9件。",
    ),
    "repealed_next": (
        "制发税务行政规范性文件5件、废止4件，现行有效38件。",
        4,
        "active.normative_documents.repealed",
        "制发税务行政规范性文件5件。废止4件。",
    ),
    "in_force_next": (
        "制发行政规范性文件11件，废止6件，现行有效87件。",
        87,
        "active.normative_documents.in_force",
        "清理并集中发布现行有效行政规范性文件 393 件，现行有效 87 件。",
    ),
}
TEMPLATE_2019 = {"regulations_made_2019", "normative_made_2019", "normative_next"}


def test_every_phrasing_has_a_case() -> None:
    """Each phrasing has a sentence here, or one in the sentence set that it
    reads (tests/test_claims_sentences.py checks those sentences are read)."""
    rules = {c.phrasing.id for c in load_phrasings().phrasings}
    assert set(PHRASINGS) <= rules
    assert rules - set(PHRASINGS) - STRUCTURAL <= sentence_set_rules()


#: phrasings that claim nothing under their own id (a lead that opens a scope; a
#: 分别 list whose items the lexicon reads), each with its tests in test_claims_sentences.py
STRUCTURAL = {"review_heading", "litigation_heading", "respectively"}


@pytest.mark.parametrize("rule", sorted(PHRASINGS))
def test_phrasing_reads_its_sentence(rule: str) -> None:
    text, value, path, _ = PHRASINGS[rule]
    read = _read(text, tables=_blank("2019" if rule in TEMPLATE_2019 else "2021"))
    assert any(r == rule and v == value and path in paths for r, v, paths in read), read


@pytest.mark.parametrize("rule", sorted(PHRASINGS))
def test_phrasing_leaves_its_near_miss_alone(rule: str) -> None:
    tables = _blank("2019" if rule in TEMPLATE_2019 and not rule.endswith("_2019") else "2021")
    assert [r for r, _, _ in _read(PHRASINGS[rule][3], tables=tables) if r == rule] == []


@pytest.mark.parametrize(
    "text",
    [
        "2023年，我局收到群众来信120封，答复率100%。",
        "予以公开占51.85%，平均答复时间8.57个工作日。",
        "收到政府信息公开申请近300件，予以公开300余件，不予公开300多件。",
        "网站发布信息共 1502 条，粉丝量达 122 万。",
    ],
)
def test_numbers_that_are_not_counts_are_not_claimed(text: str) -> None:
    assert _read(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "予以公开（含部分公开）80 件。",
        "不同意公开 3 件。",
        "不予以公开 3 件。",
        "主动公开 1 件、依申请公开 1 件。",  # neither is a row of table 三
        "清理并集中发布现行有效行政规范性文件 393 件。",  # a stock, not 本年制发
    ],
)
def test_ambiguous_phrases_are_not_claimed(text: str) -> None:
    assert [r for r, _, _ in _read(text) if r in {"granted", "partially_granted", "normative_issued"}] == []


def test_text_inside_a_table_span_is_never_read() -> None:
    text = "予以公开 5 件。\n予以公开\t56\t件\n不予公开 3 件。"
    start = text.index("予以公开\t")
    read = [(r, v) for r, v, _ in _read(text, [(start, start + len("予以公开\t56\t件"))])]
    assert read == [("granted", 5), ("withheld", 3)]


def test_a_sentence_broken_across_lines_is_read_and_located() -> None:
    text = "一、总体情况\n2024 年，全市共受理政府信息公开申请 3119 件，答\n复 3050 件。"
    doc = load_string(text)
    claims = {c.rule: c for c in find_claims(doc, _blank(), []) if isinstance(c, NarrativeClaim)}
    handled = claims["handled_bare"]
    assert (handled.value, handled.quote) == (3050, "答复3050件")
    assert handled.evidence is not None
    assert handled.evidence.line == 2
    assert doc.text[handled.evidence.start : handled.evidence.end] == "答\n复 3050 件"


def test_applicants_follow_the_count_they_break_down() -> None:
    received = {c.rule: c for c in _claims("共收到政府信息公开申请 81 件，涉及自然人 80 件、商业企业 1 件。")}
    assert received["natural_person"].paths == [f"{A}new_received.natural_person"]
    assert received["natural_person"].alt_paths == [f"{A}total.natural_person"]
    handled = {c.rule: c for c in _claims("办理政府信息公开申请 73 件。在已办理回复的 73 件中，来自法人的申请 2 件。")}
    assert handled["organisations"].paths == [p.replace("new_received", "total") for p in ORGS]


def test_review_and_litigation_results_follow_their_total() -> None:
    text = "因政府信息公开引发行政复议 351 件，其中结果维持 72 件；行政诉讼 46 件，其中结果维持 25 件。"
    upheld = [(c.value, c.paths) for c in _claims(text) if c.rule == "result_upheld"]
    assert upheld == [
        (72, [f"{R}review.upheld"]),
        (25, [f"{R}litigation_direct.upheld", f"{R}litigation_after_review.upheld"]),
    ]


def test_a_heading_ends_the_scope() -> None:
    text = "因政府信息公开引发行政复议 3 件。\n（五）其他\n全年维持原状 1 件。"
    assert [r for r, _, _ in _read(text)] == ["review_total"]


def test_years_in_carried_over_phrases_claim_the_report_year() -> None:
    years = {
        (c.rule, c.value)
        for c in _claims("结转2024年继续办理1件。2022年结转过来的申请2件。")
        if c.paths == ["meta.year"]
    }
    assert years == {("carried_forward", 2023), ("carried_over", 2023)}


def test_other_processing_names_the_row_the_parser_read() -> None:
    text = "其他处理 5 件。"
    # dongguan (2021) prints （六）其他处理 as three rows, guangzhou (2019) as one
    (split,) = [c for c in _claims(text, tables=report("dongguan-hrss-2023")) if c.rule == "other_processing"]
    assert split.paths == [f"{A}other.*.total"]
    (single,) = [c for c in _claims(text, tables=report("guangzhou-hrss-2020")) if c.rule == "other_processing"]
    assert single.paths == [f"{A}other.total"]
    # the table's words in the text decide nothing: the parser's reading does
    worded = "其他处理 5 件。\n（六）其他处理\t5\n"
    (c,) = [c for c in _claims(worded, tables=report("dongguan-hrss-2023")) if c.rule == "other_processing"]
    assert c.paths == [f"{A}other.*.total"]
    # tables not found: as the template prints it
    assert _read(text, tables=_blank("2019")) == [("other_processing", 5, [f"{A}other.total"])]


def test_the_template_is_the_one_the_parser_read() -> None:
    # the 2019 table's column words in the text do not make it a 2019 report
    text = "新制作规章 1 件。本年新制作数量 上一年项目数量"
    assert _read(text, tables=_blank("2021")) == []
    assert _read(text, tables=_blank("2019")) == [("regulations_made_2019", 1, ["active.regulations.made"])]
    unknown = Report()
    assert _read("新制作规章 1 件。制发规范性文件 2 件。", tables=unknown) == []


def test_not_given_is_not_read_as_given() -> None:
    assert _read("不予以公开 3 件。") == [("withheld", 3, [f"{A}withheld.*.total"])]
    assert _read("予以公开 5 件，不同意公开 2 件。") == [
        ("granted", 5, [f"{A}granted.total"]),
        ("withheld", 2, [f"{A}withheld.*.total"]),  # 不同意公开: the older word for 不予公开
    ]


def test_reviews_not_said_to_be_about_disclosure_are_a_warning_with_nothing_under_them() -> None:
    text = "全年共受理行政复议申请120件，其中维持80件、纠正10件，自然人申请100件；行政诉讼案件40件。"
    read = _read(text)
    assert read == [
        ("review_total_unscoped", 120, [f"{R}review.total"]),
        ("litigation_total_unscoped", 40, [f"{R}litigation_direct.total", f"{R}litigation_after_review.total"]),
    ]
    # dongguan has one review: a warning, never an error
    found = verify(report("dongguan-hrss-2023"), {}, _claims(text))
    assert {(f.rule, f.severity) for f in found} == {
        ("CLAIM.review_total_unscoped", "warning"),
        ("CLAIM.litigation_total_unscoped", "warning"),
    }
    # said to be about disclosure earlier in the sentence, they are the table's
    scoped = "本年度，因政府信息公开申请引发行政复议 1 件，维持 1 件；行政诉讼 0 件。"
    assert [r for r, _, _ in _read(scoped)] == ["review_total", "result_upheld", "litigation_total"]
    assert verify(report("dongguan-hrss-2023"), {}, _claims(scoped)) == []
    # a count of applications, or the 条例, is not what makes a review about disclosure
    assert _read("共收到政府信息公开申请 20 件；全年共受理行政复议申请 120 件。")[-1][0] == "review_total_unscoped"
    assert _read("依据《政府信息公开条例》，全年共受理行政复议申请120件。")[0][0] == "review_total_unscoped"


def test_applicants_of_a_review_or_lawsuit_are_not_table_three_applicants() -> None:
    dg = report("dongguan-hrss-2023")  # 71 natural persons applied; one asked for review
    for text in (
        "因政府信息公开申请引发行政复议1件，其中自然人申请1件。",
        "因政府信息公开被提起行政诉讼 1 件，为公民提起的 1 件。",
        "全年共受理行政复议申请120件，其中法人或其他组织申请20件。",
    ):
        assert not {"natural_person", "organisations"} & {r for r, _, _ in _read(text, tables=dg)}, text
    text = "因政府信息公开申请引发行政复议1件，其中自然人申请1件。"
    assert [f for f in verify(dg, {}, _claims(text, tables=dg)) if f.severity == "error"] == []
    # a heading ends the review's scope: applicants are read again
    assert ("natural_person", 71, [f"{A}new_received.natural_person"]) in _read(
        "因政府信息公开申请引发行政复议1件。\n（二）依申请公开\n自然人申请 71 件。", tables=dg
    )


@pytest.mark.parametrize(
    ("text", "tables", "expected"),
    [
        (
            "全年新制作并公开规章1件、规范性文件9件。",
            "2019",
            # 新制作并公开 names both columns of the first item; the list goes on in 新制作
            [
                ("active.regulations.made", 1),
                ("active.regulations.published", 1),
                ("active.normative_documents.made", 9),
            ],
        ),
        (
            "全年制发税务行政规范性文件5件、废止4件，现行有效38件。",
            "2021",
            [
                ("active.normative_documents.issued", 5),
                ("active.normative_documents.repealed", 4),
                ("active.normative_documents.in_force", 38),
            ],
        ),
        (
            "制发行政规范性文件11件，废止6件，现行有效87件。",
            "2021",
            [
                ("active.normative_documents.issued", 11),
                ("active.normative_documents.repealed", 6),
                ("active.normative_documents.in_force", 87),
            ],
        ),
        (
            "废止规章 2 件、规范性文件 26 件，现行有效 40 件。",
            "2021",
            [
                ("active.regulations.repealed", 2),
                ("active.normative_documents.repealed", 26),
                ("active.normative_documents.in_force", 40),
            ],
        ),
        # 2019 has no 废止 / 现行有效 column: not read
        ("制作规范性文件 5 件、废止 4 件。", "2019", [("active.normative_documents.made", 5)]),
        # the kind is inherited within the sentence only
        ("制发规范性文件 5 件。废止 4 件，现行有效 38 件。", "2021", [("active.normative_documents.issued", 5)]),
    ],
)
def test_later_items_of_a_list_inherit_what_they_leave_out(
    text: str, tables: Template, expected: list[tuple[str, int]]
) -> None:
    assert [(p, v) for _, v, paths in _read(text, tables=_blank(tables)) for p in paths] == expected


def test_new_and_carried_over_together() -> None:
    text = "2023年，我厅共收到政府信息公开申请752件，上年结转28件，共计780件。"
    assert _read(text)[-1] == (
        "received_with_carried_over",
        780,
        [f"{A}new_received.total", f"{A}carried_over.total"],
    )
    # 共计 not right after the pair is not that sum
    assert "received_with_carried_over" not in {r for r, _, _ in _read("上年结转28件。全年办结744件，共计780件。")}


def test_of_two_readings_the_one_the_tables_bear_out_comes_first() -> None:
    dg = {"applications.new_received.natural_person": 60, "applications.new_received.total": 62}
    text = "办理政府信息公开申请 73 件。自然人申请 {n} 件。"

    def person(n: int, changes: dict[str, int]) -> tuple[list[str], list[str] | None]:
        claims = _claims(text.format(n=n), tables=report("dongguan-hrss-2023", changes))
        (c,) = [c for c in claims if c.rule == "natural_person"]
        return c.paths, c.alt_paths

    total, new = [f"{A}total.natural_person"], [f"{A}new_received.natural_person"]
    assert person(60, dg) == (new, total)  # only 新收 has 60
    assert person(71, dg) == (total, new)  # only （七）总计 has 71: the order of the text
    assert person(71, {}) == (total, new)  # both have 71
    assert person(99, dg) == (total, new)  # neither


def _breakdowns(text: str) -> list[tuple[int, list[int], bool]]:
    return [(b.value, list(b.parts), b.complete) for b in read_narrative(load_string(text), _blank(), []).breakdowns]


def test_breakdowns_in_the_narrative() -> None:
    assert _breakdowns("发布信息共 1502 条，其中政务动态 522 条，公告 597 条，其他信息 383 条。") == [
        (1502, [522, 597, 383], True)
    ]
    # a breakdown of a part, in parentheses, is not a part; 其他处理 is a category, not "the rest"
    assert _breakdowns("答复申请共 7 件，其中公开 6 件（主动公开 1 件、部分公开 4 件），其他处理 1 件。") == [
        (7, [6, 1], False)
    ]
    # a new total ends the list; a percentage is not a part
    assert _breakdowns("行政复议 5 件，其中维持 3 件，占 60%；行政诉讼 2 件，其中维持 2 件。") == [
        (5, [3], False),
        (2, [2], False),
    ]


def test_claims_are_plain_claims_for_the_contract() -> None:
    text = "发布信息共 1502 条，其中政务动态 522 条，其他信息 983 条。予以公开 56 件。"
    narration = read_narrative(load_string(text), _blank(), [])
    (c,) = narration.claims
    assert isinstance(c, Claim)
    dumped = c.to_json()
    assert set(dumped) == {"quote", "paths", "alt_paths", "value", "evidence", "rule", "why"}
    assert dumped["paths"] == [f"{A}granted.total"] and dumped["evidence"]["line"] == 1
    # no tables here: neither reading is borne out, and the claim says so
    assert dumped["why"].startswith("no reading agrees with the tables")
    # the breakdown is not a claim about the tables; the verifier still checks it
    (b,) = narration.breakdowns
    (f,) = verify(report("dongguan-hrss-2023"), {}, narration.claims, narration.breakdowns)
    assert (f.rule, f.severity, f.quote) == ("NARRATIVE-SUM", "error", b.quote)
    assert f.evidence["narrative"].line == 1 and (f.printed, f.computed) == (1502, 1505)


def test_granted_with_its_object_named() -> None:
    """"予以公开政府信息 50 件" names what was disclosed between verb and count."""
    read = _read("予以公开政府信息 50 件。", tables=_blank("2021"))
    assert ("granted", 50, [f"{A}granted.total"]) in [(r, v, list(p)) for r, v, p in read]
    assert [r for r, _, _ in _read("不予以公开政府信息 50 件。", tables=_blank("2021")) if r == "granted"] == []
