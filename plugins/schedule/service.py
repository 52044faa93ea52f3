"""What the schedule endpoints and hooks do, as plain functions: visibility, writes, conflicts, windows.

Views only translate HTTP to these calls. Every write goes through ``save_schedule``
so ``series_end`` and ``sequence`` stay right and the reminder engine hears about it.
"""
from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from core.api import BadRequest, Conflict, NotFound
from core.models import User
from core.timefmt import isoformat_local

from .models import ACTIVE_STATUSES, Schedule
from .recurrence import Occurrence, occurrences, series_end
from .reminders import reminders_json, sync_reminders

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

#: Fields whose change "moves" a schedule in time, and so triggers the conflict check.
TIME_FIELDS = ("start_time", "end_time", "is_all_day", "recurrence_rule")
MAX_CONFLICTS_SHOWN = 20


# --- who sees what -------------------------------------------------------------------

def visible(user: User) -> list[ColumnElement]:
    """Where-clauses for the schedules ``user`` may see and change: their own; an admin, all. Never the deleted."""
    clauses = [Schedule.is_deleted.is_(False)]
    if not user.is_admin:
        clauses.append(Schedule.creator_id == user.id)
    return clauses


def get_visible(dbsession: Session, user: User, schedule_id: int) -> Schedule:
    schedule = dbsession.scalar(select(Schedule).where(Schedule.id == schedule_id, *visible(user)))
    if schedule is None:
        raise NotFound("日程不存在")
    return schedule


def touching(window_start: dt.datetime, window_end: dt.datetime) -> list[ColumnElement]:
    """Where-clauses for the schedules that may have an occurrence in [window_start, window_end) (indexed)."""
    return [Schedule.start_time < window_end,
            or_(Schedule.series_end.is_(None), Schedule.series_end >= window_start)]


# --- writing ---------------------------------------------------------------------------

def check_status_change(old: str | None, new: str) -> None:
    if old is not None and new != old and new not in TRANSITIONS[old]:
        raise BadRequest.field("status", f"不能从「{STATUS_NAMES[old]}」变为「{STATUS_NAMES[new]}」")


def check_consistency(values: dict) -> None:
    """Rules across fields, checked on the merged values of a create, PUT or PATCH."""
    end = values.get("end_time")
    if end is not None and end < values["start_time"]:
        raise BadRequest.field("end_time", "结束时间不能早于开始时间")
    if (values.get("related_type") is None) != (values.get("related_id") is None):
        missing = "related_id" if values.get("related_type") is not None else "related_type"
        raise BadRequest.field(missing, "related_type 与 related_id 需同时提供")


