"""segment_changes.xid on PostgreSQL: which transaction wrote each change-log row

PostgreSQL hands out ``seq`` values when a row is inserted, not when its transaction commits, so
a long import's seqs can become visible long after later seqs of other writes. The follower
(:mod:`tmserver.index.sync`) therefore tracks *transactions*, not seqs: each row records the
writing transaction's id (``pg_current_xact_id()``), and the follower asks which transactions
committed between two snapshots. SQLite serialises writers, so its seqs are already in commit
order and it needs no such column.

Revision ID: 0005_change_xid
Revises: 0004
Create Date: 2026-11-29
"""

from alembic import op

revision = "0005_change_xid"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE segment_changes ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id()")
    op.execute("CREATE INDEX ix_segment_changes_xid ON segment_changes (xid)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_segment_changes_xid")
    op.execute("ALTER TABLE segment_changes DROP COLUMN xid")
