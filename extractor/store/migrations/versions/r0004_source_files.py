"""The bytes of files uploaded to the review service, so the review page can show an
upload's source; before this revision ``nianbao serve`` created the table itself.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A store an older service wrote uploads to has the table already, in this shape:
    # keep it and its bytes.
    if sa.inspect(op.get_bind()).has_table("source_files"):
        return
    op.create_table(
        "source_files",
        sa.Column("sha256", sa.String(64), primary_key=True, comment="documents.sha256 of the file"),
        sa.Column("name", sa.Text, nullable=False, comment="the file name it was uploaded under"),
        sa.Column("data", sa.LargeBinary, nullable=False, comment="the file's bytes as uploaded"),
    )


def downgrade() -> None:
    op.drop_table("source_files")
