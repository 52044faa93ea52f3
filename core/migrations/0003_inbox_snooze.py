"""inbox snooze

Revision ID: 9a4d1f7b2c60
Revises: 5c0f3e2a9d41
Create Date: 2026-11-29 20:45:00
"""
from alembic import op
import sqlalchemy as sa
import core.db

revision = '9a4d1f7b2c60'
down_revision = '5c0f3e2a9d41'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('core_notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('snoozed_until', core.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('core_notification', schema=None) as batch_op:
        batch_op.drop_column('snoozed_until')
