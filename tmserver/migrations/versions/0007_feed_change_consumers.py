"""change-log consumers and the pruned horizon: compact segment_changes once every index applied it

``change_consumers`` holds each following process's applied position and heartbeat;
``change_log_state`` (one row) records how far the log has been pruned, so a follower whose
position was pruned knows to rebuild instead of silently missing rows.

Revision ID: 0007_feed_change_consumers
Revises: 0006
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_feed_change_consumers"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "change_consumers",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("horizon", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Text(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    state = op.create_table(
        "change_log_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pruned_below", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(state, [{"id": 1, "pruned_below": 0}])


def downgrade() -> None:
    op.drop_table("change_log_state")
    op.drop_table("change_consumers")
