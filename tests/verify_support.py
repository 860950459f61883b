"""Reports for the verifier's tests: gold reports as canonical dicts, changed
cell by cell through dotted paths."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from functools import cache
from typing import Any

from conftest import FIXTURES

from extractor.report import SECTIONS, Report
from extractor.result import Finding
from extractor.schema import validate_report

CANONICAL_KEYS = ("schema_version", "meta", *SECTIONS)


@cache
def _gold(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "gold" / f"{name}.json").read_text(encoding="utf-8"))
    return data


def canonical(name: str, changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """The gold report ``name`` (tables and meta only), with ``changes`` applied
    by dotted path (``meta.year``, ``applications.granted.total``)."""
    data = {k: copy.deepcopy(v) for k, v in _gold(name).items() if k in CANONICAL_KEYS}
    for path, value in (changes or {}).items():
        node = data
        *parents, last = path.split(".")
        for p in parents:
            node = node[p]
        assert last in node, path
        node[last] = value
    return data


def report(name: str, changes: dict[str, Any] | None = None) -> Report:
    return validate_report(canonical(name, changes))


def errors(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


def named(findings: Iterable[Finding], path: str) -> list[Finding]:
    """Findings whose paths name ``path``."""
    return [f for f in findings if path in f.paths]
