"""The store's tables, named for the people who open the file in ``sqlite3`` or
datasette: one row per document read, per extraction of it, per finding and per
review decision, and the bytes of files uploaded to the review service. ``docs/store.md`` describes every column.

JSON columns hold text (``json.dumps``), not a database JSON type, so the file
reads the same in any tool and on SQLite and PostgreSQL alike. Timestamps are
UTC ISO 8601 strings (``2026-11-28T22:05:01Z``) for the same reason: sortable,
readable, identical on both databases.

This module is the shape the code expects; ``migrations/`` is how a store gets
there. A test checks the two agree.
"""

from __future__ import annotations

from typing import get_args

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from ..result import Severity

metadata = MetaData()

#: The statuses a finding can have; ``open`` until a review decides it.
FINDING_STATUSES = ("open", "confirmed", "dismissed", "corrected")
#: A review decision and the finding status it leads to.
DECISIONS = {"confirm": "confirmed", "dismiss": "dismissed", "correct": "corrected", "reopen": "open"}
#: Finding severities, as the verifier raises them.
SEVERITIES: tuple[str, ...] = get_args(Severity)
#: An extraction's life: queued, claimed by a batch process, then done or failed.
EXTRACTION_STATUSES = ("pending", "running", "done", "failed")

documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sha256", String(64), nullable=False, unique=True, comment="SHA-256 of the file's bytes"),
    Column("path", Text, nullable=False, comment="where the file was first read"),
    Column("format", String(16), nullable=False, comment="file suffix: txt md html pdf docx ..."),
    Column("size_bytes", BigInteger, nullable=False),
    Column("agency", Text, comment="as its latest extraction read it"),
    Column("year", Integer, comment="as its latest extraction read it"),
    Column("first_seen", String(32), nullable=False),
)

extractions = Table(
    "extractions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id"), nullable=False),
    Column("backend", String(16), nullable=False, comment="parser, llm or hybrid"),
    Column("prompt_version", String(64), nullable=False, comment="hash of the prompts; empty for the parser"),
    Column("nianbao_version", String(32), nullable=False),
    Column("status", String(16), nullable=False, comment="pending, running, done or failed"),
    Column("error", Text, comment="why a failed document failed, one line"),
    Column("model", Text, comment="the model asked (llm, hybrid)"),
    Column("agency", Text),
    Column("year", Integer),
    Column("template", String(8), comment="2019 or 2021"),
    Column("report_json", Text, comment="canonical JSON of FORMAT.md: meta and the three tables"),
    Column("claims_json", Text, comment="the narrative's claims"),
    Column("evidence_json", Text, comment="canonical path -> where the value stands in the source"),
    Column("source_text", Text, comment="the normalised text evidence offsets refer to"),
    Column("usage_json", Text, comment="seconds, LLM calls, tokens, cache hits"),
    Column("seconds", Float),
    Column("prompt_tokens", Integer),
    Column("completion_tokens", Integer),
    Column("claimed_by", Text, comment="host:pid of the batch process working on it"),
    Column("claimed_at", String(32)),
    Column("created_at", String(32), nullable=False),
    Column("finished_at", String(32)),
    UniqueConstraint("document_id", "backend", "prompt_version", "nianbao_version", name="uq_extraction_key"),
)
Index("ix_extractions_status", extractions.c.status)
Index("ix_extractions_agency_year", extractions.c.agency, extractions.c.year)

findings = Table(
    "findings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("extraction_id", Integer, ForeignKey("extractions.id"), nullable=False),
    Column("finding_key", String(16), nullable=False, comment="the verifier's stable id of the finding"),
    Column("scope", String(16), nullable=False, comment="report (one document) or crossyear"),
    Column("rule", Text, nullable=False),
    Column("severity", String(8), nullable=False, comment="error, warning or info"),
    Column("paths", Text, nullable=False, comment="JSON list of the canonical paths it names"),
    Column("message", Text, nullable=False, comment="in Chinese"),
    Column("message_en", Text, nullable=False),
    Column("printed", Float),
    Column("computed", Float),
    Column("difference", Float),
    Column("quote", Text, comment="the narrative sentence, for a claim"),
    Column("evidence_json", Text, comment="canonical path -> where it stands"),
    Column("status", String(16), nullable=False, comment="open, confirmed, dismissed or corrected"),
    Column("revision", Integer, nullable=False, comment="number of reviews so far; a review names the one it saw"),
    UniqueConstraint("extraction_id", "finding_key", name="uq_finding_key"),
)
Index("ix_findings_status", findings.c.status, findings.c.severity)

reviews = Table(
    "reviews",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("finding_id", Integer, ForeignKey("findings.id"), nullable=False),
    Column("revision", Integer, nullable=False, comment="the finding's revision this decision made (1, 2, ...)"),
    Column("decision", String(16), nullable=False, comment="confirm, dismiss, correct or reopen"),
    Column("path", Text, comment="the canonical path a correction is for"),
    Column("corrected_value", Float, comment="the value the reviewer read; the printed value stays as it is"),
    Column("note", Text),
    Column("reviewer", Text, nullable=False),
    Column("decided_at", String(32), nullable=False),
    UniqueConstraint("finding_id", "revision", name="uq_review_revision"),
)

source_files = Table(
    "source_files",
    metadata,
    Column("sha256", String(64), primary_key=True, comment="documents.sha256 of the file"),
    Column("name", Text, nullable=False, comment="the file name it was uploaded under"),
    Column("data", LargeBinary, nullable=False, comment="the file's bytes as uploaded"),
)
"""An upload has no path to read its source from again, so the service keeps its bytes
here (once per content) for the review page; a file ``batch`` read is found at its path."""
