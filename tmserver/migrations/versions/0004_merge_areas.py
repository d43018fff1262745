"""merge the glossary (0002) and QA (0003) branches into one head

Each area grew its own branch from 0001 so they could be written side by side; from here on the
history is linear again and ``alembic upgrade head`` works as usual.

Revision ID: 0004
Revises: 0002, 0003
Create Date: 2026-11-28
"""

revision = "0004"
down_revision = ("0002", "0003")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
