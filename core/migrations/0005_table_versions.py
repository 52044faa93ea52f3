"""table versions, for reusing answers while nothing they read has changed

Revision ID: 7e3a9c1d5b20
Revises: 4b2c7cc600c8
Create Date: 2026-11-30 05:30:00
"""
from alembic import op
import sqlalchemy as sa

revision = '7e3a9c1d5b20'
down_revision = '4b2c7cc600c8'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'core_table_version',
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_core_table_version')),
    )


def downgrade() -> None:
    op.drop_table('core_table_version')
