"""attachments.caption: the words a contact sent with a photo or file

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 01:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('attachments') as batch:
        batch.add_column(sa.Column('caption', sa.String(length=1024), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('attachments') as batch:
        batch.drop_column('caption')
