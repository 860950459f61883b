"""The ``llm`` backend end to end: the real openai + instructor client over HTTP
to a scripted endpoint on 127.0.0.1 whose answers are the gold tables (or gold
with a number the report does not print)."""

from __future__ import annotations

import copy
import hashlib
import re
from pathlib import Path

import pytest
from conftest import FIXTURES, labelled, leaf_diff, load_gold
from llm_endpoint import MODEL, ScriptedEndpoint, endpoint_fixture, tables_answer  # noqa: F401 (fixture)

from extractor import NotAReport, extract, load_string
from extractor.report import flatten

ALL = labelled(".txt", ".md", ".html", ".pdf")
DONGGUAN = FIXTURES / "reports" / "dongguan-hrss-2023.md"


@pytest.mark.parametrize(("report", "gold"), ALL, ids=[r.stem for r, _ in ALL])
def test_gold_answer_gives_gold_located_and_traced(endpoint: ScriptedEndpoint, report: Path, gold: Path) -> None:
    expected = load_gold(gold)
    endpoint.answer(tables_answer(expected))
    result = extract(report, backend="llm")
    assert leaf_diff(expected, result.to_json()) == []
    assert not [f for f in result.findings if f.rule.startswith("llm.")]
    printed = {p for p, v in result.report.leaves().items() if v is not None}
    assert printed <= set(result.evidence)
    for path in printed:
        ev = result.evidence[path]
        assert ev.text, path
    assert len(endpoint.requests) == 1 and endpoint.requests[0]["model"] == MODEL
    assert result.usage.llm_calls == 1 and result.usage.cache_hits == 0
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (1200, 300)
    prov = result.provenance
    assert prov is not None and prov.backend == "llm" and prov.model == MODEL
    prompt_file = Path(__file__).resolve().parents[1] / "prompts" / "extract_tables.md"
    assert prov.prompt_sha256 == hashlib.sha256(prompt_file.read_bytes()).hexdigest()


PARSER_EXACT = ["dongguan-hrss-2023", "huaian-gov-2024", "synthetic-2021-pdf-dump", "pingtan-gov-2023"]


@pytest.mark.parametrize("name", PARSER_EXACT)
def test_evidence_points_at_the_cell_the_parser_reads(endpoint: ScriptedEndpoint, name: str) -> None:
    """Values are matched in printed order, so a gold answer's evidence is the parser's own."""
    report = next((FIXTURES / "reports").glob(name + ".*"))
    endpoint.answer(tables_answer(load_gold(FIXTURES / "gold" / f"{name}.json")))
    by_llm = extract(report, backend="llm").evidence
    by_parser = extract(report).evidence
    assert {p: (e.start, e.end) for p, e in by_llm.items()} == {p: (e.start, e.end) for p, e in by_parser.items()}
    assert by_llm["applications.total.total"].row == "（七）总计"


def test_only_the_table_sections_are_sent(endpoint: ScriptedEndpoint) -> None:
    endpoint.answer(tables_answer(load_gold(FIXTURES / "gold" / "dongguan-hrss-2023.json")))
    extract(DONGGUAN, backend="llm")
    sent = endpoint.user_message()
    assert re.findall(r"^=== (.+) ===$", sent, re.M) == [
        "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况",
    ]
    assert "行政规范性文件\t4\t3\t57" in sent
    assert "一、总体情况" not in sent and "加大主动公开信息力度" not in sent
    assert len(sent) < len(DONGGUAN.read_text(encoding="utf-8")) / 2


def test_a_number_the_report_does_not_print_is_left_blank_and_flagged(endpoint: ScriptedEndpoint) -> None:
    gold = load_gold(FIXTURES / "gold" / "dongguan-hrss-2023.json")
    answer = tables_answer(copy.deepcopy(gold))
    answer["applications"]["granted"]["natural_person"] = 5454
    answer["active"]["fees"]["amount_10k_yuan"] = 498.0
    endpoint.answer(answer)
    result = extract(DONGGUAN, backend="llm")
    leaves = result.report.leaves()
    assert leaves["applications.granted.natural_person"] is None
    assert leaves["active.fees.amount_10k_yuan"] is None
    assert "applications.granted.natural_person" not in result.evidence
    flagged = {f.paths[0]: f for f in result.findings if f.rule == "llm.unlocated"}
    assert set(flagged) == {"applications.granted.natural_person", "active.fees.amount_10k_yuan"}
    assert flagged["applications.granted.natural_person"].severity == "warning"
    assert "5454" in flagged["applications.granted.natural_person"].message.en
    wrong = {k for k, _, _ in leaf_diff(gold, result.to_json())}
    assert wrong == set(flagged)


def test_a_table_the_text_lacks_stays_null(endpoint: ScriptedEndpoint) -> None:
    text = DONGGUAN.read_text(encoding="utf-8")
    cut = load_string(text[: text.index("#### 四、政府信息公开行政复议")], name="cut.md")
    endpoint.answer(tables_answer(load_gold(FIXTURES / "gold" / "dongguan-hrss-2023.json")))
    result = extract(cut, backend="llm")
    assert result.report.review_litigation is None
    assert "四、" not in "".join(re.findall(r"^=== (.+) ===$", endpoint.user_message(), re.M))
    unlocated = {f.paths[0] for f in result.findings if f.rule == "llm.unlocated"}
    assert unlocated == {p for p in flatten(load_gold(FIXTURES / "gold" / "dongguan-hrss-2023.json")) if "review" in p}


def test_json_mode_for_servers_without_tool_calls(endpoint: ScriptedEndpoint, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIANBAO_LLM_MODE", "json")
    gold = load_gold(FIXTURES / "gold" / "synthetic-2019-yuan-signed.json")
    endpoint.answer(tables_answer(gold))
    result = extract(next((FIXTURES / "reports").glob("synthetic-2019-yuan-signed.*")), backend="llm")
    assert leaf_diff(gold, result.to_json()) == []
    request = endpoint.requests[0]
    assert request["response_format"] == {"type": "json_object"} and "tools" not in request


def test_no_table_no_request(endpoint: ScriptedEndpoint) -> None:
    with pytest.raises(NotAReport):
        extract(load_string("今天天气很好。\n共有 3 个人参加。\n", name="prose.txt"), backend="llm")
    assert endpoint.requests == []


