"""inbox messages link to their source generically

The inbox kept one plugin's id (``schedule_id``); a message now carries a generic
link, ``source`` + ``source_id``, that any plugin fills. Existing links move over
as ``source = 'schedule'``: this history is the one place the core still names them.

Revision ID: 4b2c7cc600c8
Revises: 9a4d1f7b2c60
Create Date: 2026-11-29 19:30:00
"""
from alembic import op
import sqlalchemy as sa

revision = '4b2c7cc600c8'
down_revision = '9a4d1f7b2c60'
branch_labels = None
depends_on = None

LEGACY_SOURCE = 'schedule'


def upgrade() -> None:
    with op.batch_alter_table('core_notification') as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('source_id', sa.Integer(), nullable=True))
    op.execute(sa.text("UPDATE core_notification SET source = :source, source_id = schedule_id "
                       "WHERE schedule_id IS NOT NULL").bindparams(source=LEGACY_SOURCE))
    with op.batch_alter_table('core_notification') as batch_op:
        batch_op.drop_column('schedule_id')


def downgrade() -> None:
    with op.batch_alter_table('core_notification') as batch_op:
        batch_op.add_column(sa.Column('schedule_id', sa.Integer(), nullable=True))
    op.execute(sa.text("UPDATE core_notification SET schedule_id = source_id WHERE source = :source")
               .bindparams(source=LEGACY_SOURCE))
    with op.batch_alter_table('core_notification') as batch_op:
        batch_op.drop_column('source_id')
        batch_op.drop_column('source')
