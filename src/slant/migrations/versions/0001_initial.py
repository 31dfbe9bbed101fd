"""Initial store: analyses by content hash and the index tables the search reads.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analyses",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("schema_version", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("source", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("text_length", sa.Integer, nullable=False),
        sa.Column("n_techniques", sa.Integer, nullable=False),
        sa.Column("propaganda_score", sa.Float),
        sa.Column("credibility_score", sa.Float),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("analysis_json", sa.Text, nullable=False),
    )
    op.create_index("ix_analyses_created_at", "analyses", ["created_at"])
    op.create_table(
        "analysis_techniques",
        sa.Column("analysis_id", sa.String(64), sa.ForeignKey("analyses.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("technique_key", sa.String(200), primary_key=True),
        sa.Column("technique", sa.String(200), nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
    )
    op.create_index("ix_analysis_techniques_key", "analysis_techniques", ["technique_key"])
    op.create_table(
        "analysis_speakers",
        sa.Column("analysis_id", sa.String(64), sa.ForeignKey("analyses.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("name_key", sa.String(300), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
    )
    op.create_index("ix_analysis_speakers_key", "analysis_speakers", ["name_key"])
    op.create_table(
        "analysis_entities",
        sa.Column("analysis_id", sa.String(64), sa.ForeignKey("analyses.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("name_key", sa.String(300), primary_key=True),
        sa.Column("label", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("mentions", sa.Integer, nullable=False),
    )
    op.create_index("ix_analysis_entities_key", "analysis_entities", ["name_key"])


def downgrade() -> None:
    for table in ("analysis_entities", "analysis_speakers", "analysis_techniques"):
        op.drop_table(table)
    op.drop_index("ix_analyses_created_at", table_name="analyses")
    op.drop_table("analyses")
