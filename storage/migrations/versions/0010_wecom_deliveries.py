"""WeCom deliveries: a ledger row may go to a WeCom member; a person's channel

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 08:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('deliveries') as batch:
        batch.add_column(sa.Column('wecom_user', sa.String(length=64), nullable=True))
    with op.batch_alter_table('contacts') as batch:
        batch.add_column(sa.Column('channel', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('contacts') as batch:
        batch.drop_column('channel')
    with op.batch_alter_table('deliveries') as batch:
        batch.drop_column('wecom_user')
