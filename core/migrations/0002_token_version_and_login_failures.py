"""token version and login failures

Revision ID: 5c0f3e2a9d41
Revises: b61372c3e636
Create Date: 2026-11-29 19:30:00
"""
from alembic import op
import sqlalchemy as sa
import core.db

revision = '5c0f3e2a9d41'
down_revision = 'b61372c3e636'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('core_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_version', sa.Integer(), server_default='0', nullable=False))

    op.create_table('core_login_failures',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_start', core.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_core_login_failures'))
    )
    with op.batch_alter_table('core_login_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_core_login_failures_window_start'), ['window_start'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('core_login_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_core_login_failures_window_start'))
    op.drop_table('core_login_failures')
    with op.batch_alter_table('core_user', schema=None) as batch_op:
        batch_op.drop_column('token_version')
