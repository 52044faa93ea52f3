"""The schedule plugin's tables: schedules (one-offs and series).

Reminder rows live in ``reminders/models.py``; attendees, calendar grants and feed secrets in ``sharing_models.py``.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.toolkit import Base, User, UTCDateTime

if TYPE_CHECKING:
    from .sharing_models import Attendee

STATUSES = ("pending", "in_progress", "completed", "cancelled")


SCHEDULE_TYPES = ("meeting", "court", "deadline", "reminder", "other")


PRIORITIES = ("low", "medium", "high", "urgent")


RELATED_TYPES = ("case", "customer", "customer_plan", "visit")


#: Allowed status changes; staying in the same status is not a change and always allowed.
TRANSITIONS = {
    "pending": {"in_progress", "completed", "cancelled"},
    "in_progress": {"pending", "completed", "cancelled"},
    "completed": {"pending"},
    "cancelled": {"pending"},
}


STATUS_NAMES = {"pending": "待处理", "in_progress": "进行中", "completed": "已完成", "cancelled": "已取消"}


#: which occurrences of a series a change applies to: one, it and every later one, or all (exceptions.py)
SCOPES = ("this", "following", "all")


#: the statuses of a schedule that still lies ahead of its people: it reminds, counts as upcoming or overdue
ACTIVE_STATUSES = ("pending", "in_progress")


class Schedule(Base):
    """A calendar entry. With ``recurrence_rule`` it is a series; its occurrences are computed, not stored.

    ``series_end`` is the end of the last occurrence (for a one-off: its end, or its
    start when it has none; for an endless series: None). With ``start_time`` it lets
    one indexed query find every schedule that may touch a window.
    """

    __tablename__ = "schedule_schedule"
    __table_args__ = (
        Index("ix_schedule_schedule_creator_start", "creator_id", "start_time"),
        # the list's common filters answered from the index alone (migrations 0002, 0009: kept schedules are left out)
        Index("ix_schedule_schedule_creator_status_start", "creator_id", "is_deleted", "kept_by", "status", "start_time"),
        # windows (day, week, month) pass over what ended before them inside the index (migration 0006)
        Index("ix_schedule_schedule_creator_window", "creator_id", "is_deleted", "start_time", "series_end"),
        Index("ix_schedule_schedule_related", "related_type", "related_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    schedule_type: Mapped[str] = mapped_column(String(50))
    start_time: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    end_time: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    series_end: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    location: Mapped[str] = mapped_column(String(500), default="")
    participants: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    priority: Mapped[str] = mapped_column(String(20), default="medium")
    is_all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    reminder_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    reminder_time: Mapped[int] = mapped_column(Integer, default=30)
    reminder_method: Mapped[str] = mapped_column(String(200), default="system")
    # the leads after the first (which is reminder_time/reminder_method): [{"minutes", "method"}]
    more_reminders: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    related_type: Mapped[str | None] = mapped_column(String(50))
    related_id: Mapped[int | None] = mapped_column(Integer)
    # SQL NULL (not JSON null) for a one-off, so queries can tell one-offs from series
    recurrence_rule: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    remark: Mapped[str] = mapped_column(Text, default="")
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # an occurrence taken out of a series (exceptions.py): the series it came from, and its original start there;
    # a series split off by "this and following" has series_id and no recurrence_id
    series_id: Mapped[int | None] = mapped_column(ForeignKey("schedule_schedule.id"), index=True)
    recurrence_id: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    create_datetime: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    update_datetime: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    creator_id: Mapped[int] = mapped_column(ForeignKey("core_user.id"))
    modifier_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"))
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # the plugin that keeps this schedule for one of its own objects (``related_type``/``related_id``), only to
    # carry that object's reminder through the engine (kept.py); it shows the object itself, so the schedule
    # is listed nowhere (``LISTED``). None for every schedule people make.
    kept_by: Mapped[str | None] = mapped_column(String(50))

    creator: Mapped[User] = relationship(foreign_keys=[creator_id], lazy="joined")
    modifier: Mapped[User | None] = relationship(foreign_keys=[modifier_id])
    # the participants who are site users, with their answers (sharing_models.py); kept in step by save_schedule
    attendees: Mapped[list[Attendee]] = relationship(cascade="all, delete-orphan", order_by="Attendee.id")

    @property
    def methods(self) -> list[str]:
        return channels(self.reminder_method)

    @property
    def leads(self) -> list[tuple[int, list[str]]]:
        """Every reminder lead as (minutes before, channels): ``reminder_time``/``reminder_method`` first."""
        return [(self.reminder_time, self.methods)] + [
            (int(lead["minutes"]), channels(lead.get("method"))) for lead in self.more_reminders or ()]


#: where-clauses of the schedules people see, list and change: not deleted, and not kept by another plugin
LISTED = (Schedule.is_deleted.is_(False), Schedule.kept_by.is_(None))


def channels(reminder_method: str | None) -> list[str]:
    """The channel names of a comma list such as ``"system,email"``."""
    return [m.strip() for m in (reminder_method or "").split(",") if m.strip()]
