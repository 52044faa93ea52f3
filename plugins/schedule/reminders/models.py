"""The reminder engine's tables.

``schedule_reminder`` holds one row per (schedule, occurrence, lead, method): the spec's
ScheduleReminder plus the engine's bookkeeping (state, attempts, claim lease).
``schedule_reminder_delivery`` holds one row per recipient reached or being reached;
its UNIQUE key is what makes a second delivery to the same address impossible to write.
``schedule_reminder_horizon`` says, per schedule, up to when reminder rows exist,
so the tick extends only the series whose horizon comes within the window.
``schedule_reminder_tick`` holds one row per minute whose tick ran: the row is the
lock that lets exactly one worker process tick each minute, however many there are.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.toolkit import Base, UTCDateTime

# Reminder states. ``pending`` waits for ``next_attempt_at``; ``claimed`` is being sent by
# ``claimed_by`` until ``claimed_until``; the rest are final. ``cancelled`` is set by
# ``sync_reminders`` (schedule cancelled, completed, deleted or reminders switched off),
# ``skipped`` by the dispatcher (see ``dispatch.skip_reason``).
PENDING, CLAIMED, SENT, FAILED, SKIPPED, CANCELLED = "pending", "claimed", "sent", "failed", "skipped", "cancelled"

# Delivery states. ``sending`` is written before the provider is called; ``retry`` waits for
# the reminder's next attempt after a transient failure.
SENDING, RETRY = "sending", "retry"


class ScheduleReminder(Base):
    __tablename__ = "schedule_reminder"
    __table_args__ = (
        UniqueConstraint("schedule_id", "occurrence_start", "remind_method", "lead_minutes"),
        Index("ix_schedule_reminder_is_sent_remind_time", "is_sent", "remind_time"),
        # the claim queries: due pending rows, and claims whose lease ran out
        Index("ix_schedule_reminder_state_next_attempt", "state", "next_attempt_at"),
        Index("ix_schedule_reminder_state_claimed_until", "state", "claimed_until"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedule_schedule.id", ondelete="CASCADE"))
    occurrence_start: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    remind_time: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    remind_method: Mapped[str] = mapped_column(String(50))
    # which of the schedule's leads (minutes before the occurrence) this row is for
    lead_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    is_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    sent_time: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    send_result: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(20), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # when the reminder is (next) due: remind_time, "now" for one created late, or a retry's time
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    create_datetime: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ReminderDelivery(Base):
    """One recipient's copy of a reminder, keyed by (schedule, occurrence, lead, method, address)."""

    __tablename__ = "schedule_reminder_delivery"
    __table_args__ = (UniqueConstraint("schedule_id", "occurrence_start", "method", "address", "lead_minutes"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reminder_id: Mapped[int] = mapped_column(ForeignKey("schedule_reminder.id", ondelete="CASCADE"), index=True)
    schedule_id: Mapped[int] = mapped_column(Integer)
    occurrence_start: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    method: Mapped[str] = mapped_column(String(50))
    lead_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    address: Mapped[str] = mapped_column(String(254))
    recipient_name: Mapped[str] = mapped_column(String(150), default="")
    state: Mapped[str] = mapped_column(String(20), default=SENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[str] = mapped_column(Text, default="")
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_time: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    update_datetime: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # given to the channel with every attempt (``Notification.idempotency_key``): a receiver drops a repeat by it
    idempotency_key: Mapped[str | None] = mapped_column(String(64))


class ReminderHorizon(Base):
    """Reminder rows of the schedule exist for every remind time before ``reminders_until``;
    None once every occurrence has its rows (or the schedule needs none)."""

    __tablename__ = "schedule_reminder_horizon"

    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedule_schedule.id", ondelete="CASCADE"), primary_key=True)
    reminders_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)


class ReminderTick(Base):
    """The minute a worker ticked; the primary key lets only the first worker of each minute write it."""

    __tablename__ = "schedule_reminder_tick"

    minute: Mapped[dt.datetime] = mapped_column(UTCDateTime, primary_key=True)
