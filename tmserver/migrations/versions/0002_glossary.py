"""glossary: concepts and their terms (TBX-Basic data categories)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = ("glossary",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "glossary_concepts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=True),
        sa.Column("definition", sa.Text(), nullable=True),
        sa.Column("definition_lang", sa.String(length=35), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_table(
        "glossary_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("concept_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("lang_tag", sa.String(length=35), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("norm", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("case_sensitive", sa.Boolean(), nullable=False),
        sa.Column("pos", sa.String(length=32), nullable=True),
        sa.Column("term_type", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["concept_id"], ["glossary_concepts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("glossary_terms", schema=None) as batch_op:
        batch_op.create_index("ix_glossary_terms_concept_id", ["concept_id"], unique=False)
        batch_op.create_index("ix_glossary_terms_lang_norm", ["lang", "norm"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("glossary_terms", schema=None) as batch_op:
        batch_op.drop_index("ix_glossary_terms_lang_norm")
        batch_op.drop_index("ix_glossary_terms_concept_id")
    op.drop_table("glossary_terms")
    op.drop_table("glossary_concepts")
