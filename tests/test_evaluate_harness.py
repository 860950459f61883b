"""The harness with stand-in backends: perfect, deliberately broken, crashing; mutation
counting; gates; and the HTML/Markdown report's per-cell diff."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from extractor.document import Document
from extractor.evaluate.harness import EvalRun, Extractor, Gates, evaluate, gate_failures
from extractor.evaluate.report import to_html, to_markdown, write_report
from extractor.parse.parser import parse

FIXTURES = Path(__file__).resolve().parents[1] / "eval" / "fixtures"
GBK = "synthetic-2021-gbk"


def _gold(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "gold" / f"{name}.json").read_text(encoding="utf-8"))
    return data


def oracle(doc: Document) -> dict[str, Any]:
    """A backend that knows the answers."""
    return copy.deepcopy(_gold(Path(doc.source).stem))


def parsed(doc: Document) -> dict[str, Any]:
    """The parser alone, with its evidence (no claims, no verifier)."""
    p = parse(doc)
    out = p.report.to_canonical()
    out["evidence"] = {k: v.to_json() for k, v in p.evidence.items()}
    return out


def broken(doc: Document) -> dict[str, Any]:
    """The parser, then two cells spoiled: one value changed, one dropped (with its evidence)."""
    out = parsed(doc)
    out["applications"]["granted"]["total"] += 1
    out["applications"]["unavailable"]["not_held"]["commercial"] = None
    del out["evidence"]["applications.unavailable.not_held.commercial"]
    return out


def test_a_perfect_backend_scores_everything() -> None:
    run = evaluate(FIXTURES, oracle, only="synthetic-*")
    c = run.counts
    assert len(run.reports) == len(list((FIXTURES / "gold").glob("synthetic-*.json"))) > 12 and run.failed == 0
    assert c.accuracy == c.precision == c.recall == c.f1 == 1.0
    assert run.claims_recall == 1.0 and run.findings_recall == 1.0
    assert run.total("findings.false_alarms") == 0
    assert run.docs_per_second and run.docs_per_second > 0
    assert run.usage() is None  # no LLM, no usage figures
    assert gate_failures(run, Gates(100, 100, 0, None)) == []


@pytest.fixture(scope="module")
def broken_run() -> EvalRun:
    return evaluate(FIXTURES, broken, only=GBK)


def test_a_broken_backend_is_diffed_cell_by_cell(broken_run: EvalRun) -> None:
    (r,) = broken_run.reports
    assert [(m.path, m.gold, m.got) for m in r.leaves.mismatches] == [
        ("applications.granted.total", 7, 8), ("applications.unavailable.not_held.commercial", 1, None)]
    src = r.sources["applications.granted.total"]
    assert src.exact and src.text == "(一)予以公开 7 0 0 0 0 0 7" and src.mark == (20, 21)
    # The dropped value has no evidence of its own: the row's line stands in.
    row = r.sources["applications.unavailable.not_held.commercial"]
    assert not row.exact and row.mark is None and row.text == "4 1 0 0 0 0 5"
    assert r.claims.gold == 3 and r.claims.found == 0  # this backend finds no claims


def test_html_report_shows_path_gold_got_and_source_line(broken_run: EvalRun, tmp_path: Path) -> None:
    page = to_html(broken_run)
    assert "<code>applications.granted.total</code><td class=gold>7<td class=got>8" in page
    assert "<mark>7</mark>" in page and "line " in page
    assert "<td class=got>null" in page and "(same row)" in page
    out = tmp_path / "eval-report.html"
    write_report(broken_run, out)
    assert out.read_text(encoding="utf-8") == page


def test_markdown_report_shows_the_same_diff(broken_run: EvalRun, tmp_path: Path) -> None:
    md = to_markdown(broken_run)
    assert "| `applications.granted.total` | 7 | 8 | line " in md and "**7**" in md
    assert "missed claim: 全年共收到政府信息公开申请19件" in md
    write_report(broken_run, tmp_path / "r.md")
    assert (tmp_path / "r.md").read_text(encoding="utf-8") == md


def test_gates_name_what_failed(broken_run: EvalRun) -> None:
    fails = gate_failures(broken_run, Gates(min_accuracy=100, min_claims=100, max_false_alarms=0, min_caught=50))
    assert [f.split()[0] for f in fails] == ["leaf", "claims", "mutations"]
    assert gate_failures(broken_run, Gates(min_accuracy=90, max_false_alarms=0)) == []


def test_a_crashing_backend_fails_that_report_only() -> None:
    def crash_on_gbk(doc: Document) -> dict[str, Any]:
        if GBK in doc.source:
            raise ValueError("boom")
        return oracle(doc)

    run = evaluate(FIXTURES, crash_on_gbk, only="synthetic-2021-[gs]*")
    by = {r.name: r for r in run.reports}
    assert by[GBK].error == "ValueError: boom" and by[GBK].leaves.counts.right == 0
    assert by["synthetic-2021-slash-cells"].error is None and run.failed == 1
    assert run.counts.accuracy is not None and run.counts.accuracy < 1.0


def _with_verifier(catch: bool) -> Extractor:
    """The parser plus a stand-in verifier that flags any change to table 三 (or never does)."""
    def run(doc: Document) -> dict[str, Any]:
        out = parsed(doc)
        base = _gold(Path(doc.source).stem)["applications"]
        if catch and out["applications"] != base:
            out["findings"] = [{"rule": "t", "severity": "error", "paths": ["applications.total.total"]}]
        return out

    return run


def test_mutations_count_edits_that_reached_a_cell_and_were_caught() -> None:
    run = evaluate(FIXTURES, _with_verifier(True), mutate=8, only="synthetic-2021-pdf-dump")
    (r,) = run.reports
    assert r.mutation is not None and 0 < r.mutation.tried <= 8 and r.mutation.caught == r.mutation.tried
    assert run.caught_rate == 1.0
    blind = evaluate(FIXTURES, _with_verifier(False), mutate=8, only="synthetic-2021-pdf-dump")
    (b,) = blind.reports
    assert b.mutation is not None and b.mutation.caught == 0 and len(b.mutation.misses) == b.mutation.tried
    assert b.mutation.tried == r.mutation.tried  # same seed, same edits


def test_mutation_skips_inconsistent_and_non_utf8_reports() -> None:
    run = evaluate(FIXTURES, _with_verifier(True), mutate=3, only="synthetic-2021-[ag]*")
    by = {r.name: r for r in run.reports}
    assert by["synthetic-2021-arithmetic-errors"].mutation is None  # gold has findings
    assert by[GBK].mutation is None  # not UTF-8, as score.py


def test_json_figures_are_plain_data(broken_run: EvalRun) -> None:
    data = json.loads(json.dumps(broken_run.to_json()))
    assert data["total"]["docs"] == 1 and data["total"]["claims"]["found"] == 0
    first = data["reports"][0]["mismatches"][0]
    assert (first["path"], first["gold"], first["got"], first["source"]["line"]) == (
        "applications.granted.total", 7, 8, 38)
    assert data["fields"]["applications.granted.total"]["right"] == 0


def test_llm_usage_is_summed_and_shown_only_when_there_is_some() -> None:
    def llm_like(doc: Document) -> dict[str, Any]:
        out = oracle(doc)
        out["usage"] = {"seconds": 1.0, "llm_calls": 2, "prompt_tokens": 1000, "completion_tokens": 200,
                        "cache_hits": 1}
        return out

    run = evaluate(FIXTURES, llm_like, backend="llm", only="synthetic-2021-[gs]*")
    usage = run.usage()
    assert usage is not None
    assert (usage["llm_calls"], usage["prompt_tokens"], usage["completion_tokens"], usage["cache_hits"]) == (
        4, 2000, 400, 2)
    assert usage["per_report"]["prompt_tokens"] == 1000 and usage["cost_usd"] is None
    assert "4 calls, 2000+400 tokens, 2 cache hits, 0 replayed, estimated cost n/a" in to_markdown(run)
    assert "| LLM usage | none |" in to_markdown(evaluate(FIXTURES, oracle, only="synthetic-2021-gbk"))
