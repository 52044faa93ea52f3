"""Schedules that follow another plugin's customer plans: made, changed and removed when the plan is.

Customer plans belong to the plugin that owns customers (contacts): it creates
every plan and asks for the plan's schedule through its ``tessera_create_plan_schedule``
hook, answered here — whether the plan came through its API or through this
plugin's ``create_from_customer_plan`` — and tells of a plan's changes and
deletion through ``tessera_change_plan_schedule`` and ``tessera_remove_plan_schedule``.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.toolkit import User

from .models import Schedule
from .writes import remove_schedules, save_schedule

PLAN_RELATED_TYPE = "customer_plan"


def create_plan_schedule(dbsession: Session, registry, user: User, plan_id: int, title: str, plan_time: dt.datetime,
                         description: str, reminder_minutes: int) -> Schedule:
    """A new plan's schedule: a reminder at the plan's time, made at contacts' request (so not told back)."""
    values = {
        "title": title, "description": description, "schedule_type": "reminder", "start_time": plan_time,
        "end_time": None, "status": "pending", "priority": "medium",
        "related_type": PLAN_RELATED_TYPE, "related_id": plan_id,
        "reminder_enabled": True, "reminder_time": reminder_minutes,
    }
    return save_schedule(dbsession, registry, user, Schedule(), values, tell_related=False)


def _plan_schedule(dbsession: Session, plan_id: int, schedule_id: int) -> Schedule | None:
    return dbsession.scalar(select(Schedule).where(
        Schedule.id == schedule_id, Schedule.related_type == PLAN_RELATED_TYPE, Schedule.related_id == plan_id,
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
