"""series exceptions: an occurrence or a following part taken out of a series points back to it

Revision ID: 8e3a5c2d0f17
Revises: 8c4f2e6a1d73
Create Date: 2026-11-29 20:10:00
"""
from alembic import op
import sqlalchemy as sa
import core.toolkit

revision = '8e3a5c2d0f17'
down_revision = '8c4f2e6a1d73'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('schedule_schedule', schema=None) as batch_op:
        batch_op.add_column(sa.Column('series_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('recurrence_id', core.toolkit.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_schedule_schedule_series_id'), ['series_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_schedule_schedule_series_id_schedule_schedule'),
                                    'schedule_schedule', ['series_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('schedule_schedule', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_schedule_schedule_series_id_schedule_schedule'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_schedule_schedule_series_id'))
        batch_op.drop_column('recurrence_id')
        batch_op.drop_column('series_id')
