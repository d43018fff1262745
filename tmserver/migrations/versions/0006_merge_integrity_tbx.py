"""merge the change-log transaction ids (0005_change_xid) and the glossary's TBX metadata
(0005_tbx_meta) into one head

Both revisions were written side by side from 0004; from here on the history is linear again.

Revision ID: 0006
Revises: 0005_change_xid, 0005_tbx_meta
Create Date: 2026-11-29
"""

revision = "0006"
down_revision = ("0005_change_xid", "0005_tbx_meta")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
