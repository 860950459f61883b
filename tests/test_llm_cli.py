"""The LLM options of ``nianbao extract`` and the ``nianbao logs`` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, load_gold
from llm_endpoint import ScriptedEndpoint, endpoint_fixture, tables_answer  # noqa: F401 (fixture)
from typer.testing import CliRunner

from extractor.cli import app

REPORT = FIXTURES / "reports" / "synthetic-2021-gbk.txt"
ANSWER = tables_answer(load_gold(FIXTURES / "gold" / "synthetic-2021-gbk.json"))
runner = CliRunner()


def nianbao(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "extractor", *args], capture_output=True, text=True, timeout=60, env=env
    )


def test_missing_settings_exit_2_with_one_line() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NIANBAO_LLM_") and k != "OPENAI_API_KEY"}
    done = nianbao("extract", str(REPORT), "--backend", "llm", env=env)
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith("nianbao: ") and "NIANBAO_LLM_BASE_URL" in done.stderr


def test_endpoint_failure_exit_2_with_one_line(endpoint: ScriptedEndpoint) -> None:
    endpoint.fail(503, times=3)
    done = nianbao("extract", str(REPORT), "--backend", "llm")
    assert done.returncode == 2 and len(endpoint.requests) == 3
    assert done.stderr.splitlines() == [done.stderr.strip()] and endpoint.url in done.stderr


def test_flags_choose_endpoint_and_model(endpoint: ScriptedEndpoint, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NIANBAO_LLM_BASE_URL")
    endpoint.answer(ANSWER)
    args = ["extract", str(REPORT), "-b", "llm", "--base-url", endpoint.url, "--model", "flag-model", "-f", "json"]
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["provenance"]["model"] == "flag-model" and out["usage"]["llm_calls"] == 1
    assert endpoint.requests[0]["model"] == "flag-model"

    runner.invoke(app, args)  # cached
    assert len(endpoint.requests) == 1
    endpoint.answer(ANSWER)
    assert runner.invoke(app, [*args, "--no-cache"]).exit_code == 0
    assert len(endpoint.requests) == 2


def test_logs_lists_the_calls(endpoint: ScriptedEndpoint, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "prices.toml").write_text('[prices.scripted-model]\ninput = 1\noutput = 2\n', encoding="utf-8")
    monkeypatch.setenv("NIANBAO_CONFIG", str(tmp_path / "prices.toml"))
    empty = runner.invoke(app, ["logs"])
    assert empty.exit_code == 0 and "no model calls logged" in empty.stdout
    endpoint.fail(500)
    endpoint.answer(ANSWER)
    assert runner.invoke(app, ["extract", str(REPORT), "--backend", "llm"]).exit_code == 0

    listed = json.loads(runner.invoke(app, ["logs", "--json"]).stdout)
    assert [bool(r["error"]) for r in listed] == [False, True]  # newest first
    assert listed[0]["response"] == ANSWER and listed[0]["cached"] is False
    assert listed[0]["cost_usd"] == pytest.approx((1200 * 1 + 300 * 2) / 1e6) and listed[1]["cost_usd"] == 0
    assert len(json.loads(runner.invoke(app, ["logs", "--json", "-n", "1"]).stdout)) == 1
    table = runner.invoke(app, ["logs"]).stdout
    assert "extract_tables" in table and "1200/300" in table and "$0.0018" in table
    assert "estimated cost of these 2 calls: $0.0018" in table


def test_unknown_backend_is_bad_input() -> None:
    done = runner.invoke(app, ["extract", str(REPORT), "--backend", "gpt"])
    assert done.exit_code == 2 and "unknown backend 'gpt'" in done.stderr


def test_the_parser_path_does_not_load_the_llm_libraries(tmp_path: Path) -> None:
    code = (
        "import sys; from extractor import extract; extract(sys.argv[1]); "
        "print(sorted(m for m in ('openai', 'instructor', 'diskcache', 'tenacity', 'httpx') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code, str(REPORT)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
