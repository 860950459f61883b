"""nianbao — extract and verify Chinese government information disclosure annual
reports (政府信息公开工作年度报告).

The public API is re-exported here; the modules behind it are named for their job
(``load``, ``normalize``, ``parser``, ``claims``, ``verify``, ``pipeline``).

    >>> from extractor import extract
    >>> result = extract("eval/fixtures/reports/dongguan-hrss-2023.md")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# Eager: importing any ``extractor.load.*`` module would otherwise bind the
# name ``load`` here to the subpackage instead of the function.
from .load import load, load_bytes, load_string

if TYPE_CHECKING:
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
    from .pipeline import extract
    from .report import Report
    from .result import Claim, Evidence, Finding, Result

#: Where each other public name lives; imported on first use (PEP 562), so that
#: ``import extractor`` — and every command that needs only part of it — does
#: not pay for the whole pipeline.
_HOMES = {
    "Cell": "document", "Document": "document", "Line": "document",
    "BackendError": "errors", "ConfigError": "errors", "InputError": "errors", "NianbaoError": "errors",
    "NotAReport": "errors", "ScannedDocument": "errors", "UnsupportedFormat": "errors",
    "extract": "pipeline",
    "Claim": "result", "Evidence": "result", "Finding": "result", "Result": "result",
    "Report": "report",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
    globals()[name] = value
    return value


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
