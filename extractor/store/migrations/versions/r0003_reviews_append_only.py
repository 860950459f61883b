"""Reviews are history: the database itself refuses to change or delete one, whatever
client writes to the store (the API only ever appends).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels = None
depends_on = None

_MESSAGE = "reviews are append-only: record a new decision instead"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION reviews_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{_MESSAGE}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER reviews_append_only BEFORE UPDATE OR DELETE ON reviews "
            "FOR EACH ROW EXECUTE FUNCTION reviews_append_only()"
        )
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER reviews_no_{event.lower()} BEFORE {event} ON reviews "
            f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER reviews_append_only ON reviews")
        op.execute("DROP FUNCTION reviews_append_only()")
        return
    for event in ("update", "delete"):
        op.execute(f"DROP TRIGGER reviews_no_{event}")
