"""Keep the document's normalised text with each extraction, so its evidence (offsets and
lines into that text) can be shown without the original file.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("extractions") as table:
        table.add_column(sa.Column("source_text", sa.Text, comment="the normalised text evidence offsets refer to"))


def downgrade() -> None:
    with op.batch_alter_table("extractions") as table:
        table.drop_column("source_text")
