"""Variations seen in real reports, built from the fixtures: the parser takes
each in stride, and what it cannot place it leaves blank and reports."""

from __future__ import annotations

import copy
import itertools
import re
from typing import Any

import pytest
from conftest import FIXTURES, blanks_only, leaf_diff, load_gold
from variants import (
    drawn,
    html_nested,
    html_page,
    layout_text,
    markdown,
    markdown_merged_as_empty,
    markdown_with_html,
    with_holes,
)

from extractor.load import load_bytes
from extractor.parse.parser import Parsed, parse
from extractor.template import APPLICANT_COLUMNS

DONGGUAN = (FIXTURES / "reports" / "dongguan-hrss-2023.md").read_text(encoding="utf-8")
GUANGZHOU = (FIXTURES / "reports" / "guangzhou-hrss-2020.txt").read_text(encoding="utf-8")
DONGGUAN_GOLD = load_gold(FIXTURES / "gold" / "dongguan-hrss-2023.json")
GUANGZHOU_GOLD = load_gold(FIXTURES / "gold" / "guangzhou-hrss-2020.json")


def parsed(text: str, name: str = "x.md") -> Parsed:
    return parse(load_bytes(text.encode("utf-8"), name))


def canonical(text: str, name: str = "x.md") -> dict[str, Any]:
    return parsed(text, name).report.to_canonical()


def rules(p: Parsed) -> list[str]:
    return [f.rule for f in p.findings]


def test_typo_in_row_label() -> None:
    text = DONGGUAN.replace("2. 其他法律行政法规禁止公开", "2. 其他法律行政止公开")
    assert text != DONGGUAN
    assert leaf_diff(DONGGUAN_GOLD, canonical(text)) == []


def test_extra_total_row_is_ignored_and_reported() -> None:
    row = "(七) 总计\t71\t2\t0\t0\t0\t0\t73\t\t"
    text = DONGGUAN.replace(row, row + "\n合计\t\t99\t2\t0\t0\t0\t0\t101")
    p = parsed(text)
    assert leaf_diff(DONGGUAN_GOLD, p.report.to_canonical()) == []
    assert "parse.extra_row" in rules(p)


def test_other_as_one_row_in_a_2021_report() -> None:
    start = DONGGUAN.index("\t(六) 其他处理")
    end = DONGGUAN.index("(七) 总计")
    text = DONGGUAN[:start] + "\t(六) 其他处理\t5\t0\t0\t0\t0\t0\t5\n" + DONGGUAN[end:]
    gold = copy.deepcopy(DONGGUAN_GOLD)
    gold["applications"]["other"] = dict.fromkeys(APPLICANT_COLUMNS, 0) | {"natural_person": 5, "total": 5}
    got = canonical(text)
    assert got["meta"]["template"] == "2021"
    assert leaf_diff(gold, got) == []


def test_signed_changes_and_amounts_in_yuan() -> None:
    text = GUANGZHOU.replace("27 0 28059805", "27 +5 28059805").replace("行政处罚 55 0 0", "行政处罚 55 -3 0")
    text = text.replace("政府集中采购 8 163.29万元", "政府集中采购 8 1632900元")
    gold = copy.deepcopy(GUANGZHOU_GOLD)
    gold["active"]["other_services"]["change"] = 5
    gold["active"]["punishment"]["change"] = -3
    assert leaf_diff(gold, canonical(text, "x.txt")) == []


def test_fee_column_in_yuan_and_thousands_separators() -> None:
    text = DONGGUAN.replace("本年收费金额（单位：万元）", "本年收费金额（单位：元）").replace("\t498.8", "\t4,988,000")
    text = text.replace("行政许可\t1582", "行政许可\t1,582")
    assert leaf_diff(DONGGUAN_GOLD, canonical(text)) == []


