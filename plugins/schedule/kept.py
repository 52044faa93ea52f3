"""Schedules another plugin keeps for one of its own objects, only to remind someone of a moment of it.

The contacts plugin asks through its ``tessera_keep_deadline_reminder`` hook that a task's owner be
reminded before the task's deadline, and through ``tessera_drop_deadline_reminder`` that this stop. The
answer is a schedule like any other to the reminder engine — so the reminder is materialised, claimed,
sent, retried and never sent twice exactly as a schedule's — but marked ``kept_by`` the asking plugin
and about its object (``related_type``/``related_id``): the object shows on calendars itself
(``tessera_calendar_items``), so the schedule is listed nowhere (``models.LISTED``), is changed only
here, and publishes no ``schedule.*`` events. One such schedule per object; dropping deletes it, keeping
again brings the same one back, so a reminder already sent for a moment is not sent again for it.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.toolkit import User

from .models import Schedule
from .writes import remove_schedules, save_schedule


def _kept(dbsession: Session, keeper: str, related_type: str, related_id: int) -> Schedule | None:
    return dbsession.scalar(select(Schedule).where(
        Schedule.kept_by == keeper, Schedule.related_type == related_type, Schedule.related_id == related_id)
        .order_by(Schedule.id.desc()).limit(1))


def keep_reminder(dbsession: Session, registry, actor: User, keeper: str, related_type: str, related_id: int,
                  owner_id: int, title: str, text: str, moment: dt.datetime, lead_minutes: int,
                  methods: list[str]) -> Schedule:
    """Remind ``owner_id`` ``lead_minutes`` before ``moment`` on ``methods``, saying ``title`` and ``text``."""
    schedule = _kept(dbsession, keeper, related_type, related_id) or Schedule(
        schedule_type="deadline", end_time=None, status="pending", priority="medium", kept_by=keeper,
        related_type=related_type, related_id=related_id)
    owner = dbsession.get(User, owner_id)
    values = {"title": title[:200], "description": text, "start_time": moment, "is_deleted": False,
              "creator_id": owner.id, "creator": owner, "reminder_enabled": True, "reminder_time": lead_minutes,
              "reminder_method": ",".join(methods), "more_reminders": None}
    return save_schedule(dbsession, registry, actor, schedule, values, allow_conflict=True, owner=owner,
                         tell_related=False)


def drop_reminder(dbsession: Session, registry, actor: User, keeper: str, related_type: str, related_id: int,
                  reason: str) -> bool | None:
    """Stop reminding of the object: its kept schedule is deleted, a pending reminder cancelled saying ``reason``."""
    schedule = _kept(dbsession, keeper, related_type, related_id)
    if schedule is None or schedule.is_deleted:
        return None
    remove_schedules(dbsession, registry, actor, [schedule], tell_related=False, because=reason)
    return True
