"""Transport, cache and call log of the LLM backends: retries on transient
failures, a BackendError naming the endpoint when they persist, answers served
from the cache without HTTP, and every call (failed ones too) in SQLite."""

from __future__ import annotations

import copy
import hashlib
import json
import socket
import sqlite3
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from conftest import FIXTURES, leaf_diff, load_gold
from llm_endpoint import MODEL, ScriptedEndpoint, endpoint_fixture, tables_answer  # noqa: F401 (fixture)

from extractor import BackendError, ConfigError, extract
from extractor.llm.settings import LLMSettings

REPORT = FIXTURES / "reports" / "synthetic-2021-arithmetic-errors.txt"
GOLD = load_gold(FIXTURES / "gold" / "synthetic-2021-arithmetic-errors.json")


def calls(db: Path) -> list[dict[str, Any]]:
    with sqlite3.connect(db) as con:
        con.row_factory = sqlite3.Row
        return [dict(r) for r in con.execute("SELECT * FROM calls ORDER BY id")]


def test_a_500_is_retried_then_the_answer_used(endpoint: ScriptedEndpoint, tmp_path: Path) -> None:
    endpoint.fail(500)
    endpoint.answer(tables_answer(GOLD))
    result = extract(REPORT, backend="llm")
    assert len(endpoint.requests) == 2 and endpoint.requests[0] == endpoint.requests[1]
    assert leaf_diff(GOLD, result.to_json()) == []
    assert result.usage.llm_calls == 2 and result.usage.prompt_tokens == 1200
    failed, ok = calls(tmp_path / "logs.db")
    assert "500" in failed["error"] and failed["response"] is None
    assert ok["error"] is None and json.loads(ok["response"]) == tables_answer(GOLD)


def test_persistent_failure_is_a_backend_error_naming_the_endpoint(endpoint: ScriptedEndpoint, tmp_path: Path) -> None:
    endpoint.fail(503, times=3)  # NIANBAO_LLM_MAX_RETRIES=2: three attempts
    with pytest.raises(BackendError) as err:
        extract(REPORT, backend="llm")
    assert endpoint.url in str(err.value) and "3 attempt" in str(err.value) and "503" in str(err.value)
    assert len(endpoint.requests) == 3
    assert [bool(c["error"]) for c in calls(tmp_path / "logs.db")] == [True, True, True]


def test_a_client_error_is_not_retried(endpoint: ScriptedEndpoint) -> None:
    endpoint.fail(401)
    with pytest.raises(BackendError, match="1 attempt"):
        extract(REPORT, backend="llm")
    assert len(endpoint.requests) == 1


def test_nothing_listening_is_retried_then_reported(
    endpoint: ScriptedEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}/v1"
    monkeypatch.setenv("NIANBAO_LLM_BASE_URL", closed)
    with pytest.raises(BackendError, match="3 attempt") as err:
        extract(REPORT, backend="llm")
    assert closed in str(err.value)


INVALID = {"template": "2021", "applications": {"granted": {"total": "many"}}}


def test_an_invalid_answer_is_asked_again_with_its_error(endpoint: ScriptedEndpoint, tmp_path: Path) -> None:
    endpoint.answer(INVALID)
    endpoint.answer(tables_answer(GOLD))
    result = extract(REPORT, backend="llm")
    assert leaf_diff(GOLD, result.to_json()) == []
    first, second = endpoint.requests
    assert len(second["messages"]) > len(first["messages"]) and second["messages"][:2] == first["messages"]
    told = json.dumps(second["messages"][2:], ensure_ascii=False)
    assert "applications.granted.total" in told and "many" in told  # the model sees what it got wrong
    assert result.usage.llm_calls == 2 and result.usage.prompt_tokens == 2400
    rejected, accepted = calls(tmp_path / "logs.db")
    assert "does not fit the schema: applications.granted.total" in rejected["error"]
    assert json.loads(rejected["response"]) == INVALID
    assert accepted["error"] is None and json.loads(accepted["response"]) == tables_answer(GOLD)


def test_a_negative_count_is_asked_again(endpoint: ScriptedEndpoint) -> None:
    negative = copy.deepcopy(tables_answer(GOLD))
    negative["applications"]["granted"]["total"] = -7
    endpoint.answer(negative)
    endpoint.answer(tables_answer(GOLD))
    assert leaf_diff(GOLD, extract(REPORT, backend="llm").to_json()) == []
    told = json.dumps(endpoint.requests[1]["messages"][2:], ensure_ascii=False)
    assert "never negative" in told and "applications.granted.total" in told


