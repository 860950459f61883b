"""A :class:`~extractor.result.Result` as the store's rows: computed where the
extraction runs (a batch worker process), so the process that writes only inserts."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..result import Finding, Result


def content_hash(data: bytes) -> str:
    """A file as the store knows it: the SHA-256 of its bytes."""
    return hashlib.sha256(data).hexdigest()


def dumps(value: Any) -> str:
    """JSON as the store keeps it: Chinese left readable, no spaces."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@dataclass(slots=True)
class Record:
    """The columns of one done extraction and its findings' rows."""

    columns: dict[str, Any]
    findings: list[dict[str, Any]] = field(default_factory=list)


def finding_rows(findings: Iterable[Finding], scope: str) -> list[dict[str, Any]]:
    """Rows of ``findings`` for the findings table, each open with no review yet.
    A finding raised twice (same key) is stored once."""
    rows: dict[str, dict[str, Any]] = {}
    for f in findings:
        rows.setdefault(f.id, {
            "finding_key": f.id,
            "scope": scope,
            "rule": f.rule,
            "severity": f.severity,
            "paths": dumps(f.paths),
            "message": f.message.zh,
            "message_en": f.message.en,
            "printed": f.printed,
            "computed": f.computed,
            "difference": f.difference,
            "quote": f.quote,
            "evidence_json": dumps({k: v.to_json() for k, v in f.evidence.items()}) if f.evidence else None,
            "status": "open",
            "revision": 0,
        })
    return list(rows.values())


def result_record(result: Result, text: str | None = None) -> Record:
    """The extraction's columns (canonical JSON, evidence, usage, model; ``text``, the document's
    normalised text, when known) and its findings."""
    meta = result.report.meta
    usage = result.usage
    return Record(
        columns={
            "model": result.provenance.model if result.provenance else None,
            "agency": meta.agency,
            "year": meta.year,
            "template": meta.template,
            "report_json": dumps(result.report.to_canonical()),
            "claims_json": dumps([c.to_json() for c in result.claims]),
            "evidence_json": dumps({k: v.to_json() for k, v in result.evidence.items()}),
            "source_text": text,
            "usage_json": dumps(usage.to_json()),
            "seconds": usage.seconds,
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
        },
        findings=finding_rows(result.findings, "report"),
    )
