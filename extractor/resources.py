"""What the installed package carries: its data directories (``rules/``,
``prompts/``, ``config/``) and its version."""

from __future__ import annotations

import functools
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


def data_dir(name: str) -> Path:
    """``<name>/`` of the source tree, else the copy a wheel installs in ``extractor/_data``."""
    package = Path(__file__).resolve().parent
    source = package.parent / name
    return source if source.is_dir() else package / "_data" / name


@functools.cache
def nianbao_version() -> str:
    """The installed distribution's version (``0+unknown`` when run from a bare source tree)."""
    try:
        return version("nianbao")
    except PackageNotFoundError:
        return "0+unknown"
