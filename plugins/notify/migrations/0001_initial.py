"""notify: the shared send log

Revision ID: 5b1f0c2a9e41
Revises:
Create Date: 2026-11-29 19:30:00
"""
from alembic import op
import sqlalchemy as sa
import core.toolkit

revision = '5b1f0c2a9e41'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notify_send_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('requested_at', core.toolkit.UTCDateTime(), nullable=False),
    sa.Column('requested_by', sa.Integer(), nullable=True),
    sa.Column('requested_by_name', sa.String(length=150), nullable=True),
    sa.Column('via', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=50), nullable=False),
    sa.Column('recipient', sa.String(length=320), nullable=False),
    sa.Column('outside', sa.Boolean(), nullable=False),
    sa.Column('template', sa.String(length=100), nullable=False),
    sa.Column('backend', sa.String(length=50), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=True),
    sa.Column('finished_at', core.toolkit.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notify_send_log'))
    )
    with op.batch_alter_table('notify_send_log', schema=None) as batch_op:
        batch_op.create_index('ix_notify_send_log_requested_by_at', ['requested_by', 'requested_at'], unique=False)
        batch_op.create_index('ix_notify_send_log_requested_at', ['requested_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('notify_send_log', schema=None) as batch_op:
        batch_op.drop_index('ix_notify_send_log_requested_at')
        batch_op.drop_index('ix_notify_send_log_requested_by_at')
    op.drop_table('notify_send_log')
