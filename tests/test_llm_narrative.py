"""The model's reading of the narrative (NIANBAO_LLM_NARRATIVE=1, llm/hybrid
backends), over real HTTP to a scripted endpoint: proposed claims are kept only
when grounded in the narrative, added only when the deterministic reader did not
make them, and disagree with the tables at warning level only."""

from __future__ import annotations

import pytest
from conftest import FIXTURES
from llm_endpoint import ScriptedEndpoint, endpoint_fixture  # noqa: F401 (fixture)

from extractor import extract, load_string

DONGGUAN = (FIXTURES / "reports" / "dongguan-hrss-2023.md").read_text(encoding="utf-8")
EXTRA = "本年度，来自商业企业的咨询较多，其中涉及社保的两类问题共 9 次。"


def _doc() -> str:
    """Dongguan with one sentence the deterministic reader does not claim."""
    intro = DONGGUAN.index("一、总体情况")
    line_end = DONGGUAN.index("\n", intro)
    return DONGGUAN[: line_end + 1] + EXTRA + "\n" + DONGGUAN[line_end + 1 :]


def test_grounded_claims_are_added_and_the_rest_dropped(
    endpoint: ScriptedEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NIANBAO_LLM_NARRATIVE", "1")
    doc = load_string(_doc(), name="dongguan-extra.md")
    alone = extract(doc)
    proposed = [
        # in the text, value in the quote, canonical paths: kept (and wrong: a warning)
        {"quote": "共 9 次", "value": 9, "paths": ["applications.new_received.commercial"]},
        # the deterministic reader already made it: not added twice
        {"quote": "依法依规办理回复政府信息公开申请73件", "value": 73, "paths": ["applications.total.total"]},
        # not in the text
        {"quote": "收到政府信息公开申请 999 件", "value": 999, "paths": ["applications.new_received.total"]},
        # the value is not printed in the quote
        {"quote": "共 9 次", "value": 10, "paths": ["applications.new_received.commercial"]},
        # no such cell
        {"quote": "共 9 次", "value": 9, "paths": ["applications.nonsense.total"]},
    ]
    endpoint.answer({"claims": proposed})
    result = extract(doc, backend="hybrid")  # nothing for hybrid to fill: one request, the narrative
    assert len(endpoint.requests) == 1
    assert endpoint.requests[0]["tool_choice"]["function"]["name"] == "NarrativeAnswer"
    asked = endpoint.user_message()
    assert EXTRA in asked and "(一) 予以公开\t54" not in asked  # the narrative only, not the tables
    added = [c for c in result.claims if c not in alone.claims]
    assert [(c.quote, c.value) for c in added] == [("共 9 次", 9)]
    (claim,) = added
    assert claim.evidence is not None and doc.text[claim.evidence.start : claim.evidence.end] == "共 9 次"
    (finding,) = [f for f in result.findings if f.quote == "共 9 次"]
    assert (finding.rule, finding.severity) == ("CLAIM.llm.narrative", "warning")
    assert [f for f in result.findings if f.severity == "error"] == []


def test_off_by_default_no_request(endpoint: ScriptedEndpoint) -> None:
    result = extract(load_string(_doc(), name="dongguan-extra.md"), backend="hybrid")
    assert endpoint.requests == []
    assert all(c.to_json().get("rule") != "llm.narrative" for c in result.claims)
