"""nianbao — extract and verify Chinese government information disclosure annual
reports (政府信息公开工作年度报告).

The public API is re-exported here; the modules behind it are named for their job
(``load``, ``normalize``, ``parser``, ``claims``, ``verify``, ``pipeline``).

    >>> from extractor import extract
    >>> result = extract("eval/fixtures/reports/dongguan-hrss-2023.md")  # doctest: +SKIP
"""

from __future__ import annotations

from .document import Cell, Document, Line
from .errors import (
    BackendError,
    ConfigError,
    InputError,
    NianbaoError,
    NotAReport,
    ScannedDocument,
    UnsupportedFormat,
)
from .load import load, load_bytes, load_string
from .pipeline import extract
from .result import Claim, Evidence, Finding, Result
from .schema import Report

__all__ = [
    "BackendError",
    "Cell",
    "Claim",
    "ConfigError",
    "Document",
    "Evidence",
    "Finding",
    "InputError",
    "Line",
    "NianbaoError",
    "NotAReport",
    "Report",
    "Result",
    "ScannedDocument",
    "UnsupportedFormat",
    "extract",
    "load",
    "load_bytes",
    "load_string",
]
