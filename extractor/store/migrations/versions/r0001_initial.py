"""The first schema: documents, extractions, findings, reviews.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True, comment="SHA-256 of the file's bytes"),
        sa.Column("path", sa.Text, nullable=False, comment="where the file was first read"),
        sa.Column("format", sa.String(16), nullable=False, comment="file suffix: txt md html pdf docx ..."),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("agency", sa.Text, comment="as its latest extraction read it"),
        sa.Column("year", sa.Integer, comment="as its latest extraction read it"),
        sa.Column("first_seen", sa.String(32), nullable=False),
    )
    op.create_table(
        "extractions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("backend", sa.String(16), nullable=False, comment="parser, llm or hybrid"),
        sa.Column("prompt_version", sa.String(64), nullable=False, comment="hash of the prompts; empty for the parser"),
        sa.Column("nianbao_version", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, comment="pending, running, done or failed"),
        sa.Column("error", sa.Text, comment="why a failed document failed, one line"),
        sa.Column("model", sa.Text, comment="the model asked (llm, hybrid)"),
        sa.Column("agency", sa.Text),
        sa.Column("year", sa.Integer),
        sa.Column("template", sa.String(8), comment="2019 or 2021"),
        sa.Column("report_json", sa.Text, comment="canonical JSON of FORMAT.md: meta and the three tables"),
        sa.Column("claims_json", sa.Text, comment="the narrative's claims"),
        sa.Column("evidence_json", sa.Text, comment="canonical path -> where the value stands in the source"),
        sa.Column("usage_json", sa.Text, comment="seconds, LLM calls, tokens, cache hits"),
        sa.Column("seconds", sa.Float),
        sa.Column("prompt_tokens", sa.Integer),
        sa.Column("completion_tokens", sa.Integer),
        sa.Column("claimed_by", sa.Text, comment="host:pid of the batch process working on it"),
        sa.Column("claimed_at", sa.String(32)),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("finished_at", sa.String(32)),
        sa.UniqueConstraint("document_id", "backend", "prompt_version", "nianbao_version", name="uq_extraction_key"),
    )
    op.create_index("ix_extractions_status", "extractions", ["status"])
    op.create_index("ix_extractions_agency_year", "extractions", ["agency", "year"])
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("extraction_id", sa.Integer, sa.ForeignKey("extractions.id"), nullable=False),
        sa.Column("finding_key", sa.String(16), nullable=False, comment="the verifier's stable id of the finding"),
        sa.Column("scope", sa.String(16), nullable=False, comment="report (one document) or crossyear"),
        sa.Column("rule", sa.Text, nullable=False),
        sa.Column("severity", sa.String(8), nullable=False, comment="error, warning or info"),
        sa.Column("paths", sa.Text, nullable=False, comment="JSON list of the canonical paths it names"),
        sa.Column("message", sa.Text, nullable=False, comment="in Chinese"),
        sa.Column("message_en", sa.Text, nullable=False),
        sa.Column("printed", sa.Float),
        sa.Column("computed", sa.Float),
        sa.Column("difference", sa.Float),
        sa.Column("quote", sa.Text, comment="the narrative sentence, for a claim"),
        sa.Column("evidence_json", sa.Text, comment="canonical path -> where it stands"),
        sa.Column("status", sa.String(16), nullable=False, comment="open, confirmed, dismissed or corrected"),
        sa.Column(
            "revision", sa.Integer, nullable=False, comment="number of reviews so far; a review names the one it saw"
        ),
        sa.UniqueConstraint("extraction_id", "finding_key", name="uq_finding_key"),
    )
    op.create_index("ix_findings_status", "findings", ["status", "severity"])
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("finding_id", sa.Integer, sa.ForeignKey("findings.id"), nullable=False),
        sa.Column(
            "revision", sa.Integer, nullable=False, comment="the finding's revision this decision made (1, 2, ...)"
        ),
        sa.Column("decision", sa.String(16), nullable=False, comment="confirm, dismiss, correct or reopen"),
        sa.Column("path", sa.Text, comment="the canonical path a correction is for"),
        sa.Column("corrected_value", sa.Float, comment="the value the reviewer read; the printed value stays as it is"),
        sa.Column("note", sa.Text),
        sa.Column("reviewer", sa.Text, nullable=False),
        sa.Column("decided_at", sa.String(32), nullable=False),
        sa.UniqueConstraint("finding_id", "revision", name="uq_review_revision"),
    )


def downgrade() -> None:
    for table in ("reviews", "findings", "extractions", "documents"):
        op.drop_table(table)
