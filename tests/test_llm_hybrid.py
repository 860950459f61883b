"""The ``hybrid`` backend: the parser reads the report, the model is asked only
for the cells the parser's warnings name, over real HTTP to a scripted endpoint."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from conftest import FIXTURES, leaf_diff, load_gold
from llm_endpoint import MODEL, ScriptedEndpoint, endpoint_fixture  # noqa: F401 (fixture)

from extractor import extract, load_string
from extractor.llm.backend import estimated_tokens
from extractor.report import flatten

DONGGUAN = FIXTURES / "reports" / "dongguan-hrss-2023.md"
GOLD = load_gold(FIXTURES / "gold" / "dongguan-hrss-2023.json")
GRANTED = [f"applications.granted.{c}" for c in GOLD["applications"]["granted"]]
PATH = re.compile(r"^((?:active|applications|review_litigation)\.\S+)\t", re.M)


def _unplaced_granted_row() -> str:
    """Dongguan with a stray eighth value on the （一）予以公开 row: the parser cannot place it."""
    text = DONGGUAN.read_text(encoding="utf-8")
    row = "(一) 予以公开\t54\t2\t0\t0\t0\t0\t56\t"
    assert text.count(row) == 1
    return text.replace(row, row + "9\t")


def _answer(paths: list[str], **values: int | None) -> dict[str, object]:
    gold = flatten(GOLD)
    return {"values": [{"path": p, "value": values.get(p.rsplit(".", 1)[1], gold[p])} for p in paths]}


def test_asks_only_for_the_cells_the_parser_could_not_read(endpoint: ScriptedEndpoint) -> None:
    doc = load_string(_unplaced_granted_row(), name="dongguan-stray.md")
    parsed_alone = extract(doc)
    assert {f.rule for f in parsed_alone.findings if f.paths == GRANTED} == {"parse.unplaced"}
    endpoint.answer(_answer(GRANTED))
    result = extract(doc, backend="hybrid")

    asked = endpoint.user_message()
    assert PATH.findall(asked) == GRANTED
    assert re.findall(r"^=== (.+) ===$", asked, re.M) == ["三、收到和处理政府信息公开申请情况"]
    assert endpoint.requests[0]["tool_choice"]["function"]["name"] == "GapAnswer"
    assert leaf_diff(GOLD, result.to_json()) == []
    granted = result.evidence["applications.granted.natural_person"]
    assert (granted.text, granted.row, granted.col) == ("54", "（一）予以公开", "自然人")
    assert "予以公开" in doc.text[doc.line_at(granted.start).start : granted.start]  # type: ignore[union-attr]
    filled = [f for f in result.findings if f.rule == "llm.filled"]
    assert len(filled) == 1 and filled[0].paths == GRANTED and filled[0].severity == "info"
    # Everything else is the parser's own reading.
    assert {p: e for p, e in result.evidence.items() if p not in GRANTED} == parsed_alone.evidence
    prompt_file = Path(__file__).resolve().parents[1] / "prompts" / "fill_gaps.md"
    assert result.provenance is not None and result.provenance.model == MODEL
    assert result.provenance.prompt_sha256 == hashlib.sha256(prompt_file.read_bytes()).hexdigest()
    assert result.usage.llm_calls == 1


def test_over_the_token_budget_only_the_rows_around_the_gap_are_sent(
    endpoint: ScriptedEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = load_string(_unplaced_granted_row(), name="dongguan-stray.md")
    endpoint.answer(_answer(GRANTED))
    extract(doc, backend="hybrid")
    whole = endpoint.user_message()
    monkeypatch.setenv("NIANBAO_LLM_MAX_INPUT_TOKENS", "500")
    endpoint.answer(_answer(GRANTED))
    result = extract(doc, backend="hybrid")
    sent = endpoint.user_message()
    assert estimated_tokens(sent) <= 500 < estimated_tokens(whole)
    assert PATH.findall(sent) == GRANTED and "自然人" in sent  # the cells and the column header
    lines = sent.splitlines()
    assert any(ln.startswith("二、上年结转") for ln in lines) and any("(二) 部分公开" in ln for ln in lines)
    assert "(一) 予以公开\t54\t2\t0\t0\t0\t0\t56\t9" in sent  # the unplaced row, whole
    assert "(七) 总计" not in sent and "信访举报" not in sent  # the rest of the table is not sent
    assert leaf_diff(GOLD, result.to_json()) == []
    assert not [f for f in result.findings if f.rule == "llm.truncated"]
    monkeypatch.setenv("NIANBAO_LLM_MAX_INPUT_TOKENS", "200")  # not even the region fits: cut, and said so
    endpoint.answer(_answer(GRANTED))
    result = extract(doc, backend="hybrid")
    assert estimated_tokens(endpoint.user_message()) <= 200
    assert [f.severity for f in result.findings if f.rule == "llm.truncated"] == ["warning"]


def test_unprinted_or_unasked_values_are_not_taken(endpoint: ScriptedEndpoint) -> None:
    doc = load_string(_unplaced_granted_row(), name="dongguan-stray.md")
    answer = _answer(GRANTED, commercial=2222)
    answer["values"].append({"path": "applications.total.total", "value": 1})  # type: ignore[attr-defined]
    endpoint.answer(answer)
    result = extract(doc, backend="hybrid")
    leaves = result.report.leaves()
    assert leaves["applications.granted.commercial"] is None
    assert leaves["applications.granted.total"] == 56
    assert leaves["applications.total.total"] == 73  # the parser's reading stands
    unlocated = [f for f in result.findings if f.rule == "llm.unlocated"]
    assert [f.paths for f in unlocated] == [["applications.granted.commercial"]]


def test_rows_a_template_table_does_not_print_are_not_asked_for(endpoint: ScriptedEndpoint) -> None:
    """The parser read the table in the template's layout, so its missing rows are not printed: nothing to ask."""
    name = "synthetic-2021-missing-rows"
    report = next((FIXTURES / "reports").glob(name + ".*"))
    gold = load_gold(FIXTURES / "gold" / f"{name}.json")
    assert [f for f in extract(report).findings if f.rule == "parse.row_missing"]
    result = extract(report, backend="hybrid")
    assert endpoint.requests == [] and result.usage.llm_calls == 0
    assert leaf_diff(gold, result.to_json()) == []


def test_missing_rows_are_asked_for_beside_unplaced_ones(endpoint: ScriptedEndpoint) -> None:
    """A table with an unplaced row is not in the template's layout: its missing rows are asked for too."""
    text = (FIXTURES / "reports" / "synthetic-2021-missing-rows.html").read_text(encoding="utf-8")
    missing = [p for f in extract(load_string(text, name="m.html")).findings if f.rule == "parse.row_missing"
               for p in f.paths]
    row = "<td>1</td><td>0</td><td>18</td></tr>"
    assert text.count(row) == 1
    doc = load_string(text.replace(row, row[:-5] + "<td>9</td></tr>"), name="m.html")
    endpoint.answer({"values": []})
    extract(doc, backend="hybrid")
    assert set(missing) | set(GRANTED) == set(PATH.findall(endpoint.user_message()))


def test_nothing_to_ask_no_request(endpoint: ScriptedEndpoint) -> None:
    result = extract(DONGGUAN, backend="hybrid")
    assert endpoint.requests == []
    assert result.to_json() | {"usage": None, "provenance": None} == extract(DONGGUAN).to_json() | {
        "usage": None, "provenance": None,
    }
    assert result.usage.llm_calls == 0 and result.provenance is not None and result.provenance.model is None
