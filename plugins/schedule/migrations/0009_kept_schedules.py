"""kept schedules: ``kept_by`` names the plugin that keeps a schedule for one of its objects

Such a schedule only carries that object's reminder (a task's deadline) and is
listed nowhere. Every existing schedule is an ordinary one (NULL).

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


def upgrade() -> None:
    with op.batch_alter_table("schedule_schedule", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kept_by", sa.String(length=50), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("schedule_schedule", schema=None) as batch_op:
        batch_op.drop_column("kept_by")
