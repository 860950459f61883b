"""The shared configuration file, ``nianbao.toml``, so a team keeps one setup.

Looked for in the working folder, then in the user config folder
(platformdirs: ``~/.config/nianbao`` on Linux); ``NIANBAO_CONFIG`` names a file
instead. ``[llm]`` holds settings (endpoint, model, mode, concurrency, …; never
the API key, which stays in the environment), ``[prices.<model>]`` price
entries. The file is the weakest source: flags, then environment variables,
then the file (see :meth:`extractor.llm.settings.LLMSettings.from_env`).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from ..errors import ConfigError

FILE_NAME = "nianbao.toml"
#: Settings the file may hold (the API key may not: a shared file is no place for it).
FILE_SETTINGS = frozenset({
    "base_url", "model", "mode", "concurrency", "timeout", "deadline", "max_retries", "max_reasks", "backoff",
    "temperature", "max_input_tokens", "cache_dir", "log_db",
})


def config_path() -> Path | None:
    """``$NIANBAO_CONFIG``, else ``./nianbao.toml``, else the user config folder's; None when none exists."""
    named = os.environ.get("NIANBAO_CONFIG")
    if named:
        return Path(named)
    here = Path(FILE_NAME)
    if here.is_file():
        return here
    import platformdirs

    user = Path(platformdirs.user_config_dir("nianbao", appauthor=False)) / FILE_NAME
    return user if user.is_file() else None


def read_config(path: Path | None = None) -> tuple[Path | None, dict[str, Any]]:
    """The config file found (or ``path``) and its contents; a broken file is a :class:`ConfigError`."""
    path = path if path is not None else config_path()
    if path is None:
        return None, {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"cannot read config file {path}: {e}") from None
    unknown = sorted(set(data) - {"llm", "prices"})
    llm = data.get("llm", {})
    if unknown or not isinstance(llm, dict) or not isinstance(data.get("prices", {}), dict):
        raise ConfigError(f"{path}: expected only [llm] and [prices.<model>] tables, found {unknown or list(data)}")
    bad = sorted(set(llm) - FILE_SETTINGS)
    if bad:
        hint = " (keep API keys in the environment)" if "api_key" in bad else ""
        raise ConfigError(f"{path}: unknown [llm] setting {', '.join(bad)}{hint}")
    return path, data
