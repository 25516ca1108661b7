"""attachments.round_id: the round a unit was filling when it sent the file

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 22:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('attachments') as batch:
        batch.add_column(sa.Column('round_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_attachments_round_id_rounds'), 'rounds',
                                 ['round_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('attachments') as batch:
        batch.drop_constraint(op.f('fk_attachments_round_id_rounds'), type_='foreignkey')
        batch.drop_column('round_id')
