"""Schedules that follow another plugin's customer plans: changed and removed when the plan is."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.toolkit import User

from .models import Schedule
from .writes import remove_schedules, save_schedule


def _plan_schedule(dbsession: Session, plan_id: int, schedule_id: int) -> Schedule | None:
    return dbsession.scalar(select(Schedule).where(
        Schedule.id == schedule_id, Schedule.related_type == "customer_plan", Schedule.related_id == plan_id,
        Schedule.is_deleted.is_(False)))


def change_plan_schedule(dbsession: Session, registry, user: User, plan_id: int, schedule_id: int, title: str,
                         plan_time: dt.datetime, description: str, reminder_minutes: int, status: str) -> bool | None:
    """The plan changed: its schedule takes the same time, title, description, reminder and status."""
    schedule = _plan_schedule(dbsession, plan_id, schedule_id)
    if schedule is None:
        return None
    values = {"title": title[:200], "start_time": plan_time, "description": description,
              "reminder_time": reminder_minutes, "status": status}
    save_schedule(dbsession, registry, user, schedule, values, allow_conflict=True, tell_related=False)
    return True


def remove_plan_schedule(dbsession: Session, registry, user: User, plan_id: int, schedule_id: int,
                         reason: str) -> bool | None:
    """The plan (or its customer) was deleted: so is its schedule, its pending reminders cancelled saying why."""
    schedule = _plan_schedule(dbsession, plan_id, schedule_id)
    if schedule is None:
        return None
    remove_schedules(dbsession, registry, user, [schedule], tell_related=False, because=reason)
    return True
