"""Data directories the package reads at run time (``rules/``, ``prompts/``)."""

from __future__ import annotations

from pathlib import Path


def data_dir(name: str) -> Path:
    """``<name>/`` of the source tree, else the copy a wheel installs in ``extractor/_data``."""
    package = Path(__file__).resolve().parent
    source = package.parent / name
    return source if source.is_dir() else package / "_data" / name
