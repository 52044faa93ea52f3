"""an index for a person's schedules by status and time

The list endpoint's common filters (the caller's, not deleted, one status, by
start time) are then answered from the index alone: the count reads no table
page, and the page reads only its own rows.

Revision ID: 5b1e7c2d9a40
Revises: 19ff59724256
Create Date: 2026-11-29 19:40:00
"""
from alembic import op

revision = "5b1e7c2d9a40"
down_revision = "19ff59724256"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_schedule_schedule_creator_status_start", "schedule_schedule",
                    ["creator_id", "is_deleted", "status", "start_time"])


def downgrade() -> None:
    op.drop_index("ix_schedule_schedule_creator_status_start", table_name="schedule_schedule")
