"""What one extraction yields: the report, where each value stands, the
narrative claims, the verifier's findings, and how the result was produced.

``Result.to_json()`` is FORMAT.md's canonical object plus ``evidence``,
``usage`` and ``provenance`` beside the canonical keys.
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

from pydantic import BaseModel, Field

from .document import record
from .schema import Report

Severity = Literal["error", "warning", "info"]


@record
class Evidence:
    """Where a value was read: its line, its character span in the document
    text, the printed text, and the row and column labels it was read under.

    A plain dataclass, not a model: a report has hundreds of these and
    pydantic takes dataclass instances as they are.
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
        # dataclass default (a dict of field names per object) was half of that cost.
        return Evidence, (self.line, self.start, self.end, self.text, self.page, self.row, self.col, self.box,
                          self.confidence)

    def to_json(self) -> dict[str, Any]:
        # Spelled out, not dataclasses.asdict: that deep-copies every value and was most
        # of the cost of writing a report's evidence (hundreds of these) to the store.
        out: dict[str, Any] = {"line": self.line, "start": self.start, "end": self.end, "text": self.text}
        if self.page is not None:
            out["page"] = self.page
        if self.row is not None:
            out["row"] = self.row
        if self.col is not None:
            out["col"] = self.col
        if self.box is not None:
            out["box"] = [round(x, 1) for x in self.box]
        if self.confidence is not None:
            out["confidence"] = self.confidence
        return out


class Claim(BaseModel):
    """A number the narrative states about the tables: the sum of the cells in
    ``paths`` should equal ``value``."""

    quote: str
    paths: list[str]
    value: int | float
    alt_paths: list[str] | None = None
    evidence: Evidence | None = None


class Message(BaseModel):
    zh: str
    en: str


class Finding(BaseModel):
    """A discrepancy (or a relation that could not be assessed)."""

    id: str = ""
    rule: str
    severity: Severity
    message: Message
    paths: list[str] = Field(default_factory=list)
    printed: int | float | None = None
    computed: int | float | None = None
    difference: int | float | None = None
    quote: str | None = None
    evidence: dict[str, Evidence] = Field(default_factory=dict)

    def model_post_init(self, __context: Any) -> None:
        if not self.id:
            # Stable across re-runs so a review decision stays attached.
            key = self.rule + "|" + "|".join(sorted(self.paths)) + "|" + (self.quote or "")
            self.id = hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


class Usage(BaseModel):
    """Cost of producing the result (LLM figures stay zero for the parser)."""

    seconds: float = 0.0
    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_hits: int = 0
    #: Answers taken from a recorded cassette (their recorded tokens are counted above; no request was made).
    replayed: int = 0
    #: Estimated from the tokens and the model's price table entry; None when the model has no price.
    cost_usd: float | None = None


class Provenance(BaseModel):
    nianbao: str
    backend: str
    source: str
    format: str
    input_sha256: str
    model: str | None = None
    prompt_sha256: str | None = None


class Result(BaseModel):
    report: Report
    evidence: dict[str, Evidence] = Field(default_factory=dict)
    claims: list[Claim] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    provenance: Provenance | None = None

    def to_json(self) -> dict[str, Any]:
        """The canonical JSON object with evidence, usage and provenance beside it."""
        out = self.report.to_canonical()
        out["claims"] = [c.model_dump(mode="json", exclude_none=True) for c in self.claims]
        out["findings"] = [f.model_dump(mode="json", exclude_none=True) for f in self.findings]
        out["evidence"] = {k: v.to_json() for k, v in self.evidence.items()}
        out["usage"] = self.usage.model_dump(mode="json")
        if self.provenance is not None:
            out["provenance"] = self.provenance.model_dump(mode="json", exclude_none=True)
        return out
