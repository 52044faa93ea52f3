"""shared calendars: attendees who are users, calendar grants, subscription feed secrets

Revision ID: 5c1e0a7d2b43
Revises: 5b1e7c2d9a40
Create Date: 2026-11-29 19:30:00
"""
from alembic import op
import sqlalchemy as sa
import core.toolkit

revision = '5c1e0a7d2b43'
down_revision = '5b1e7c2d9a40'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('schedule_attendee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('response', sa.String(length=20), nullable=False),
    sa.Column('responded_at', core.toolkit.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['schedule_id'], ['schedule_schedule.id'], name=op.f('fk_schedule_attendee_schedule_id_schedule_schedule'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], name=op.f('fk_schedule_attendee_user_id_core_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule_attendee')),
    sa.UniqueConstraint('schedule_id', 'user_id', name=op.f('uq_schedule_attendee_schedule_id_user_id'))
    )
    with op.batch_alter_table('schedule_attendee', schema=None) as batch_op:
        batch_op.create_index('ix_schedule_attendee_user_schedule', ['user_id', 'schedule_id'], unique=False)

    op.create_table('schedule_calendar_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('grantee_id', sa.Integer(), nullable=False),
    sa.Column('access', sa.String(length=20), nullable=False),
    sa.Column('create_datetime', core.toolkit.UTCDateTime(), nullable=False),
    sa.Column('update_datetime', core.toolkit.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['grantee_id'], ['core_user.id'], name=op.f('fk_schedule_calendar_grant_grantee_id_core_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['core_user.id'], name=op.f('fk_schedule_calendar_grant_owner_id_core_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule_calendar_grant')),
    sa.UniqueConstraint('owner_id', 'grantee_id', name=op.f('uq_schedule_calendar_grant_owner_id_grantee_id'))
    )
    with op.batch_alter_table('schedule_calendar_grant', schema=None) as batch_op:
        batch_op.create_index('ix_schedule_calendar_grant_grantee', ['grantee_id', 'access'], unique=False)

    op.create_table('schedule_feed_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('create_datetime', core.toolkit.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], name=op.f('fk_schedule_feed_token_user_id_core_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule_feed_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_schedule_feed_token_token_hash')),
    sa.UniqueConstraint('user_id', name=op.f('uq_schedule_feed_token_user_id'))
    )


def downgrade() -> None:
    op.drop_table('schedule_feed_token')
    with op.batch_alter_table('schedule_calendar_grant', schema=None) as batch_op:
        batch_op.drop_index('ix_schedule_calendar_grant_grantee')
    op.drop_table('schedule_calendar_grant')
    with op.batch_alter_table('schedule_attendee', schema=None) as batch_op:
        batch_op.drop_index('ix_schedule_attendee_user_schedule')
    op.drop_table('schedule_attendee')
