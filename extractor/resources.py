"""What the installed package carries: its data directories (``rules/``,
``prompts/``, ``config/``) and its version."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Literal


def data_dir(name: str) -> Path:
    """``<name>/`` of the source tree, else the copy a wheel installs in ``extractor/_data``."""
    package = Path(__file__).resolve().parent
    source = package.parent / name
    return source if source.is_dir() else package / "_data" / name


def user_dir(kind: Literal["data", "cache"]) -> Path:
    """The platform's per-user data or cache folder for nianbao."""
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local") / "nianbao"
        return base / "Cache" if kind == "cache" else base
    if sys.platform == "darwin":
        return home / "Library" / ("Caches" if kind == "cache" else "Application Support") / "nianbao"
    xdg = os.environ.get("XDG_CACHE_HOME" if kind == "cache" else "XDG_DATA_HOME")
    return Path(xdg or home / (".cache" if kind == "cache" else ".local/share")) / "nianbao"


@functools.cache
def nianbao_version() -> str:
    """The installed distribution's version (``0+unknown`` when run from a bare source tree)."""
    from importlib.metadata import PackageNotFoundError, version  # lazily: a slow import few commands need

    try:
        return version("nianbao")
    except PackageNotFoundError:
        return "0+unknown"
