"""Changing part of a series: one occurrence (``scope=this``) or it and every later one (``following``).

``this`` takes the occurrence out of the series — its original start joins the series'
``exdates`` — and makes it a one-off schedule of its own (``series_id`` the series,
``recurrence_id`` the original start) with the change applied: moved, retitled, completed,
cancelled. It then shows at its new time everywhere, reminds on its own, and is a
``RECURRENCE-ID`` override in the feed. Deleting one occurrence only adds the exdate.

``following`` splits the series: the series now ends the day before the occurrence, and a
new series (``series_id`` the old one) starts at it with the change applied; a ``count``
is shared out so the two parts together still have as many occurrences. At the first
occurrence ``following`` is the whole series. A series never conflicts with its own parts.
"""
from __future__ import annotations

import copy
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.toolkit import BadRequest, User

from .models import SCOPES, Schedule
from .recurrence import build_rrule, occurrences
from .sharing_models import Attendee
from .writes import delete_schedules, save_schedule

THIS, FOLLOWING, ALL = SCOPES

#: what an occurrence taken out of a series, or a part split off, starts as: the series' own values
COPIED_FIELDS = ("title", "description", "schedule_type", "location", "participants", "status", "priority",
                 "is_all_day", "reminder_enabled", "reminder_time", "reminder_method", "more_reminders",
                 "related_type", "related_id", "attachments", "remark")


def check_occurrence(registry, series: Schedule, occurrence: dt.datetime | None) -> dt.datetime:
    """``occurrence`` if it is the original start of one of the series' occurrences (4001 otherwise)."""
    if occurrence is None:
        raise BadRequest.field("occurrence", "scope 为 this 或 following 时须给出该次的原开始时间")
    if not series.recurrence_rule:
        raise BadRequest.field("scope", "不是重复日程：只能修改全部")
    tz = registry.site_timezone
    if not any(found.start == occurrence for found in occurrences(series, occurrence, occurrence + dt.timedelta(seconds=1), tz)):
        raise BadRequest.field("occurrence", "不是此重复日程中的一次（或已单独修改、已删除）")
    return occurrence


def change_occurrences(dbsession: Session, registry, actor: User, series: Schedule, scope: str,
                       occurrence: dt.datetime | None, values: dict, allow_conflict: bool = False) -> Schedule:
    """Apply ``values`` to ``scope`` of the series; returns the schedule that now holds the changed occurrence(s)."""
    if scope == ALL:
        return save_schedule(dbsession, registry, actor, series, values, allow_conflict)
    occurrence = check_occurrence(registry, series, occurrence)
    if scope == FOLLOWING and occurrence == series.start_time:
        return save_schedule(dbsession, registry, actor, series, values, allow_conflict)
    if scope == THIS:
        if values.get("recurrence_rule"):
            raise BadRequest.field("recurrence_rule", "单独修改的一次不能再重复")
        exclude(dbsession, registry, actor, series, occurrence)
        return save_schedule(dbsession, registry, actor, part_of(series, occurrence, recurrence_id=occurrence),
                             {**values, "recurrence_rule": None}, allow_conflict, owner=series.creator)
    rule = split_rule(registry, series, occurrence)
    end_before(dbsession, registry, actor, series, occurrence)
    return save_schedule(dbsession, registry, actor, part_of(series, occurrence), {"recurrence_rule": rule, **values},
                         allow_conflict, owner=series.creator)


def delete_occurrences(dbsession: Session, registry, actor: User, series: Schedule, scope: str,
                       occurrence: dt.datetime | None) -> None:
    if scope == ALL or (scope == FOLLOWING and check_occurrence(registry, series, occurrence) == series.start_time):
        delete_schedules(dbsession, registry, actor, [series.id])
    elif scope == THIS:
        exclude(dbsession, registry, actor, series, check_occurrence(registry, series, occurrence))
    else:
        end_before(dbsession, registry, actor, series, check_occurrence(registry, series, occurrence))


def part_of(series: Schedule, occurrence: dt.datetime, recurrence_id: dt.datetime | None = None) -> Schedule:
    """A new schedule with the series' values and attendees' answers, starting at ``occurrence`` with the
    series' duration."""
    part = Schedule(**{name: copy.deepcopy(getattr(series, name)) for name in COPIED_FIELDS})
    part.start_time = occurrence
    part.end_time = None if series.end_time is None else occurrence + (series.end_time - series.start_time)
    part.series_id, part.recurrence_id = series.id, recurrence_id
    part.attendees = [Attendee(user_id=attendee.user_id, response=attendee.response, responded_at=attendee.responded_at)
                      for attendee in series.attendees]
    return part


def exclude(dbsession: Session, registry, actor: User, series: Schedule, occurrence: dt.datetime) -> None:
    rule = dict(series.recurrence_rule)
    rule["exdates"] = [*(rule.get("exdates") or []), occurrence.astimezone(registry.site_timezone).isoformat()]
    save_schedule(dbsession, registry, actor, series, {"recurrence_rule": rule}, allow_conflict=True)


def end_before(dbsession: Session, registry, actor: User, series: Schedule, occurrence: dt.datetime) -> None:
    """The series ends the local day before ``occurrence`` (never a conflict: it only shrinks)."""
    last_day = occurrence.astimezone(registry.site_timezone).date() - dt.timedelta(days=1)
    rule = dict(series.recurrence_rule)
    rule["end_date"] = min(last_day.isoformat(), str(rule.get("end_date") or last_day.isoformat())[:10])
    save_schedule(dbsession, registry, actor, series, {"recurrence_rule": rule}, allow_conflict=True)
    # occurrences already taken out of the series after the split belong to the new part's span:
    # they stay where they are, one-offs pointing back at the series they left


def split_rule(registry, series: Schedule, occurrence: dt.datetime) -> dict:
    """The rule of the part from ``occurrence`` on: the count that is left, the exdates that lie ahead."""
    tz = registry.site_timezone
    rule = dict(series.recurrence_rule)
    if rule.get("count"):
        before = 0
        for local_start in build_rrule(rule, series.start_time, tz):
            if local_start >= occurrence:
                break
            before += 1
        rule["count"] = int(rule["count"]) - before
    local = occurrence.astimezone(tz)
    rule["exdates"] = [value for value in rule.get("exdates") or []
                       if (dt.date.fromisoformat(value) >= local.date() if len(str(value)) == 10
                           else dt.datetime.fromisoformat(value) >= local)]
    if not rule["exdates"]:
        del rule["exdates"]
    return rule


def exceptions_of(dbsession: Session, series_ids: list[int]) -> dict[int, set[dt.datetime]]:
    """{series id: the original starts of its occurrences now held by schedules of their own (not deleted)}."""
    found: dict[int, set[dt.datetime]] = {}
    if not series_ids:
        return found
    for series_id, recurrence_id in dbsession.execute(select(Schedule.series_id, Schedule.recurrence_id).where(
            Schedule.series_id.in_(series_ids), Schedule.recurrence_id.is_not(None), Schedule.is_deleted.is_(False))):
        found.setdefault(series_id, set()).add(recurrence_id)
    return found