def test_reasks_are_bounded_then_fail_loudly(
    endpoint: ScriptedEndpoint, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NIANBAO_LLM_MAX_REASKS", "1")
    endpoint.answer(INVALID)
    endpoint.answer(INVALID)
    with pytest.raises(BackendError, match=r"2 attempt.*does not fit the schema"):
        extract(REPORT, backend="llm")
    assert len(endpoint.requests) == 2  # not (1 + reasks) × (1 + retries): the 599 after the script is never reached
    assert ["applications.granted.total" in c["error"] for c in calls(tmp_path / "logs.db")] == [True, True]


def test_transport_retries_and_reasks_share_no_budget(
    endpoint: ScriptedEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MAX_RETRIES=2 transport failures for the whole question, MAX_REASKS=1 re-ask: four requests at most."""
    monkeypatch.setenv("NIANBAO_LLM_MAX_REASKS", "1")
    endpoint.fail(500)
    endpoint.answer(INVALID)
    endpoint.fail(502)
    endpoint.answer(tables_answer(GOLD))
    assert leaf_diff(GOLD, extract(REPORT, backend="llm").to_json()) == []
    assert len(endpoint.requests) == 4
    endpoint.fail(500, times=3)  # a third transport failure in one question is one too many
    endpoint.answer(tables_answer(GOLD))
    with pytest.raises(BackendError, match=r"3 attempt.*500"):
        extract(REPORT, backend="llm", llm=LLMSettings.from_env(cache=False))


def test_a_429_waits_what_retry_after_says(endpoint: ScriptedEndpoint) -> None:
    endpoint.fail(429, retry_after="2")
    endpoint.answer(tables_answer(GOLD))
    t0 = time.monotonic()
    result = extract(REPORT, backend="llm")
    assert time.monotonic() - t0 >= 1.9  # NIANBAO_LLM_BACKOFF=0: only Retry-After makes it wait
    assert len(endpoint.requests) == 2 and leaf_diff(GOLD, result.to_json()) == []


def test_a_wait_beyond_the_deadline_ends_the_question_now(
    endpoint: ScriptedEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NIANBAO_LLM_DEADLINE", "5")
    endpoint.fail(503, retry_after="3600")
    t0 = time.monotonic()
    with pytest.raises(BackendError, match=r"1 attempt.*503.*3600 s later, past the 5 s deadline"):
        extract(REPORT, backend="llm")
    assert time.monotonic() - t0 < 5 and len(endpoint.requests) == 1


def _status_error(status: int, retry_after: str) -> openai.APIStatusError:
    request = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")
    response = httpx.Response(status, headers={"Retry-After": retry_after}, request=request)
    return openai.APIStatusError("limited", response=response, body=None)


def test_retry_after_in_seconds_or_as_an_http_date() -> None:
    from extractor.llm.client import retry_after

    now = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after(_status_error(429, "7"), now) == 7.0
    assert retry_after(_status_error(503, "Sat, 01 Mar 2025 12:00:30 GMT"), now) == 30.0
    assert retry_after(_status_error(429, "Sat, 01 Mar 2025 11:00:00 GMT"), now) == 0.0  # already past
    assert retry_after(_status_error(429, "soon"), now) is None  # unreadable: back off instead
    assert retry_after(_status_error(500, "7"), now) is None  # honoured for 429 and 503 only


def test_second_run_is_answered_by_the_cache(endpoint: ScriptedEndpoint, tmp_path: Path) -> None:
    endpoint.answer(tables_answer(GOLD))
    first = extract(REPORT, backend="llm")
    second = extract(REPORT, backend="llm")
    assert len(endpoint.requests) == 1
    assert second.report == first.report and second.evidence == first.evidence
    assert (second.usage.llm_calls, second.usage.cache_hits, second.usage.prompt_tokens) == (0, 1, 0)
    assert second.provenance is not None and second.provenance.model == MODEL
    assert [c["cached"] for c in calls(tmp_path / "logs.db")] == [0, 1]

    endpoint.answer(tables_answer(GOLD))
    extract(REPORT, backend="llm", llm=LLMSettings.from_env(cache=False))
    assert len(endpoint.requests) == 2

    endpoint.answer(tables_answer(GOLD))
    extract(REPORT, backend="llm", llm=LLMSettings.from_env(model="another-model"))
    assert len(endpoint.requests) == 3 and endpoint.requests[-1]["model"] == "another-model"


def test_every_call_is_logged_with_its_hashes_and_tokens(endpoint: ScriptedEndpoint, tmp_path: Path) -> None:
    endpoint.answer(tables_answer(GOLD), prompt_tokens=4321, completion_tokens=765)
    extract(REPORT, backend="llm")
    (row,) = calls(tmp_path / "logs.db")
    prompt = Path(__file__).resolve().parents[1] / "prompts" / "extract_tables.md"
    assert row["task"] == "extract_tables" and row["model"] == MODEL and row["base_url"] == endpoint.url
    assert row["source"] == str(REPORT)
    assert row["prompt_sha256"] == hashlib.sha256(prompt.read_bytes()).hexdigest()
    assert row["input_sha256"] == hashlib.sha256(endpoint.user_message().encode()).hexdigest()
    assert (row["prompt_tokens"], row["completion_tokens"], row["cached"]) == (4321, 765, 0)
    assert row["duration_ms"] >= 0 and row["ts"].endswith("+00:00")


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("NIANBAO_LLM_BASE_URL", "NIANBAO_LLM_MODEL", "NIANBAO_LLM_API_KEY", "NIANBAO_LLM_TIMEOUT"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(ConfigError, match=r"NIANBAO_LLM_BASE_URL \(--base-url\) and NIANBAO_LLM_MODEL"):
        LLMSettings.from_env()
    monkeypatch.setenv("NIANBAO_LLM_BASE_URL", "http://127.0.0.1:11434/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-fallback")
    settings = LLMSettings.from_env(model="qwen2.5:7b")
    assert (settings.model, settings.api_key, settings.mode) == ("qwen2.5:7b", "sk-fallback", "tools")
    monkeypatch.setenv("NIANBAO_LLM_API_KEY", "sk-own")
    assert LLMSettings.from_env(model="m").api_key == "sk-own"
    monkeypatch.setenv("NIANBAO_LLM_TIMEOUT", "soon")
    with pytest.raises(ConfigError, match="NIANBAO_LLM_TIMEOUT='soon'"):
        LLMSettings.from_env(model="m")


def test_without_the_llm_extra_a_config_error_says_what_to_install(
    endpoint: ScriptedEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(sys.modules, "extractor.llm.client", raising=False)
    monkeypatch.setitem(sys.modules, "instructor", None)  # import instructor → ImportError
    with pytest.raises(ConfigError, match=r"instructor is missing\): pip install 'nianbao\[llm\]'"):
        extract(REPORT, backend="llm")
    assert endpoint.requests == []
