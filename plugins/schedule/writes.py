"""Every write of a schedule goes through ``save_schedule``, so ``series_end`` and ``sequence``
stay right, conflicts are checked and the reminder engine hears about it."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.toolkit import BadRequest, User, publish_event

from .conflicts import check_conflicts
from .models import STATUS_NAMES, TRANSITIONS, Schedule
from .outside import check_outside_recipients
from .recurrence import series_end
from .reminders import sync_reminders
from .shapes import schedule_json
from .sharing import resolve_participants, sync_attendees
from .visibility import editable

#: Fields whose change decides who is reminded, and so triggers the outside-recipients check.
REMINDING_FIELDS = {"participants", "reminder_enabled", "reminder_method", "more_reminders"}
#: Fields whose change "moves" a schedule in time, and so triggers the conflict check.
TIME_FIELDS = ("start_time", "end_time", "is_all_day", "recurrence_rule")


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


def split_leads(values: dict) -> dict:
    """``reminder_leads`` as stored: the first lead is ``reminder_time``/``reminder_method``, the rest ``more_reminders``."""
    if "reminder_leads" not in values:
        return values
    values = dict(values)
    leads = values.pop("reminder_leads") or []
    if leads:
        values["reminder_time"], values["reminder_method"] = leads[0]["minutes"], leads[0]["method"]
    values["more_reminders"] = [{"minutes": lead["minutes"], "method": lead["method"]} for lead in leads[1:]] or None
    return values


def save_schedule(dbsession: Session, registry, actor: User, schedule: Schedule, values: dict,
                  allow_conflict: bool = False, owner: User | None = None, tell_related: bool = True) -> Schedule:
    """Apply validated ``values`` to ``schedule`` (new or existing) and keep everything derived in step.

    A new schedule belongs to ``owner`` (default: the actor; the caller has checked the actor may
    write for them); ``modifier`` is always the actor. Raises BadRequest for a forbidden status
    change, inconsistent fields or an unknown participant user, and Conflict (4005) for an
    overlap, before anything is flushed. A change is told to the owner of what the schedule is
    about (``tell_related_owner``) unless that owner made it (``tell_related=False``): no echo.
    """
    is_new = schedule.id is None
    values = split_leads(values)
    current = {} if is_new else {key: getattr(schedule, key) for key in values}
    check_status_change(None if is_new else schedule.status, values.get("status", schedule.status))
    merged = {key: getattr(schedule, key) for key in ("start_time", "end_time", "related_type", "related_id")}
    merged.update(values)
    check_consistency(merged)
    if values.get("participants"):
        values = {**values, "participants": resolve_participants(dbsession, values["participants"])}
    tz = registry.site_timezone
    now = registry.clock.now()
    for key, value in values.items():
        setattr(schedule, key, value)
    if schedule.is_all_day:
        schedule.start_time, schedule.end_time = all_day_span(schedule.start_time, schedule.end_time, tz)
    schedule.series_end = series_end(schedule, tz)
    moved = is_new or any(current.get(key) != getattr(schedule, key) for key in TIME_FIELDS if key in current)
    if is_new:
        owner = owner or actor
        schedule.creator_id, schedule.create_datetime, schedule.sequence = owner.id, now, 0
        schedule.creator = dbsession.get(User, owner.id)
    else:
        schedule.sequence = (schedule.sequence or 0) + 1
    schedule.modifier_id, schedule.update_datetime = actor.id, now
    if is_new or REMINDING_FIELDS & values.keys():
        check_outside_recipients(registry, schedule)
    if moved and not allow_conflict:
        check_conflicts(dbsession, registry, schedule)
    sync_attendees(schedule)
    dbsession.add(schedule)
    dbsession.flush()
    sync_reminders(dbsession, registry, schedule)
    publish_change(registry, dbsession, "schedule.created" if is_new else "schedule.updated", schedule)
    if tell_related and not is_new:
        tell_related_owner(registry, dbsession, schedule, "updated")
    return schedule


def set_status(dbsession: Session, registry, actor: User, schedule: Schedule, status: str) -> Schedule:
    if status == schedule.status:
        return schedule
    return save_schedule(dbsession, registry, actor, schedule, {"status": status})


def delete_schedules(dbsession: Session, registry, actor: User, schedule_ids: list[int]) -> int:
    """Soft-delete the listed schedules the actor may change; the number actually deleted."""
    schedules = dbsession.scalars(select(Schedule).where(Schedule.id.in_(schedule_ids), *editable(actor))).all()
    remove_schedules(dbsession, registry, actor, schedules)
    return len(schedules)


def remove_schedules(dbsession: Session, registry, actor: User, schedules, tell_related: bool = True,
                     because: str | None = None) -> None:
    """Soft-delete these schedules: their pending reminders are cancelled (saying ``because``, when given)."""
    now = registry.clock.now()
    for schedule in schedules:
        schedule.is_deleted = True
        schedule.sequence = (schedule.sequence or 0) + 1
        schedule.modifier_id, schedule.update_datetime = actor.id, now
    dbsession.flush()
    for schedule in schedules:
        sync_reminders(dbsession, registry, schedule, because)
        publish_change(registry, dbsession, "schedule.deleted", schedule)
        if tell_related:
            tell_related_owner(registry, dbsession, schedule, "deleted")


def publish_change(registry, dbsession: Session, event_type: str, schedule: Schedule) -> None:
    """The ``schedule.*`` event, but for a schedule another plugin keeps: that plugin tells of its own object."""
    if schedule.kept_by is None:
        publish_event(registry, dbsession, event_type, schedule_json(registry, schedule))


def tell_related_owner(registry, dbsession: Session, schedule: Schedule, change: str) -> None:
    """Let the plugin owning what the schedule is about follow the change (a plan keeps its schedule's time)."""
    if schedule.related_type is None:
        return
    registry.tessera_plugin_manager.hook.tessera_related_schedule_changed(
        registry=registry, dbsession=dbsession, change=change, related_type=schedule.related_type,
        related_id=schedule.related_id, schedule_id=schedule.id, title=schedule.title, start_time=schedule.start_time,
        description=schedule.description, reminder_minutes=schedule.reminder_time, status=schedule.status)
