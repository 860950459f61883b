"""Where the LLM settings come from (flags > environment > nianbao.toml) and what
a run costs by the price table."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, leaf_diff, load_gold
from llm_endpoint import ScriptedEndpoint, endpoint_fixture, tables_answer  # noqa: F401 (fixture)

from extractor import ConfigError, extract
from extractor.llm.prices import Price, builtin_prices
from extractor.llm.settings import LLMSettings

REPORT = FIXTURES / "reports" / "synthetic-2021-gbk.txt"
GOLD = load_gold(FIXTURES / "gold" / "synthetic-2021-gbk.json")


def test_openai_base_url_alone_is_enough(endpoint: ScriptedEndpoint, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("NIANBAO_LLM_BASE_URL", "NIANBAO_LLM_API_KEY"):
        monkeypatch.delenv(var)
    monkeypatch.setenv("OPENAI_BASE_URL", endpoint.url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai")
    endpoint.answer(tables_answer(GOLD))
    assert leaf_diff(GOLD, extract(REPORT, backend="llm").to_json()) == []
    assert len(endpoint.requests) == 1
    settings = LLMSettings.from_env()
    assert (settings.base_url, settings.api_key) == (endpoint.url, "sk-openai")
    monkeypatch.setenv("NIANBAO_LLM_BASE_URL", "http://127.0.0.1:1/v1")  # nianbao's own variable wins
    assert LLMSettings.from_env().base_url == "http://127.0.0.1:1/v1"


def test_precedence_flags_then_environment_then_file(
    endpoint: ScriptedEndpoint, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("NIANBAO_LLM_MODEL")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "nianbao.toml").write_text(
        '[llm]\nmodel = "file-model"\nmode = "json"\nconcurrency = 4\nbase_url = "http://file/v1"\n\n'
        '[prices."file-model"]\ninput = 1.5\noutput = 3\nas_of = "2026-11-28"\n',
        encoding="utf-8",
    )
    s = LLMSettings.from_env()
    assert (s.model, s.mode, s.concurrency, s.base_url) == ("file-model", "json", 4, endpoint.url)  # env beats file
    assert s.price == Price(input=1.5, output=3, as_of="2026-11-28")
    monkeypatch.setenv("NIANBAO_LLM_MODEL", "env-model")
    assert LLMSettings.from_env().model == "env-model"
    assert LLMSettings.from_env(model="flag-model").model == "flag-model"


def test_the_user_config_folder_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    folder = tmp_path / "xdg" / "nianbao"
    folder.mkdir(parents=True)
    (folder / "nianbao.toml").write_text('[llm]\nbase_url = "http://user/v1"\nmodel = "m"\n', encoding="utf-8")
    for var in ("NIANBAO_LLM_BASE_URL", "NIANBAO_LLM_MODEL", "OPENAI_BASE_URL", "NIANBAO_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    assert LLMSettings.from_env().base_url == "http://user/v1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[llm]\napi_key = "sk-1"\n', "keep API keys in the environment"),
        ("[llm]\nconcurrency = 0\n", "concurrency=0"),
        ("[llm\n", "cannot read config file"),
        ('[prices."m"]\ninput = -1\noutput = 1\n', "prices.'m'"),
    ],
)
def test_a_bad_config_file_is_one_clear_error(
    endpoint: ScriptedEndpoint, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "team.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("NIANBAO_CONFIG", str(path))
    with pytest.raises(ConfigError, match=r"team\.toml") as err:
        LLMSettings.from_env()
    assert message in str(err.value)


def test_price_arithmetic() -> None:
    price = Price(input=0.15, output=0.60)
    assert price.cost(1_000_000, 0) == pytest.approx(0.15)
    assert price.cost(1200, 300) == pytest.approx((1200 * 0.15 + 300 * 0.60) / 1e6)
    assert price.cost(0, 0) == 0
    table = builtin_prices()
    assert table and all(p.as_of and p.source for p in table.values())  # every shipped price is dated and sourced


def test_cost_per_document_in_usage(
    endpoint: ScriptedEndpoint, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "team.toml"
    path.write_text('[prices.scripted-model]\ninput = 2\noutput = 10\n', encoding="utf-8")
    monkeypatch.setenv("NIANBAO_CONFIG", str(path))
    endpoint.answer(tables_answer(GOLD), prompt_tokens=5000, completion_tokens=1000)
    usage = extract(REPORT, backend="llm").usage
    assert usage.cost_usd == pytest.approx((5000 * 2 + 1000 * 10) / 1e6)
    monkeypatch.delenv("NIANBAO_CONFIG")
    assert extract(REPORT, backend="llm").usage.cost_usd is None  # an unpriced model: unknown, not $0