def test_subtotal_column_for_legal_persons() -> None:
    """8 value columns: 法人或其他组织 has its own 小计 column, which is not canonical."""
    md = markdown(DONGGUAN_GOLD)
    md = md.replace("| 其他 | 总计 |", "| 其他 | 小计 | 总计 |").replace("|---|---|---|---|---|---|---|---|---|---|",
                                                                   "|---|" * 11)

    def add_subtotal(m: re.Match[str]) -> str:
        nums = m.group(2).split(" | ")
        sub = sum(int(n) for n in nums[1:6])
        return m.group(1) + " | ".join([*nums[:6], str(sub), nums[6]]) + " |"

    md = re.sub(r"^(\| [^|]*\| [^|]*\| [^|]*\| )((?:\d+ \| ){6}\d+) \|$", add_subtotal, md, flags=re.M)
    assert md.count("小计") == 1 and re.search(r"\| 71 \| 2 \| 0 \| 0 \| 0 \| 0 \| 2 \| 73 \|", md)
    assert leaf_diff(DONGGUAN_GOLD, canonical(md)) == []


def test_blank_column_and_slash_cells_are_null() -> None:
    gold = copy.deepcopy(DONGGUAN_GOLD)

    def blank(node: dict[str, Any]) -> None:
        for k, v in node.items():
            if isinstance(v, dict):
                blank(v)
            elif k == "research":
                node[k] = None

    blank(gold["applications"])
    gold["review_litigation"]["review"]["pending"] = None
    for render, name in ((html_page, "x.html"), (markdown, "x.md")):
        assert leaf_diff(gold, canonical(render(gold), name)) == [], name


def test_word_html_with_every_character_in_a_span() -> None:
    page = html_page(DONGGUAN_GOLD)

    def spans(m: re.Match[str]) -> str:
        return m.group(1) + "\n".join(f"<span style='x'>{c}</span>" for c in m.group(2)) + "</td>"

    word = re.sub(r"(<td[^>]*>)([^<]+)</td>", spans, page)
    assert "<span style='x'>7</span>\n<span style='x'>1</span>" in word
    assert leaf_diff(DONGGUAN_GOLD, canonical(word, "x.htm")) == []


def test_running_header_and_page_number_inside_table() -> None:
    text = GUANGZHOU.replace("（五）\n\n不予", "- 4 -\n\n第 4 页 共 6 页\n\n（五）\n\n不予")
    assert text != GUANGZHOU
    assert leaf_diff(GUANGZHOU_GOLD, canonical(text, "x.txt")) == []


def test_wrong_value_count_is_left_blank_and_reported() -> None:
    """A row missing one printed value cannot be placed: blank + parse.unplaced, never shifted."""
    text = GUANGZHOU.replace("（一）予以公开 15 0 0 0 0 0 15", "（一）予以公开 15 0 0 0 0 15")
    p = parsed(text, "x.txt")
    granted = p.report.to_canonical()["applications"]["granted"]
    assert set(granted.values()) == {None}
    unplaced = [f for f in p.findings if f.rule == "parse.unplaced"]
    assert unplaced and "applications.granted.total" in unplaced[0].paths


def test_missing_table_is_null_with_a_finding() -> None:
    start = GUANGZHOU.index("四、政府信息公开行政复议")
    end = GUANGZHOU.index("五、存在的主要问题")
    p = parsed(GUANGZHOU[:start] + GUANGZHOU[end:], "x.txt")
    assert p.report.review_litigation is None
    missing = [f for f in p.findings if f.rule == "parse.table_missing"]
    assert [f.paths for f in missing] == [["review_litigation"]]


def test_evidence_points_at_the_printed_cell() -> None:
    p = parsed(DONGGUAN)
    doc_text = load_bytes(DONGGUAN.encode("utf-8"), "x.md").text
    ev = p.evidence["applications.granted.total"]
    assert doc_text[ev.start : ev.end] == "56" == ev.text
    assert DONGGUAN.splitlines()[ev.line - 1].startswith("三、本年度办理结果\t(一) 予以公开")
    assert ev.col == "总计" and "予以公开" in (ev.row or "")
    assert len(p.evidence) == sum(1 for v in p.report.leaves().values() if v is not None)


