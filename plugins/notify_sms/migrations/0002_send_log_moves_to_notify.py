"""the send log moves to the notify plugin's notify_send_log

The notify plugin is migrated before this one (plugins migrate dependencies first),
so its table exists; the rows keep their ids' order and gain channel = 'sms'.

Revision ID: 9a4e6c1d2b70
Revises: 7d13002127db
Create Date: 2026-11-29 19:30:00
"""
from alembic import op

revision = '9a4e6c1d2b70'
down_revision = '7d13002127db'
branch_labels = None
depends_on = None

_COLUMNS = ("requested_at, requested_by, requested_by_name, via, recipient, template, backend, status, detail, "
            "finished_at")


def upgrade() -> None:
    op.execute(f"INSERT INTO notify_send_log ({_COLUMNS}, channel, outside) "
               f"SELECT {_COLUMNS}, 'sms', (requested_by IS NOT NULL) FROM notify_sms_send_log ORDER BY id")
    with op.batch_alter_table('notify_sms_send_log', schema=None) as batch_op:
        batch_op.drop_index('ix_notify_sms_send_log_requested_by_at')
    op.drop_table('notify_sms_send_log')


def downgrade() -> None:
    raise NotImplementedError("the sms send log now lives in notify_send_log; restore from a backup to go back")
