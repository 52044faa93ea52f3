"""the status index goes: it made the list scan every schedule of a status

A person's list reads their own schedules and those of the customers whose
team they are on: ``creator_id = … OR (related_type, related_id) IN …``. With
an index on ``status`` alone, SQLite answered that by walking every schedule
of the status asked for (25,000 of 100,000); without it, it takes each side
from its own index (``(creator_id, is_deleted, status, start_time)`` and
``(related_type, related_id)``) and joins them. A list of the whole site by
status (an admin's) then reads the table instead.

Revision ID: 9a6d3f1b2c58
Revises: 8e3a5c2d0f17
Create Date: 2026-11-29 20:55:00
"""
from alembic import op

revision = "9a6d3f1b2c58"
down_revision = "8e3a5c2d0f17"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_schedule_schedule_status", table_name="schedule_schedule")


def downgrade() -> None:
    op.create_index("ix_schedule_schedule_status", "schedule_schedule", ["status"])