def test_title_wrapped_mid_word_still_names_agency_and_year() -> None:
    text = GUANGZHOU.replace("广州市人力资源和社会保障局\n2020 年政府信息公开工作年度报告",
                             "2020 年广州市人力资源和社会保障局政府信息公开工作年度报\n告")
    assert text != GUANGZHOU
    meta = canonical(text, "x.txt")["meta"]
    assert (meta["agency"], meta["year"]) == ("广州市人力资源和社会保障局", 2020)


def test_report_pasted_twice_is_read_once_and_reported() -> None:
    p = parsed(GUANGZHOU + "\n" + GUANGZHOU, "x.txt")
    assert leaf_diff(GUANGZHOU_GOLD, p.report.to_canonical()) == []
    (repeated,) = [f for f in p.findings if f.rule == "parse.repeated_section"]
    assert set(repeated.paths) == {"active", "applications", "review_litigation"}


def test_page_number_under_a_row_is_not_a_value() -> None:
    """pdftotext -layout prints the page number alone under the page's last row."""
    row = "（一）予以公开 15 0 0 0 0 0 15"
    with_ff = GUANGZHOU.replace(row, row + "\n\n                    3\n\f")
    without_ff = GUANGZHOU.replace(row, row + "\n\n                    3\n")
    for text in (with_ff, without_ff):
        assert text != GUANGZHOU
        assert leaf_diff(GUANGZHOU_GOLD, canonical(text, "x.txt")) == []


def test_wrapped_labels_cut_short_still_name_their_rows() -> None:
    text = GUANGZHOU.replace("4.无正当理由大\n\n量反复申请", "4.无正当理由大量反\n\n复申请").replace(
        "行政事业性收费 7 0", "行政事业性收 7 0\n费")
    assert text.count("大量反\n") == 1 and "行政事业性收 7 0" in text
    assert leaf_diff(GUANGZHOU_GOLD, canonical(text, "x.txt")) == []


def test_page_heading_beats_a_shortened_html_title() -> None:
    short = "<title>2023年人力资源和社会保障局"
    page = html_page(DONGGUAN_GOLD).replace("<title>2023年东莞市人力资源和社会保障局", short)
    assert short in page
    assert canonical(page, "x.html")["meta"]["agency"] == "东莞市人力资源和社会保障局"


def test_numbered_narrative_points_are_not_section_headings() -> None:
    """"四是…行政复议…纠正" and "五是…问题" in 总体情况 must not start tables 四 and 五."""
    point = "四是依法做好行政复议应诉工作，及时纠正不当答复。五是查找问题，持续改进。"
    text = DONGGUAN.replace("### (二)加强信息发布规范管理", point + "\n\n### (二)加强信息发布规范管理")
    text = text.replace("### （二）加强信息发布规范管理", point + "\n\n### （二）加强信息发布规范管理")
    assert point in text
    p = parsed(text)
    assert leaf_diff(DONGGUAN_GOLD, p.report.to_canonical()) == []
    assert not [f for f in p.findings if f.rule.startswith("parse.")]


def test_markdown_rows_without_outer_pipes() -> None:
    """GFM allows pipe tables with no leading and/or trailing pipe."""
    md = markdown(DONGGUAN_GOLD)
    no_trailing = "\n".join(ln[:-2] if ln.startswith("|") and ln.endswith(" |") else ln for ln in md.splitlines())
    no_outer = "\n".join(ln[2:] if ln.startswith("| ") else ln for ln in no_trailing.splitlines())
    assert "\n| " not in no_outer and " |\n" not in no_trailing
    for text in (no_trailing, no_outer):
        assert leaf_diff(DONGGUAN_GOLD, canonical(text)) == []


def test_second_report_in_the_file_does_not_leak_into_the_first() -> None:
    dongguan_tail = DONGGUAN.replace("2024年1月19日", "2024年2月2日")
    p = parsed(GUANGZHOU + "\n" + dongguan_tail, "x.txt")
    assert p.report.meta.published is None  # guangzhou prints no date; dongguan's is not its
    assert p.table_spans[-1] == (p.table_spans[-1][0], len(GUANGZHOU + "\n" + dongguan_tail))
    start = p.table_spans[-1][0]
    assert (GUANGZHOU + "\n" + dongguan_tail)[start:].lstrip("#( ").startswith("一、总体情况")