def all_day_span(start: dt.datetime, end: dt.datetime | None, tz) -> tuple[dt.datetime, dt.datetime]:
    """Whole local days: from 00:00 of the first day to 00:00 after the last (exclusive, as iCalendar).

    An end exactly at a local midnight after the start is already exclusive; any
    other end means "through that day".
    """
    first_day = start.astimezone(tz).date()
    day_start = dt.datetime.combine(first_day, dt.time(0), tzinfo=tz)
    if end is None:
        last_day = first_day
    else:
        local_end = end.astimezone(tz)
        last_day = local_end.date()
        if local_end.time() == dt.time(0) and local_end > day_start:
            last_day -= dt.timedelta(days=1)
    after_last = dt.datetime.combine(max(last_day, first_day) + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    return day_start.astimezone(dt.timezone.utc), after_last.astimezone(dt.timezone.utc)


def save_schedule(dbsession: Session, registry, actor: User, schedule: Schedule, values: dict,
                  allow_conflict: bool = False) -> Schedule:
    """Apply validated ``values`` to ``schedule`` (new or existing) and keep everything derived in step.

    Raises BadRequest for a forbidden status change or inconsistent fields and
    Conflict (4005) for an overlap, before anything is flushed.
    """
    is_new = schedule.id is None
    current = {} if is_new else {key: getattr(schedule, key) for key in values}
    check_status_change(None if is_new else schedule.status, values.get("status", schedule.status))
    merged = {key: getattr(schedule, key) for key in ("start_time", "end_time", "related_type", "related_id")}
    merged.update(values)
    check_consistency(merged)
    tz = registry.site_timezone
    now = registry.clock.now()
    for key, value in values.items():
        setattr(schedule, key, value)
    if schedule.is_all_day:
        schedule.start_time, schedule.end_time = all_day_span(schedule.start_time, schedule.end_time, tz)
    schedule.series_end = series_end(schedule, tz)
    moved = is_new or any(current.get(key) != getattr(schedule, key) for key in TIME_FIELDS if key in current)
    if is_new:
        schedule.creator_id, schedule.create_datetime, schedule.sequence = actor.id, now, 0
        schedule.creator = dbsession.get(User, actor.id)
    else:
        schedule.sequence = (schedule.sequence or 0) + 1
    schedule.modifier_id, schedule.update_datetime = actor.id, now
    if moved and not allow_conflict:
        check_conflicts(dbsession, registry, schedule)
    dbsession.add(schedule)
    dbsession.flush()
    sync_reminders(dbsession, registry, schedule)
    return schedule


def set_status(dbsession: Session, registry, actor: User, schedule: Schedule, status: str) -> Schedule:
    if status == schedule.status:
        return schedule
    return save_schedule(dbsession, registry, actor, schedule, {"status": status})


def delete_schedules(dbsession: Session, registry, actor: User, schedule_ids: list[int]) -> int:
    """Soft-delete the listed schedules the actor may change; the number actually deleted."""
    schedules = dbsession.scalars(select(Schedule).where(Schedule.id.in_(schedule_ids), *visible(actor))).all()
    now = registry.clock.now()
    for schedule in schedules:
        schedule.is_deleted = True
        schedule.sequence = (schedule.sequence or 0) + 1
        schedule.modifier_id, schedule.update_datetime = actor.id, now
    dbsession.flush()
    for schedule in schedules:
        sync_reminders(dbsession, registry, schedule)
    return len(schedules)


# --- conflicts ------------------------------------------------------------------------------

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
        *([Schedule.id != schedule.id] if schedule.id is not None else []),
        *touching(window_start, window_end))).all()
    # own occurrences all last the same: sorted by start they are sorted by end too, so the one
    # starting last before another occurrence ends is the only one that can still overlap it
    own_starts = [mine.start for mine in own]
    clashes = []
    for other in others:
        for theirs in occurrences(other, window_start, window_end, tz):
            before = bisect.bisect_left(own_starts, theirs.end)
            if before and own[before - 1].end > theirs.start:
                clashes.append(occurrence_json(registry, other, theirs, ("title",)))
    if clashes:
        clashes.sort(key=lambda item: (item["start_time"], item["id"]))
        raise Conflict("时间冲突: 与已有日程重叠", {"conflicts": clashes[:MAX_CONFLICTS_SHOWN]}, code=4005)


# --- reading windows ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Window:
    start: dt.datetime
    end: dt.datetime


