"""tasks remember which deadline a reminder plugin was asked to remind of

Every existing task starts with NULL, "never asked": the periodic pass of
deadlines.follow_unfollowed_deadlines hands the open ones with a deadline ahead
to the plugin that keeps reminders, so a site upgraded to deadline reminders
(or one enabling the schedule plugin later) reminds of the tasks it already has.

Revision ID: 5c2f8e7a9d14
Revises: 102550024676
Create Date: 2026-11-29 23:40:00
"""
from alembic import op
import sqlalchemy as sa

import core.toolkit

revision = '5c2f8e7a9d14'
down_revision = '102550024676'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('contacts_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deadline_reminder_for', core.toolkit.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('contacts_task', schema=None) as batch_op:
        batch_op.drop_column('deadline_reminder_for')
