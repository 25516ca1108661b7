"""One roster: a unit is the province's, one row per code, taking part in campaigns

Before, each campaign had its own row for 沈阳市商务局, and a person belonged to one of
them. Now the rows with the same code become one (the oldest, so the first campaign's
people keep the id they had), everything that pointed at the others points at it, and
`campaign_units` says which campaigns each unit takes part in, at which place, and since
when it no longer does.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 07:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# Every column that points at a unit.
POINTING = (('contacts', 'unit_id'), ('invites', 'unit_id'), ('drafts', 'unit_id'),
            ('submissions', 'unit_id'), ('attachments', 'unit_id'))
KEEPER = "(SELECT MIN(k.id) FROM units k WHERE k.code = {code})"


def upgrade() -> None:
    op.create_table(
        'campaign_units',
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('retired_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'],
                                name=op.f('fk_campaign_units_campaign_id_campaigns')),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'],
                                name=op.f('fk_campaign_units_unit_id_units')),
        sa.PrimaryKeyConstraint('campaign_id', 'unit_id', name=op.f('pk_campaign_units')),
    )
    op.create_index(op.f('ix_campaign_units_unit_id'), 'campaign_units', ['unit_id'])
    op.execute(
        "INSERT INTO campaign_units (campaign_id, unit_id, position, retired_at) "
        f"SELECT u.campaign_id, {KEEPER.format(code='u.code')}, u.position, u.retired_at "
        "FROM units u")
    for table, column in POINTING:
        op.execute(
            f"UPDATE {table} SET {column} = "
            + KEEPER.format(code=f"(SELECT u.code FROM units u WHERE u.id = {table}.{column})")
            + f" WHERE {column} IS NOT NULL")
    # The unit is retired only when every campaign that listed it has let it go.
    op.execute(
        "UPDATE units SET retired_at = (SELECT CASE WHEN COUNT(c.retired_at) = COUNT(*) "
        "THEN MAX(c.retired_at) END FROM campaign_units c WHERE c.unit_id = units.id)")
    op.execute(f"DELETE FROM units WHERE id <> {KEEPER.format(code='units.code')}")
    op.create_index('uq_units_code', 'units', ['code'], unique=True)


def downgrade() -> None:
    # Units merged by the upgrade stay merged: the first campaign keeps them.
    op.drop_index('uq_units_code', table_name='units')
    op.drop_index(op.f('ix_campaign_units_unit_id'), table_name='campaign_units')
    op.drop_table('campaign_units')
