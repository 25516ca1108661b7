"""suggested_answers: figures found in a unit's Word report, offered until confirmed

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 01:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('suggested_answers',
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=32), nullable=False),
    sa.Column('text', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'],
                            name=op.f('fk_suggested_answers_draft_id_drafts'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('draft_id', 'question_id', name=op.f('pk_suggested_answers'))
    )


def downgrade() -> None:
    op.drop_table('suggested_answers')
