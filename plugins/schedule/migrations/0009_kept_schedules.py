"""kept schedules: ``kept_by`` names the plugin that keeps a schedule for one of its objects

Such a schedule only carries that object's reminder (a task's deadline) and is
listed nowhere, so every list filters on ``kept_by IS NULL``. The list's index
takes the column after ``is_deleted``: without it a count of the whole site by
status (an admin's list) could no longer be answered from the index alone, and
SQLite chose to walk the window index for the page instead (100,000 schedules:
19 ms became 128 ms). Every existing schedule is an ordinary one (NULL).

Revision ID: 3b7e1d9c4a26
Revises: 9a6d3f1b2c58
Create Date: 2026-11-29 22:50:00
"""
from alembic import op
import sqlalchemy as sa

revision = "3b7e1d9c4a26"
down_revision = "9a6d3f1b2c58"
branch_labels = None
depends_on = None

LIST_INDEX = "ix_schedule_schedule_creator_status_start"


def upgrade() -> None:
    with op.batch_alter_table("schedule_schedule", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kept_by", sa.String(length=50), nullable=True))
        batch_op.drop_index(LIST_INDEX)
        batch_op.create_index(LIST_INDEX, ["creator_id", "is_deleted", "kept_by", "status", "start_time"])


def downgrade() -> None:
    with op.batch_alter_table("schedule_schedule", schema=None) as batch_op:
        batch_op.drop_index(LIST_INDEX)
        batch_op.create_index(LIST_INDEX, ["creator_id", "is_deleted", "status", "start_time"])
        batch_op.drop_column("kept_by")
