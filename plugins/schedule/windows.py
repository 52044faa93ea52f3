"""Reading time windows: which schedules touch a window, their occurrences, by day."""
from __future__ import annotations

import collections
import datetime as dt
import functools
from dataclasses import dataclass

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from core.toolkit import User, isoformat_local, local_date

from .models import ACTIVE_STATUSES, Schedule
from .recurrence import Occurrence, occurrences
from .visibility import reach, reach_clauses, readable


def touching(window_start, window_end) -> list[ColumnElement]:
    """Where-clauses for the schedules that may have an occurrence in [window_start, window_end) (indexed):
    instants, or bind parameters in a statement built once."""
    return [Schedule.start_time < window_end,
            or_(Schedule.series_end.is_(None), Schedule.series_end >= window_start)]


@dataclass(frozen=True)
class Window:
    start: dt.datetime
    end: dt.datetime


def day_window(day: dt.date, tz, days: int = 1) -> Window:
    """Local days [day, day + days) as UTC instants (DST days are 23 or 25 hours long)."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(day + dt.timedelta(days=days), dt.time(0), tzinfo=tz)
    return Window(start.astimezone(dt.timezone.utc), end.astimezone(dt.timezone.utc))


_WINDOW_FIELDS = ("id", "title", "schedule_type", "status", "priority", "is_all_day", "location", "start_time",
                  "end_time", "recurrence_rule", "creator_id")
#: what reading a window needs of a schedule: read-only rows of these, not ORM objects
WINDOW_COLUMNS = tuple(getattr(Schedule, name) for name in _WINDOW_FIELDS)
# A window's rows as named tuples: a view reads their fields once per occurrence (a week of a busy
# calendar: thousands of times), and a named tuple's field costs a tenth of a SQLAlchemy row's.
WindowRow = collections.namedtuple("WindowRow", _WINDOW_FIELDS)


@functools.lru_cache(maxsize=64)
def _window_rows(reach_shape: tuple):
    """The rows a window of one shape of calendar reads: built once, run with its values."""
    return select(*WINDOW_COLUMNS).where(*reach_clauses(reach_shape),
                                         *touching(bindparam("window_start"), bindparam("window_end")))


def occurrences_in(dbsession: Session, registry, user: User, window: Window, owner_ids=None) -> list[tuple]:
    """Every visible occurrence (of ``owner_ids``' calendars, if given) overlapping the window, in start order,
    as (``WindowRow``, occurrence): one query whatever the window."""
    seen = reach(dbsession, user, owner_ids)
    schedules = map(WindowRow._make, dbsession.connection().execute(
        _window_rows(seen.shape), {**seen.values, "window_start": window.start, "window_end": window.end}).all())
    found = [(schedule, occurrence) for schedule in schedules
             for occurrence in occurrences(schedule, window.start, window.end, registry.site_timezone)]
    found.sort(key=lambda pair: (pair[1].start, pair[0].id))
    return found


def calendar_items(dbsession: Session, registry, user: User, window: Window) -> list[tuple[dict, Occurrence]]:
    """Items other plugins keep on ``user``'s calendar in the window (``tessera_calendar_items``), each with its span."""
    answers = registry.tessera_plugin_manager.hook.tessera_calendar_items(
        registry=registry, dbsession=dbsession, user=user, start=window.start, end=window.end)
    found = [(item, Occurrence(item["start"], item["end"], None)) for answer in answers for item in answer or ()]
    found.sort(key=lambda pair: (pair[1].start, str(pair[0]["id"])))
    return found


_ONE_MICROSECOND = dt.timedelta(microseconds=1)


def days_touched(occurrence: Occurrence, tz) -> tuple[dt.date, ...]:
    """The local days an occurrence covers (an end at midnight does not reach the next day)."""
    return _days_between(occurrence.start, occurrence.end, tz)


# remembered: a calendar's occurrences share a few spans (everyone's 9:00–10:00 of each day)
@functools.lru_cache(maxsize=16384)
def _days_between(start: dt.datetime, end: dt.datetime | None, tz) -> tuple[dt.date, ...]:
    first = local_date(start, tz)
    if end is None or end <= start:
        return (first,)
    last = local_date(end - _ONE_MICROSECOND, tz)
    return tuple(first + dt.timedelta(days=n) for n in range((last - first).days + 1))


def by_day(pairs: list[tuple[Schedule, Occurrence]], tz, window_days: list[dt.date]) -> dict[dt.date, list]:
    grouped: dict[dt.date, list] = {day: [] for day in window_days}
    for schedule, occurrence in pairs:
        for day in days_touched(occurrence, tz):
            if day in grouped:
                grouped[day].append((schedule, occurrence))
    return grouped


def next_occurrence(schedule: Schedule, after: dt.datetime, tz, horizon_days: int) -> Occurrence | None:
    """The first occurrence starting at or after ``after`` within the horizon."""
    for occurrence in occurrences(schedule, after, after + dt.timedelta(days=horizon_days), tz):
        if occurrence.start >= after:
            return occurrence
    return None


def upcoming_related(dbsession: Session, registry, user: User, related_type: str, related_ids: list[int],
                     limit: int) -> list[dict]:
    """What is planned for some objects: per object, at most ``limit`` live schedules by their next occurrence."""
    now = registry.clock.now()
    horizon = registry.settings["tessera.schedule.conflict_horizon_days"]
    candidates = dbsession.scalars(select(Schedule).where(
        *readable(registry, dbsession, user), Schedule.related_type == related_type, Schedule.related_id.in_(related_ids),
        Schedule.status.in_(ACTIVE_STATUSES), or_(Schedule.series_end.is_(None), Schedule.series_end >= now))).all()
    upcoming: dict[int, list] = {related_id: [] for related_id in related_ids}
    for schedule in candidates:
        occurrence = next_occurrence(schedule, now, registry.site_timezone, horizon)
        if occurrence is not None:
            upcoming[schedule.related_id].append((occurrence.start, schedule.id, schedule))
    return [{"id": schedule.id, "title": schedule.title, "start_time": isoformat_local(registry, start),
             "status": schedule.status, "related_type": schedule.related_type, "related_id": schedule.related_id}
            for related_id in related_ids for start, _, schedule in sorted(upcoming[related_id])[:limit]]
