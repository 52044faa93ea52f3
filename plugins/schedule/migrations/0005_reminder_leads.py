"""several reminders per schedule: more_reminders, and the lead in the reminder and delivery keys

Revision ID: 7d2f4b1c9e06
Revises: 7c1d2e3f4a5b
Create Date: 2026-11-29 19:50:00
"""
from alembic import op
import sqlalchemy as sa

revision = '7d2f4b1c9e06'
down_revision = '7c1d2e3f4a5b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('schedule_schedule', schema=None) as batch_op:
        batch_op.add_column(sa.Column('more_reminders', sa.JSON(none_as_null=True), nullable=True))
    with op.batch_alter_table('schedule_reminder', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lead_minutes', sa.Integer(), server_default='0', nullable=False))
    # rows written before leads existed were for the schedule's one lead
    op.execute("UPDATE schedule_reminder SET lead_minutes = (SELECT reminder_time FROM schedule_schedule"
               " WHERE schedule_schedule.id = schedule_reminder.schedule_id)")
    with op.batch_alter_table('schedule_reminder', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('uq_schedule_reminder_schedule_id_occurrence_start_remind_method'), type_='unique')
        batch_op.create_unique_constraint(
            op.f('uq_schedule_reminder_schedule_id_occurrence_start_remind_method_lead_minutes'),
            ['schedule_id', 'occurrence_start', 'remind_method', 'lead_minutes'])
    with op.batch_alter_table('schedule_reminder_delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lead_minutes', sa.Integer(), server_default='0', nullable=False))
    op.execute("UPDATE schedule_reminder_delivery SET lead_minutes = (SELECT lead_minutes FROM schedule_reminder"
               " WHERE schedule_reminder.id = schedule_reminder_delivery.reminder_id)")
    with op.batch_alter_table('schedule_reminder_delivery', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('uq_schedule_reminder_delivery_schedule_id_occurrence_start_method_address'),
                                 type_='unique')
        batch_op.create_unique_constraint(
            op.f('uq_schedule_reminder_delivery_schedule_id_occurrence_start_method_address_lead_minutes'),
            ['schedule_id', 'occurrence_start', 'method', 'address', 'lead_minutes'])


def downgrade() -> None:
    with op.batch_alter_table('schedule_reminder_delivery', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('uq_schedule_reminder_delivery_schedule_id_occurrence_start_method_address_lead_minutes'),
                                 type_='unique')
        batch_op.create_unique_constraint(op.f('uq_schedule_reminder_delivery_schedule_id_occurrence_start_method_address'),
                                          ['schedule_id', 'occurrence_start', 'method', 'address'])
        batch_op.drop_column('lead_minutes')
    with op.batch_alter_table('schedule_reminder', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('uq_schedule_reminder_schedule_id_occurrence_start_remind_method_lead_minutes'),
                                 type_='unique')
        batch_op.create_unique_constraint(op.f('uq_schedule_reminder_schedule_id_occurrence_start_remind_method'),
                                          ['schedule_id', 'occurrence_start', 'remind_method'])
        batch_op.drop_column('lead_minutes')
    with op.batch_alter_table('schedule_schedule', schema=None) as batch_op:
        batch_op.drop_column('more_reminders')
