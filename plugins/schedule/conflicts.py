"""Overlap checks: a timed schedule may not overlap another of the same owner (4005)."""
from __future__ import annotations

import bisect
import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from core.toolkit import Conflict, User

from .models import Schedule
from .recurrence import occurrences
from .shapes import occurrence_json
from .windows import touching

MAX_CONFLICTS_SHOWN = 20


def takes_time(schedule: Schedule) -> bool:
    """Only timed, live schedules with an end can overlap: not all-day, not cancelled, not deleted."""
    return (schedule.end_time is not None and not schedule.is_all_day
            and schedule.status != "cancelled" and not schedule.is_deleted)


def conflict_window(schedule: Schedule, now: dt.datetime, horizon_days: int) -> tuple[dt.datetime, dt.datetime]:
    """Where to look for overlaps: a one-off's own span; a series from its first start (or now, if later)
    for at most the configured horizon."""
    if not schedule.recurrence_rule:
        return schedule.start_time, schedule.end_time
    window_start = max(schedule.start_time, now)
    window_end = window_start + dt.timedelta(days=horizon_days)
    if schedule.series_end is not None:
        window_end = min(window_end, schedule.series_end)
    return window_start, window_end


def not_family(schedule: Schedule) -> list[ColumnElement]:
    """Where-clauses leaving out the schedule's own series parts: the series it came from, the parts and
    occurrences taken out of it, and its siblings (exceptions.py). A series never conflicts with itself."""
    clauses = []
    if schedule.id is not None:
        clauses.append(or_(Schedule.series_id.is_(None), Schedule.series_id != schedule.id))
    if schedule.series_id is not None:
        clauses += [Schedule.id != schedule.series_id,
                    or_(Schedule.series_id.is_(None), Schedule.series_id != schedule.series_id)]
    return clauses


def lock_creator(dbsession: Session, creator_id: int) -> None:
    """Serialise conflict checks per owner: two requests cannot both see "no overlap" and both write.

    PostgreSQL locks the owner's user row until commit; SQLite's writers are already
    serialised by BEGIN IMMEDIATE (SQLAlchemy leaves FOR UPDATE out there).
    """
    dbsession.execute(select(User.id).where(User.id == creator_id).with_for_update())


def check_conflicts(dbsession: Session, registry, schedule: Schedule) -> None:
    if not takes_time(schedule):
        return
    tz = registry.site_timezone
    lock_creator(dbsession, schedule.creator_id)
    window_start, window_end = conflict_window(
        schedule, registry.clock.now(), registry.settings["tessera.schedule.conflict_horizon_days"])
    own = list(occurrences(schedule, window_start, window_end, tz))
    if not own:
        return
    others = dbsession.scalars(select(Schedule).where(
        Schedule.creator_id == schedule.creator_id, Schedule.is_deleted.is_(False),
        Schedule.status != "cancelled", Schedule.is_all_day.is_(False), Schedule.end_time.is_not(None),
        *([Schedule.id != schedule.id] if schedule.id is not None else []), *not_family(schedule),
        *touching(window_start, window_end))).all()
    # own occurrences all last the same: sorted by start they are sorted by end too, so the one
    # starting last before another occurrence ends is the only one that can still overlap it
    own_starts = [mine.start for mine in own]
    clashes = []
    for other in others:
        for theirs in occurrences(other, window_start, window_end, tz):
            before = bisect.bisect_left(own_starts, theirs.end)
            if before and own[before - 1].end > theirs.start:
                clashes.append(occurrence_json(registry, other, theirs, ("title",), with_owner=False))
    if clashes:
        clashes.sort(key=lambda item: (item["start_time"], item["id"]))
        raise Conflict("时间冲突: 与已有日程重叠", {"conflicts": clashes[:MAX_CONFLICTS_SHOWN]}, code=4005)