def test_row_label_cut_by_a_page_break() -> None:
    """Word lets a row break across pages: the label's rest stands on the next page,
    beside empty cells (a grid) or alone (text); the row is read whole, once."""
    head, rest = "2.申请人逾期", "未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"
    page = html_page(DONGGUAN_GOLD)
    grid_row = f"<tr><td>{head}{rest}</td>" + "<td>0</td>" * 7 + "</tr>"
    assert grid_row in page
    cut = f"<tr><td>{head}</td>" + "<td>0</td>" * 7 + f"</tr><tr><td>{rest}</td>" + "<td></td>" * 7 + "</tr>"
    text_row = "\t\t2. 申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请\t0\t0\t0\t0\t0\t0\t0"
    assert text_row in DONGGUAN
    # The merged label cells beside the group grow by the row the break adds.
    page = page.replace('rowspan="22">三、', 'rowspan="23">三、').replace('rowspan="3">（六）', 'rowspan="4">（六）')
    for text, name in ((page.replace(grid_row, cut), "x.html"),
                       (DONGGUAN.replace(text_row, "\t\t2. 申请人逾期\t0\t0\t0\t0\t0\t0\t0\n" + rest), "x.md")):
        p = parsed(text, name)
        assert leaf_diff(DONGGUAN_GOLD, p.report.to_canonical()) == [], name
        assert not [f for f in p.findings if f.rule.startswith("parse.")], name


def test_blank_cells_of_a_header_row_do_not_shift_the_data_row() -> None:
    """A header row split by a page break ends in blank cells; they are not values."""
    page = html_page(DONGGUAN_GOLD)
    data_row = "<tr>" + "".join(f"<td>{v}</td>" for v in [1, 0, 0, 0, 1] + [0] * 10) + "</tr>"
    assert data_row in page
    cut_header = "<tr>" + "<td>持</td><td>正</td><td>果</td><td>结</td><td></td>" * 3 + "</tr>"
    p = parsed(page.replace(data_row, cut_header + data_row), "x.html")
    assert leaf_diff(DONGGUAN_GOLD, p.report.to_canonical()) == []


def test_blank_merged_cell_is_one_blank_value() -> None:
    """A blank cell merged over two grid columns counts once, like a filled one."""
    gold = copy.deepcopy(DONGGUAN_GOLD)
    gold["active"]["normative_documents"]["repealed"] = None
    row = "<td>行政规范性文件</td><td>4</td><td>3</td><td>57</td>"
    merged = '<td>行政规范性文件</td><td>4</td><td colspan="2"></td><td>57</td>'
    page = html_page(DONGGUAN_GOLD)
    assert row in page
    assert leaf_diff(gold, canonical(page.replace(row, merged), "x.html")) == []


# --- rows with blank cells and tables in other dialects (issue 16, classes 1 and 7) ----

_COMPLETE = [g for g in sorted((FIXTURES / "gold").glob("*.json"))
             if all(load_gold(g)[t] is not None for t in ("active", "applications", "review_litigation"))]
DIALECTS = {
    "layout-text": (layout_text, ".txt"),
    "box-drawn": (lambda g: drawn(g, "box"), ".txt"),
    "ascii-drawn": (lambda g: drawn(g, "ascii"), ".md"),
    "markdown-raw-html": (markdown_with_html, ".md"),
    "markdown-merged-as-empty": (markdown_merged_as_empty, ".md"),
    "html-empty-td": (html_page, ".html"),
    "html-nested": (html_nested, ".html"),
}


@pytest.mark.parametrize("dialect", list(DIALECTS))
def test_every_gold_with_blank_cells_in_every_dialect(dialect: str) -> None:
    """Every complete gold with one blank cell in each table row (so no row prints all
    its columns), in each dialect: the values stay in their columns, blanks are null."""
    render, suffix = DIALECTS[dialect]
    wrong = {}
    for path in _COMPLETE:
        gold = with_holes(load_gold(path))
        got = canonical(render(gold), path.stem + suffix)
        if diff := leaf_diff(gold, got):
            wrong[path.stem] = diff
    blanks_only(f"{dialect}-holes", [d for diff in wrong.values() for d in diff])