def day_window(day: dt.date, tz, days: int = 1) -> Window:
    """Local days [day, day + days) as UTC instants (DST days are 23 or 25 hours long)."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(day + dt.timedelta(days=days), dt.time(0), tzinfo=tz)
    return Window(start.astimezone(dt.timezone.utc), end.astimezone(dt.timezone.utc))


def occurrences_in(dbsession: Session, registry, user: User, window: Window) -> list[tuple[Schedule, Occurrence]]:
    """Every visible occurrence overlapping the window, in start order: one query whatever the window."""
    schedules = dbsession.scalars(select(Schedule).where(*visible(user), *touching(window.start, window.end))).all()
    found = [(schedule, occurrence) for schedule in schedules
             for occurrence in occurrences(schedule, window.start, window.end, registry.site_timezone)]
    found.sort(key=lambda pair: (pair[1].start, pair[0].id))
    return found


def days_touched(occurrence: Occurrence, tz) -> list[dt.date]:
    """The local days an occurrence covers (an end at midnight does not reach the next day)."""
    first = occurrence.start.astimezone(tz).date()
    if occurrence.end is None or occurrence.end <= occurrence.start:
        return [first]
    last = (occurrence.end - dt.timedelta(microseconds=1)).astimezone(tz).date()
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


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


def due_counts(dbsession: Session, registry, user: User) -> tuple[int, int]:
    """Over everything ``user`` sees: (live schedules with an occurrence still to start, live ones wholly past)."""
    now = registry.clock.now()
    overdue = dbsession.scalar(select(func.count()).select_from(Schedule).where(
        *visible(user), Schedule.status.in_(ACTIVE_STATUSES), Schedule.series_end < now))
    one_offs_ahead = dbsession.scalar(select(func.count()).select_from(Schedule).where(
        *visible(user), Schedule.status.in_(ACTIVE_STATUSES), Schedule.recurrence_rule.is_(None),
        Schedule.start_time > now))
    # only a series needs expanding to know whether an occurrence is still to start
    series_not_over = dbsession.scalars(select(Schedule).where(
        *visible(user), Schedule.status.in_(ACTIVE_STATUSES), Schedule.recurrence_rule.is_not(None),
        or_(Schedule.series_end.is_(None), Schedule.series_end >= now))).all()
    horizon = registry.settings["tessera.schedule.conflict_horizon_days"]
    after = now + dt.timedelta(microseconds=1)
    upcoming = one_offs_ahead + sum(1 for schedule in series_not_over
                                    if next_occurrence(schedule, after, registry.site_timezone, horizon) is not None)
    return upcoming, overdue


def upcoming_related(dbsession: Session, registry, user: User, related_type: str, related_ids: list[int],
                     limit: int) -> list[dict]:
    """What is planned for some objects: per object, at most ``limit`` live schedules by their next occurrence."""
    now = registry.clock.now()
    horizon = registry.settings["tessera.schedule.conflict_horizon_days"]
    candidates = dbsession.scalars(select(Schedule).where(
        *visible(user), Schedule.related_type == related_type, Schedule.related_id.in_(related_ids),
        Schedule.status.in_(ACTIVE_STATUSES), or_(Schedule.series_end.is_(None), Schedule.series_end >= now))).all()
    upcoming: dict[int, list] = {related_id: [] for related_id in related_ids}
    for schedule in candidates:
        occurrence = next_occurrence(schedule, now, registry.site_timezone, horizon)
        if occurrence is not None:
            upcoming[schedule.related_id].append((occurrence.start, schedule.id, schedule))
    return [{"id": schedule.id, "title": schedule.title, "start_time": isoformat_local(registry, start),
             "status": schedule.status, "related_type": schedule.related_type, "related_id": schedule.related_id}
            for related_id in related_ids for start, _, schedule in sorted(upcoming[related_id])[:limit]]


# --- JSON ------------------------------------------------------------------------------------------

def schedule_json(registry, schedule: Schedule) -> dict:
    local = lambda value: isoformat_local(registry, value)  # noqa: E731
    return {
        "id": schedule.id, "title": schedule.title, "description": schedule.description,
        "schedule_type": schedule.schedule_type, "start_time": local(schedule.start_time),
        "end_time": local(schedule.end_time), "location": schedule.location,
        "participants": schedule.participants or [], "status": schedule.status, "priority": schedule.priority,
        "is_all_day": schedule.is_all_day, "reminder_enabled": schedule.reminder_enabled,
        "reminder_time": schedule.reminder_time, "reminder_method": schedule.reminder_method,
        "related_type": schedule.related_type, "related_id": schedule.related_id,
        "recurrence_rule": schedule.recurrence_rule, "attachments": schedule.attachments or [],
        "remark": schedule.remark, "create_datetime": local(schedule.create_datetime),
        "update_datetime": local(schedule.update_datetime), "creator": schedule.creator.brief(),
    }


def schedule_detail_json(request, schedule: Schedule) -> dict:
    data = schedule_json(request.registry, schedule)
    related_info = None
    if schedule.related_type is not None:
        related_info = request.registry.tessera_plugin_manager.hook.tessera_related_info(
            registry=request.registry, dbsession=request.dbsession, related_type=schedule.related_type,
            related_id=schedule.related_id, user=request.identity)
    data["related_info"] = related_info
    data["reminders"] = reminders_json(request.dbsession, request.registry, schedule)
    return data


OCCURRENCE_FIELDS = ("title", "schedule_type", "status", "priority", "is_all_day", "location")


def occurrence_json(registry, schedule: Schedule, occurrence: Occurrence, fields=OCCURRENCE_FIELDS) -> dict:
    """One occurrence in a list: the series ``id``, its own times, ``occurrence`` (original start, or null)."""
    data = {"id": schedule.id}
    data.update({name: getattr(schedule, name) for name in fields})
    data.update({
        "start_time": isoformat_local(registry, occurrence.start),
        "end_time": isoformat_local(registry, occurrence.end),
        "occurrence": isoformat_local(registry, occurrence.original_start),
    })
    return data
