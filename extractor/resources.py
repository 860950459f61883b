"""What the installed package carries: its data directories (``rules/``,
``prompts/``, ``config/``) and its version."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Literal

from ._version import __version__


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


def nianbao_version() -> str:
    """This package's version: ``extractor/_version.py``, which the build reads too, so the
    two never differ (``importlib.metadata`` would cost a command ~20 ms at start-up)."""
    return __version__
