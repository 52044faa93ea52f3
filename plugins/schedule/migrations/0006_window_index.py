"""an index for a person's schedules by time window

Reading a window (a day, a week, a month) asks for the schedules that start
before its end and end after its start. With both times in one index, the
schedules that end before the window are passed over in the index; only the
ones in the window are read from the table.

Revision ID: 8c4f2e6a1d73
Revises: 7d2f4b1c9e06
Create Date: 2026-11-29 19:50:00
"""
from alembic import op

revision = "8c4f2e6a1d73"
down_revision = "7d2f4b1c9e06"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_schedule_schedule_creator_window", "schedule_schedule",
                    ["creator_id", "is_deleted", "start_time", "series_end"])


def downgrade() -> None:
    op.drop_index("ix_schedule_schedule_creator_window", table_name="schedule_schedule")
