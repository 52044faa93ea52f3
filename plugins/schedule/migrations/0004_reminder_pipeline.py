"""reminder pipeline: an idempotency key per delivery, the tick lock

Revision ID: 7c1d2e3f4a5b
Revises: 5c1e0a7d2b43
Create Date: 2026-11-29 19:30:00
"""
import sqlalchemy as sa
from alembic import op

import core.toolkit

revision = '7c1d2e3f4a5b'
down_revision = '5c1e0a7d2b43'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # rows written before this revision get their key at their next attempt
    with op.batch_alter_table('schedule_reminder_delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=64), nullable=True))
    op.create_table('schedule_reminder_tick',
    sa.Column('minute', core.toolkit.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('minute', name=op.f('pk_schedule_reminder_tick'))
    )


def downgrade() -> None:
    op.drop_table('schedule_reminder_tick')
    with op.batch_alter_table('schedule_reminder_delivery', schema=None) as batch_op:
        batch_op.drop_column('idempotency_key')
