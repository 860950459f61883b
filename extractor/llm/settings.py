"""Which OpenAI-compatible endpoint and model the LLM backends ask.

Read from the environment (CLI flags override), so the same code talks to
OpenAI, DeepSeek, Qwen, Ollama or vLLM. There is no default endpoint or model:
nianbao never sends a document anywhere the user did not name.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeFloat, NonNegativeInt, PositiveFloat, ValidationError

from ..errors import ConfigError

#: Setting → environment variable.
ENV: dict[str, str] = {
    "base_url": "NIANBAO_LLM_BASE_URL",
    "model": "NIANBAO_LLM_MODEL",
    "api_key": "NIANBAO_LLM_API_KEY",
    "mode": "NIANBAO_LLM_MODE",
    "timeout": "NIANBAO_LLM_TIMEOUT",
    "max_retries": "NIANBAO_LLM_MAX_RETRIES",
    "backoff": "NIANBAO_LLM_BACKOFF",
    "temperature": "NIANBAO_LLM_TEMPERATURE",
    "cache_dir": "NIANBAO_LLM_CACHE_DIR",
    "log_db": "NIANBAO_LOG_DB",
}


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
    timeout: PositiveFloat = 120.0
    #: Retries after the first attempt, on connection errors, timeouts, 429 and 5xx.
    max_retries: NonNegativeInt = 3
    #: First wait between retries in seconds; it doubles each time (capped at 30 s).
    backoff: NonNegativeFloat = 1.0
    temperature: NonNegativeFloat = 0.0
    cache: bool = True
    cache_dir: Path = Field(default_factory=cache_dir_path)
    log_db: Path = Field(default_factory=log_db_path)

    @classmethod
    def from_env(cls, **overrides: Any) -> LLMSettings:
        """Settings from ``NIANBAO_LLM_*`` (API key falling back to ``OPENAI_API_KEY``);
        ``overrides`` that are not None win. A missing endpoint or model, or a
        malformed value, is a :class:`ConfigError` naming the variable."""
        values: dict[str, Any] = {k: os.environ[var] for k, var in ENV.items() if os.environ.get(var)}
        if "api_key" not in values and os.environ.get("OPENAI_API_KEY"):
            values["api_key"] = os.environ["OPENAI_API_KEY"]
        values.update({k: v for k, v in overrides.items() if v is not None})
        missing = [f"{ENV[k]} (--{k.replace('_', '-')})" for k in ("base_url", "model") if not values.get(k)]
        if missing:
            raise ConfigError(
                f"the llm and hybrid backends need {' and '.join(missing)}: the OpenAI-compatible endpoint "
                "and model to ask (see docs/llm.md)"
            )
        try:
            return cls.model_validate(values)
        except ValidationError as e:
            err = e.errors()[0]
            name = str(err["loc"][0]) if err["loc"] else "?"
            raise ConfigError(f"{ENV.get(name, name)}={values.get(name)!r}: {err['msg']}") from None
