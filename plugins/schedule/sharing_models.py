"""The tables of shared calendars: who attends a schedule, who may see or manage whose calendar, feed secrets.

``schedule_attendee`` mirrors the participants that reference a site user (``user_id``):
one row per (schedule, user), kept in step by ``save_schedule``, with the user's answer.
It is what makes "the schedules I attend" one indexed query.
``schedule_calendar_grant`` is one owner's grant to one other user: ``freebusy`` (busy
intervals only), ``read`` (sees everything) or ``write`` (also creates and edits in the
owner's name).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.toolkit import Base, User, UTCDateTime

NEEDS_ACTION, ACCEPTED, DECLINED, TENTATIVE = "needs_action", "accepted", "declined", "tentative"
#: what an attendee may answer (``needs_action`` is the state before any answer)
RESPONSES = (ACCEPTED, DECLINED, TENTATIVE)

FREEBUSY, READ, WRITE = "freebusy", "read", "write"
#: grant levels, each including the ones before it
ACCESS_LEVELS = (FREEBUSY, READ, WRITE)


class Attendee(Base):
    __tablename__ = "schedule_attendee"
    __table_args__ = (
        UniqueConstraint("schedule_id", "user_id"),
        Index("ix_schedule_attendee_user_schedule", "user_id", "schedule_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedule_schedule.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("core_user.id", ondelete="CASCADE"))
    response: Mapped[str] = mapped_column(String(20), default=NEEDS_ACTION)
    responded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")


class CalendarGrant(Base):
    __tablename__ = "schedule_calendar_grant"
    __table_args__ = (
        UniqueConstraint("owner_id", "grantee_id"),
        Index("ix_schedule_calendar_grant_grantee", "grantee_id", "access"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("core_user.id", ondelete="CASCADE"))
    grantee_id: Mapped[int] = mapped_column(ForeignKey("core_user.id", ondelete="CASCADE"))
    access: Mapped[str] = mapped_column(String(20))
    create_datetime: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    update_datetime: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    owner: Mapped[User] = relationship(foreign_keys=[owner_id], lazy="joined")
    grantee: Mapped[User] = relationship(foreign_keys=[grantee_id], lazy="joined")


class FeedToken(Base):
    """A user's secret subscription feed: only the SHA-256 of the token is kept; one feed per user."""

    __tablename__ = "schedule_feed_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("core_user.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    create_datetime: Mapped[dt.datetime] = mapped_column(UTCDateTime)
