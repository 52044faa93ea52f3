"""Counts over everything a user sees, for the statistics endpoint."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core.toolkit import User

from .models import ACTIVE_STATUSES, Schedule
from .visibility import visible
from .windows import next_occurrence


def due_counts(dbsession: Session, registry, user: User, owner_ids=None) -> tuple[int, int]:
    """Over everything ``user`` sees (of ``owner_ids``, if given): (live schedules with an occurrence still to
    start, live ones wholly past)."""
    now = registry.clock.now()
    overdue = dbsession.scalar(select(func.count()).select_from(Schedule).where(
        *visible(user, owner_ids), Schedule.status.in_(ACTIVE_STATUSES), Schedule.series_end < now))
    one_offs_ahead = dbsession.scalar(select(func.count()).select_from(Schedule).where(
        *visible(user, owner_ids), Schedule.status.in_(ACTIVE_STATUSES), Schedule.recurrence_rule.is_(None),
        Schedule.start_time > now))
    # only a series needs expanding to know whether an occurrence is still to start
    series_not_over = dbsession.scalars(select(Schedule).where(
        *visible(user, owner_ids), Schedule.status.in_(ACTIVE_STATUSES), Schedule.recurrence_rule.is_not(None),
        or_(Schedule.series_end.is_(None), Schedule.series_end >= now))).all()
    horizon = registry.settings["tessera.schedule.conflict_horizon_days"]
    after = now + dt.timedelta(microseconds=1)
    upcoming = one_offs_ahead + sum(1 for schedule in series_not_over
                                    if next_occurrence(schedule, after, registry.site_timezone, horizon) is not None)
    return upcoming, overdue
