"""api_tokens: WeCom's access token, fetched by one instance and read by all

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 08:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'api_tokens',
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('token', sa.String(length=512), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_api_tokens')),
    )


def downgrade() -> None:
    op.drop_table('api_tokens')