def test_only_a_text_that_may_draw_a_rule_is_walked_for_one() -> None:
    """The whole-text test never misses a drawn rule (a line of rule characters with a
    drawn one), and lets a stray drawn character through without a walk."""
    from extractor.load.text_tables import _DRAWN, _is_rule, _may_draw

    texts = ["+--+", "  ┼──┼  \n", "a\n|---|---|\n", "x\n=+=\n", "阅读量超 10万+\n", "3 + 4", "+\n-\n-"]
    for text in texts:
        drawn = any(_is_rule(ln) and not _DRAWN.isdisjoint(ln) for ln in text.split("\n"))
        assert _may_draw(text) or not drawn, text
    assert [_may_draw(t) for t in texts] == [True, True, False, True, False, True, False]


def test_drawn_table_rows_wrapped_inside_their_cells_are_one_row() -> None:
    doc = load_bytes(drawn(with_holes(DONGGUAN_GOLD), "box").encode("utf-8"), "x.txt")
    rows = [ln for ln in doc.lines if ln.cells and ln.cells[0].text.startswith("(六)其他处理1.申请人无正当")]
    assert len(rows) == 1 and "\n" in rows[0].text
    assert rows[0].cells is not None and rows[0].cells[0].text == (
        "(六)其他处理1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请")


def test_layout_text_blank_cells_are_placed_by_character_column() -> None:
    gold = with_holes(DONGGUAN_GOLD)
    doc = load_bytes(layout_text(gold).encode("utf-8"), "x.txt")
    granted = next(ln for ln in doc.lines if ln.text.startswith("(一)予以公开"))
    assert [c.text for c in granted.cells or ()] == ["(一)予以公开", "54", "2", "", "0", "0", "0", "56"]
    p = parse(doc)
    ev = p.evidence["applications.granted.total"]
    assert doc.text[ev.start : ev.end] == "56" and not [f for f in p.findings if f.rule == "parse.unplaced"]


def test_display_columns_without_unicodedata_agree_with_it() -> None:
    """Layout text is measured in display columns; the width of the characters the
    shortcut covers (every BMP character its pattern accepts) is unicodedata's."""
    from extractor.document import Line
    from extractor.load.text_tables import _SURE, _width, _Widths

    covered = "".join(ch for ch in map(chr, range(0x10000)) if _SURE.fullmatch(ch) and ch != "\n")
    assert len(covered) > 30000
    cols = _Widths(covered).at(Line(1, 0, len(covered), covered), range(len(covered) + 1))
    assert [b - a for a, b in itertools.pairwise(cols)] == [_width(ch) for ch in covered]
    mixed = "表 1\u303f二"  # U+303F is narrow though among CJK punctuation: left to unicodedata
    assert _Widths(mixed).at(Line(1, 0, 5, mixed), range(6)) == [0, 2, 3, 4, 5, 7]
    assert _Widths(mixed).at(Line(1, 0, 5, mixed), [1, 4]) == [2, 5]  # any offsets, in order


def test_one_space_text_is_not_read_by_position() -> None:
    """Text whose values are one space apart carries no column positions: a row
    missing a value stays unplaced, never shifted (see the test above it)."""
    text = GUANGZHOU.replace("（一）予以公开 15 0 0 0 0 0 15", "（一）予以公开 15 0 0 0 0 15")
    doc = load_bytes(text.encode("utf-8"), "x.txt")
    assert not any(ln.cells for ln in doc.lines if "予以公开" in ln.text)


def test_markdown_merged_cells_as_empty_columns_do_not_shift_a_trailing_blank() -> None:
    """A row whose label columns are empty and whose last cell is blank: counting
    values would shift it one column; its header places it."""
    gold = copy.deepcopy(DONGGUAN_GOLD)
    gold["applications"]["new_received"]["total"] = None
    gold["review_litigation"]["litigation_after_review"]["total"] = None
    assert leaf_diff(gold, canonical(markdown_merged_as_empty(gold))) == []
