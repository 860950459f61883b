"""The LLM backends under ``nianbao eval``: hybrid on the layouts the parser cannot
read, no request for template-shaped reports, a model comparison, and a replay."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, ROOT
from llm_endpoint import MODEL, PATHS, ScriptedEndpoint, endpoint_fixture, gold_responder  # noqa: F401 (fixture)
from typer.testing import CliRunner

from extractor.cli import app

FIXTURES_LLM = ROOT / "eval" / "fixtures-llm"
runner = CliRunner()


def eval_json(*args: str) -> tuple[int, dict[str, Any]]:
    done = runner.invoke(app, ["eval", *args, "--json"])
    return done.exit_code, json.loads(done.stdout) if done.stdout.strip() else {}


def test_hybrid_reads_the_layouts_the_parser_cannot(
    endpoint: ScriptedEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, parser = eval_json(str(FIXTURES_LLM))
    assert len(parser["reports"]) >= 4 and parser["sections"]["applications"]["right"] == 0  # all blank
    assert parser["total"]["precision"] == 1.0  # blank, never wrong
    endpoint.responder = gold_responder(FIXTURES_LLM)
    monkeypatch.setenv("NIANBAO_LLM_CONCURRENCY", "2")  # two reports asked about at once
    code, run = eval_json(str(FIXTURES_LLM), "--backend", "hybrid",
                          "--min-accuracy", "100", "--min-claims", "100", "--max-false-alarms", "0")
    assert code == 0, run["total"]
    assert run["total"]["accuracy"] == 1.0 and run["total"]["usage"]["llm_calls"] == len(run["reports"])
    for request in endpoint.requests:  # only table 三 and only its cells
        user = next(m["content"] for m in request["messages"] if m["role"] == "user")
        assert "=== 三、收到和处理政府信息公开申请情况 ===" in user
        assert "=== 二、" not in user and "=== 四、" not in user and "一、总体情况" not in user
        assert {p.split(".")[0] for p in PATHS.findall(user)} == {"applications"}


def test_hybrid_makes_no_request_for_template_shaped_reports(endpoint: ScriptedEndpoint) -> None:
    code, run = eval_json(str(FIXTURES), "--backend", "hybrid", "--min-accuracy", "100", "--max-false-alarms", "0")
    assert code == 0 and run["total"]["docs"] >= 46
    assert endpoint.requests == [] and run["total"]["usage"] is None


def _with_errors(answer: dict[str, Any]) -> dict[str, Any]:
    """A worse model: every other count of table 三 one too high."""
    wrong = copy.deepcopy(answer)
    for i, v in enumerate(wrong["values"]):
        if i % 2 == 0 and isinstance(v["value"], int):
            v["value"] += 1
    return wrong


def test_a_model_comparison_ranks_the_models_then_replays_offline(
    endpoint: ScriptedEndpoint, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "prices.toml").write_text('[prices.good]\ninput = 1\noutput = 4\n', encoding="utf-8")
    monkeypatch.setenv("NIANBAO_CONFIG", str(tmp_path / "prices.toml"))
    endpoint.responder = gold_responder(FIXTURES_LLM, wrong=_with_errors, wrong_model="sloppy")
    cassette, stem = tmp_path / "answers.json", tmp_path / "cmp"
    args = [str(FIXTURES_LLM), "--backend", "hybrid", "--model", "sloppy", "--model", "good"]
    done = runner.invoke(app, ["eval", *args, "--record", str(cassette), "--compare-out", str(stem)])
    assert done.exit_code == 0, done.stderr
    for header in ("rank", "leaf accuracy", "claims", "findings", "false alarms", "requests", "tokens", "est. cost",
                   "s/report"):
        assert header in done.stdout
    rows = {r["name"]: r for r in json.loads((tmp_path / "cmp.json").read_text(encoding="utf-8"))["rows"]}
    assert set(rows) == {"parser", "sloppy", "good"}
    assert rows["good"]["rank"] == 1 and rows["good"]["accuracy"] == 1.0
    assert rows["sloppy"]["rank"] == 2 and rows["parser"]["rank"] == 3
    assert rows["good"]["requests"] == rows["sloppy"]["requests"] == 4 and rows["parser"]["requests"] == 0
    good = rows["good"]
    assert good["cost_usd"] == pytest.approx((good["prompt_tokens"] + 4 * good["completion_tokens"]) / 1e6)
    assert rows["sloppy"]["cost_usd"] is None  # not in the price table
    markdown = (tmp_path / "cmp.md").read_text(encoding="utf-8")
    assert markdown.count("\n| ") == 4 and "| 1 | good | hybrid | 100.00% (" in markdown

    sent = len(endpoint.requests)
    monkeypatch.delenv("NIANBAO_LLM_BASE_URL")  # no endpoint at all
    done = runner.invoke(app, ["eval", *args, "--replay", str(cassette), "--compare-out", str(tmp_path / "again")])
    assert done.exit_code == 0, done.stderr
    assert len(endpoint.requests) == sent  # the replay made no request
    again = {r["name"]: r for r in json.loads((tmp_path / "again.json").read_text(encoding="utf-8"))["rows"]}
    for name in ("good", "sloppy"):
        assert again[name]["rank"] == rows[name]["rank"] and again[name]["accuracy"] == rows[name]["accuracy"]
        assert (again[name]["requests"], again[name]["replayed"]) == (0, 4)
        assert again[name]["prompt_tokens"] == rows[name]["prompt_tokens"]
    assert again["good"]["cost_usd"] == pytest.approx(good["cost_usd"])


def test_a_replay_without_the_answer_says_so(endpoint: ScriptedEndpoint, tmp_path: Path) -> None:
    cassette = tmp_path / "empty.json"
    cassette.write_text('{"version": 1, "answers": {}}', encoding="utf-8")
    _, run = eval_json(str(FIXTURES_LLM), "--backend", "hybrid", "--replay", str(cassette))
    assert endpoint.requests == []  # a question the cassette cannot answer fails; it is not sent
    assert run["total"]["failed"] == len(run["reports"]) >= 4
    assert f"has no answer from model {MODEL}" in run["reports"][0]["error"]
