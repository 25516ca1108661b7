"""WeCom: a person's WeCom account (contacts.wecom_user_id), and the callbacks seen

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 08:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('contacts') as batch:
        batch.add_column(sa.Column('wecom_user_id', sa.String(length=64), nullable=True))
    op.create_index('uq_contacts_wecom_user_id', 'contacts', ['wecom_user_id'], unique=True)
    op.create_table(
        'wecom_callbacks',
        sa.Column('key', sa.String(length=128), nullable=False),
        sa.Column('seen_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_wecom_callbacks')),
    )


def downgrade() -> None:
    op.drop_table('wecom_callbacks')
    op.drop_index('uq_contacts_wecom_user_id', table_name='contacts')
    with op.batch_alter_table('contacts') as batch:
        batch.drop_column('wecom_user_id')
