"""Which OpenAI-compatible endpoint and model the LLM backends ask.

Read from CLI flags, then the environment (``NIANBAO_LLM_*``, then the openai
SDK's own ``OPENAI_BASE_URL`` / ``OPENAI_API_KEY``), then ``nianbao.toml``
(:mod:`extractor.llm.config`), so the same code talks to OpenAI, DeepSeek,
Qwen, Ollama or vLLM. There is no default endpoint or model: nianbao never
sends a document anywhere the user did not name.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    ValidationError,
)

from ..errors import ConfigError
from .config import read_config
from .prices import Price, price_table

#: Setting → environment variable.
ENV: dict[str, str] = {
    "base_url": "NIANBAO_LLM_BASE_URL",
    "model": "NIANBAO_LLM_MODEL",
    "api_key": "NIANBAO_LLM_API_KEY",
    "mode": "NIANBAO_LLM_MODE",
    "timeout": "NIANBAO_LLM_TIMEOUT",
    "max_retries": "NIANBAO_LLM_MAX_RETRIES",
    "max_reasks": "NIANBAO_LLM_MAX_REASKS",
    "deadline": "NIANBAO_LLM_DEADLINE",
    "backoff": "NIANBAO_LLM_BACKOFF",
    "concurrency": "NIANBAO_LLM_CONCURRENCY",
    "max_input_tokens": "NIANBAO_LLM_MAX_INPUT_TOKENS",
    "temperature": "NIANBAO_LLM_TEMPERATURE",
    "cache_dir": "NIANBAO_LLM_CACHE_DIR",
    "log_db": "NIANBAO_LOG_DB",
}
#: The openai SDK's own variables, honoured when the ``NIANBAO_LLM_*`` one is unset.
OPENAI_ENV: dict[str, str] = {"base_url": "OPENAI_BASE_URL", "api_key": "OPENAI_API_KEY"}


def _user_dir(kind: Literal["data", "cache"]) -> Path:
    """The platform's per-user data or cache folder for nianbao."""
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local") / "nianbao"
        return base / "Cache" if kind == "cache" else base
    if sys.platform == "darwin":
        return home / "Library" / ("Caches" if kind == "cache" else "Application Support") / "nianbao"
    xdg = os.environ.get("XDG_CACHE_HOME" if kind == "cache" else "XDG_DATA_HOME")
    return Path(xdg or home / (".cache" if kind == "cache" else ".local/share")) / "nianbao"


def log_db_path() -> Path:
    """The SQLite call log: ``NIANBAO_LOG_DB`` or ``logs.db`` in the user data folder."""
    return Path(os.environ.get(ENV["log_db"]) or _user_dir("data") / "logs.db")


def cache_dir_path() -> Path:
    """The answer cache: ``NIANBAO_LLM_CACHE_DIR`` or ``llm/`` in the user cache folder."""
    return Path(os.environ.get(ENV["cache_dir"]) or _user_dir("cache") / "llm")


class LLMSettings(BaseModel):
    """Everything a model call needs; ``from_env`` is the usual way to build it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_url: str
    model: str
    api_key: str | None = None
    #: ``tools`` (function calling) or ``json`` (JSON mode, for servers without tool support).
    mode: Literal["tools", "json"] = "tools"
    #: Seconds one HTTP request may take.
    timeout: PositiveFloat = 120.0
    #: Seconds one question may take, retries, waits and re-asks included.
    deadline: PositiveFloat = 600.0
    #: Transport retries per question, on connection errors, timeouts, 408/409/429 and 5xx.
    max_retries: NonNegativeInt = 3
    #: Re-asks per question when the answer does not fit the schema (the model sees the error).
    max_reasks: NonNegativeInt = 2
    #: Upper bound of the first backoff in seconds (full jitter); it doubles each time, capped at 30 s.
    backoff: NonNegativeFloat = 1.0
    temperature: NonNegativeFloat = 0.0
    #: Documents asked about at once by ``nianbao eval``.
    concurrency: PositiveInt = 1
    #: Most input tokens (estimated) one question may send; longer section text is compacted, then cut.
    max_input_tokens: PositiveInt = 12000
    cache: bool = True
    cache_dir: Path = Field(default_factory=cache_dir_path)
    log_db: Path = Field(default_factory=log_db_path)
    #: A cassette of recorded answers to replay instead of asking (no request is made), or to record into.
    replay: Path | None = None
    record: Path | None = None
    #: Price table (model → price), from ``config/prices.toml`` and ``nianbao.toml``.
    prices: dict[str, Price] = Field(default_factory=dict)

    @property
    def price(self) -> Price | None:
        """This model's price, if the table lists it."""
        return self.prices.get(self.model)

    @classmethod
    def from_env(cls, **overrides: Any) -> LLMSettings:
        """Settings from, strongest first: ``overrides`` that are not None (the
        CLI flags), ``NIANBAO_LLM_*``, ``OPENAI_BASE_URL``/``OPENAI_API_KEY``,
        the ``[llm]`` table of ``nianbao.toml``. A missing endpoint or model, or
        a malformed value, is a :class:`ConfigError` naming where it came from.
        Replaying a cassette needs no endpoint."""
        config = read_config()
        values: dict[str, Any] = dict(config[1].get("llm", {}))
        origin = {k: f"{config[0]} [llm] {k}" for k in values}
        for key, var in [*OPENAI_ENV.items(), *ENV.items()]:
            if os.environ.get(var):
                values[key], origin[key] = os.environ[var], var
        values.update({k: v for k, v in overrides.items() if v is not None})
        if values.get("replay") and not values.get("base_url"):
            values["base_url"] = "(replay)"
        missing = [f"{ENV[k]} (--{k.replace('_', '-')})" for k in ("base_url", "model") if not values.get(k)]
        if missing:
            raise ConfigError(
                f"the llm and hybrid backends need {' and '.join(missing)}: the OpenAI-compatible endpoint "
                "and model to ask (see docs/llm.md)"
            )
        values["prices"] = price_table(config)
        try:
            return cls.model_validate(values)
        except ValidationError as e:
            err = e.errors()[0]
            name = str(err["loc"][0]) if err["loc"] else "?"
            where = origin.get(name, ENV.get(name, name))
            raise ConfigError(f"{where}={values.get(name)!r}: {err['msg']}") from None
