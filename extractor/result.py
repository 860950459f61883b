"""What one extraction yields: the report, where each value stands, the
narrative claims, the verifier's findings, and how the result was produced.

``Result.to_json()`` is FORMAT.md's canonical object plus ``evidence``,
``usage`` and ``provenance`` beside the canonical keys.

Plain records, not pydantic models: building ~30 models and importing pydantic was
half of a worker's start-up. Where such JSON comes back in (``nianbao verify``, the
store), it is validated with a pydantic ``TypeAdapter`` over these classes.
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

from .record import field, record
from .report import Report

Severity = Literal["error", "warning", "info"]


@record
class Evidence:
    """Where a value was read: its line, its character span in the document
    text, the printed text, and the row and column labels it was read under.

    A plain record, not a model: a report has hundreds of these.
    """

    line: int
    start: int
    end: int
    text: str
    page: int | None = None
    row: str | None = None
    col: str | None = None
    #: ``[x0, top, x1, bottom]`` on ``page``, in points from its top-left corner (PDF).
    box: tuple[float, float, float, float] | None = None
    #: OCR recognition score (0–1) of the printed text, for pages read from an image.
    confidence: float | None = None

    def __reduce__(self) -> tuple[type[Evidence], tuple[Any, ...]]:
        # Its fields in order: a result crosses from the worker by pickle, and the
        # default for slots (a dict of field names per object) was half of that cost.
        return Evidence, (self.line, self.start, self.end, self.text, self.page, self.row, self.col, self.box,
                          self.confidence)

    def to_json(self, round_box: bool = True) -> dict[str, Any]:
        """Its JSON object, None fields left out; the box to 0.1 point, except in
        claims and findings (``round_box=False``), which have always kept it whole."""
        # Spelled out, not asdict: dataclasses.asdict deep-copied every value and was most
        # of the cost of writing a report's evidence (hundreds of these) to the store.
        out: dict[str, Any] = {"line": self.line, "start": self.start, "end": self.end, "text": self.text}
        if self.page is not None:
            out["page"] = self.page
        if self.row is not None:
            out["row"] = self.row
        if self.col is not None:
            out["col"] = self.col
        if self.box is not None:
            out["box"] = [round(x, 1) for x in self.box] if round_box else list(self.box)
        if self.confidence is not None:
            out["confidence"] = self.confidence
        return out


@record
class Claim:
    """A number the narrative states about the tables: the sum of the cells in
    ``paths`` should equal ``value``."""

    quote: str
    paths: list[str]
    value: int | float
    alt_paths: list[str] | None = None
    evidence: Evidence | None = None

    def to_json(self) -> dict[str, Any]:
        """Its JSON object; a field that is None is left out."""
        out: dict[str, Any] = {"quote": self.quote, "paths": list(self.paths), "value": self.value}
        if self.alt_paths is not None:
            out["alt_paths"] = list(self.alt_paths)
        if self.evidence is not None:
            out["evidence"] = self.evidence.to_json(round_box=False)
        return out


@record
class Message:
    zh: str
    en: str


@record
class Finding:
    """A discrepancy (or a relation that could not be assessed)."""

    rule: str
    severity: Severity
    message: Message
    paths: list[str] = field(default_factory=list)
    printed: int | float | None = None
    computed: int | float | None = None
    difference: int | float | None = None
    quote: str | None = None
    evidence: dict[str, Evidence] = field(default_factory=dict)
    id: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            # Stable across re-runs so a review decision stays attached.
            key = self.rule + "|" + "|".join(sorted(self.paths)) + "|" + (self.quote or "")
            object.__setattr__(self, "id", hashlib.sha1(key.encode("utf-8")).hexdigest()[:12])

    def to_json(self) -> dict[str, Any]:
        """Its JSON object, ``id`` first; a field that is None is left out."""
        out: dict[str, Any] = {
            "id": self.id, "rule": self.rule, "severity": self.severity,
            "message": {"zh": self.message.zh, "en": self.message.en}, "paths": list(self.paths),
        }
        for key, value in (
            ("printed", self.printed), ("computed", self.computed), ("difference", self.difference),
            ("quote", self.quote),
        ):
            if value is not None:
                out[key] = value
        out["evidence"] = {k: v.to_json(round_box=False) for k, v in self.evidence.items()}
        return out


@record(frozen=False)
class Usage:
    """Cost of producing the result (LLM figures stay zero for the parser). Not a
    record: a model backend's session adds to it call by call."""

    seconds: float = 0.0
    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_hits: int = 0
    #: Answers taken from a recorded cassette (their recorded tokens are counted above; no request was made).
    replayed: int = 0
    #: Estimated from the tokens and the model's price table entry; None when the model has no price.
    cost_usd: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "seconds": self.seconds, "llm_calls": self.llm_calls, "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens, "cache_hits": self.cache_hits, "replayed": self.replayed,
            "cost_usd": self.cost_usd,
        }


@record
class Provenance:
    nianbao: str
    backend: str
    source: str
    format: str
    input_sha256: str
    model: str | None = None
    prompt_sha256: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Its JSON object; a field that is None is left out."""
        out = {
            "nianbao": self.nianbao, "backend": self.backend, "source": self.source, "format": self.format,
            "input_sha256": self.input_sha256,
        }
        if self.model is not None:
            out["model"] = self.model
        if self.prompt_sha256 is not None:
            out["prompt_sha256"] = self.prompt_sha256
        return out


@record
class Result:
    report: Report
    evidence: dict[str, Evidence] = field(default_factory=dict)
    claims: list[Claim] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    provenance: Provenance | None = None

    def to_json(self) -> dict[str, Any]:
        """The canonical JSON object with evidence, usage and provenance beside it."""
        out = self.report.to_canonical()
        out["claims"] = [c.to_json() for c in self.claims]
        out["findings"] = [f.to_json() for f in self.findings]
        out["evidence"] = {k: v.to_json() for k, v in self.evidence.items()}
        out["usage"] = self.usage.to_json()
        if self.provenance is not None:
            out["provenance"] = self.provenance.to_json()
        return out
