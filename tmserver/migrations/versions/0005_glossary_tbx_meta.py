"""glossary: a JSON ``meta`` column on concepts and terms for TBX-Basic metadata

Dates (transactions), cross-references, context, geographical usage, further notes… — what a
TBX-Basic file carries beyond the columns the recognisers need — so a TBX import keeps them and
an export writes them back.

Revision ID: 0005_tbx_meta
Revises: 0004
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_tbx_meta"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("glossary_concepts", sa.Column("meta", sa.JSON(), nullable=True))
    op.add_column("glossary_terms", sa.Column("meta", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("glossary_terms") as batch:
        batch.drop_column("meta")
    with op.batch_alter_table("glossary_concepts") as batch:
        batch.drop_column("meta")
