"""Keeping reminder rows in step with schedules: one row per occurrence × lead × method.

A one-off schedule has its rows whatever its distance; a series has them in a rolling window.

A schedule's leads are ``reminder_time`` (with ``reminder_method``) and each of ``more_reminders``
(``Schedule.leads``). A row's ``remind_time`` is the occurrence's *anchor* minus its lead.
The anchor is the occurrence start, or for an all-day schedule the site-local
``all_day_reminder_time`` of its first day. Rows of a series exist for every remind time
before the schedule's horizon (``ReminderHorizon.reminders_until``); the tick moves the
horizon of the series it comes close to, never scanning the whole table.

Late rule: an occurrence whose anchor is already past gets no row (it has started);
one still ahead whose remind time is past is due at once (``next_attempt_at = now``).
"""
from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import and_, or_, select

from core.toolkit import transaction_scope
from plugins.schedule.models import Schedule
from plugins.schedule.recurrence import occurrences
from plugins.schedule.reminders.models import CANCELLED, PENDING, ReminderHorizon, ScheduleReminder
from plugins.schedule.reminders.settings import ReminderSettings

log = logging.getLogger(__name__)

ONE_DAY = dt.timedelta(days=1)
# The horizon is pushed this far past the window, so a series is extended about once a day, not every tick.
HORIZON_SLACK = ONE_DAY
# How far past the window ``next_remind_time`` looks for a series' next occurrence.
HORIZON_SEARCH = dt.timedelta(days=400)


def inactive_reason(schedule: Schedule) -> str | None:
    """Why the schedule must not remind anyone now, or None."""
    if schedule.is_deleted:
        return "日程已删除"
    if schedule.status == "cancelled":
        return "日程已取消"
    if schedule.status == "completed":
        return "日程已完成"
    if not schedule.reminder_enabled:
        return "提醒已关闭"
    return None


def anchor_of(registry, settings: ReminderSettings, schedule: Schedule, occurrence_start: dt.datetime) -> dt.datetime:
    """The moment a reminder counts back from (and the moment the occurrence counts as started)."""
    if not schedule.is_all_day:
        return occurrence_start
    tz = registry.site_timezone
    first_day = occurrence_start.astimezone(tz).date()
    return dt.datetime.combine(first_day, settings.all_day_time, tzinfo=tz).astimezone(dt.timezone.utc)


def remind_times(registry, settings, schedule: Schedule, start: dt.datetime, end: dt.datetime) -> dict:
    """{(occurrence start, lead minutes): (anchor, remind time)} for the occurrences whose anchor lies in [start, end)."""
    margin = ONE_DAY if schedule.is_all_day else dt.timedelta(0)  # an all-day anchor is within its first day
    found = {}
    for occurrence in occurrences(schedule, start - margin, end, registry.site_timezone):
        anchor = anchor_of(registry, settings, schedule, occurrence.start)
        if start <= anchor < end:
            for minutes, _ in schedule.leads:
                found[(occurrence.start, minutes)] = (anchor, anchor - dt.timedelta(minutes=minutes))
    return found


def next_remind_time(registry, settings, schedule: Schedule, moment: dt.datetime) -> dt.datetime | None:
    """The first remind time at or after ``moment`` (rows exist for all before it); None when none is left.

    Used as the horizon, a one-off or a weekly series is extended only when its next
    reminder comes within the window, not every day.
    """
    found = [remind for remind in (_next_for_lead(registry, settings, schedule, moment, minutes)
                                   for minutes, _ in schedule.leads) if remind is not None]
    return min(found, default=None)


def _next_for_lead(registry, settings, schedule: Schedule, moment: dt.datetime, minutes: int) -> dt.datetime | None:
    lead = dt.timedelta(minutes=minutes)
    margin = ONE_DAY if schedule.is_all_day else dt.timedelta(0)
    search_end = moment + lead + HORIZON_SEARCH
    for occurrence in occurrences(schedule, moment + lead - margin, search_end, registry.site_timezone):
        remind = anchor_of(registry, settings, schedule, occurrence.start) - lead
        if remind >= moment:
            return remind
    last_start = schedule.series_end if schedule.recurrence_rule else schedule.start_time
    if last_start is not None and last_start < search_end:
        return None
    return search_end - lead  # a sparse series: look again when this comes within the window


def still_wanted(registry, settings, schedule: Schedule, reminder: ScheduleReminder) -> bool:
    """Whether the schedule, as it is now, still asks for this reminder (same occurrence, lead, method and time)."""
    if reminder.remind_method not in dict(schedule.leads).get(reminder.lead_minutes, ()):
        return False
    start = reminder.occurrence_start
    found = remind_times(registry, settings, schedule, start, start + ONE_DAY)  # an anchor lies within its first day
    key = (start, reminder.lead_minutes)
    return key in found and found[key][1] == reminder.remind_time


def rows_until(settings: ReminderSettings, schedule: Schedule, now: dt.datetime) -> dt.datetime:
    """Rows exist for the remind times before this: a series' rolling window, or all of a one-off's.

    A one-off's reminder is shown in the detail at once, however far ahead: an empty list
    would read as "no reminder". Its anchor lies within a day of its start.
    """
    window = now + settings.window + HORIZON_SLACK
    return window if schedule.recurrence_rule else max(window, schedule.start_time + ONE_DAY)


def _is_open(row: ScheduleReminder) -> bool:
    """A row nobody has started sending: the engine may move, revive or delete it."""
    return (row.state == PENDING and row.attempts == 0) or row.state == CANCELLED


def sync_reminders(dbsession, registry, schedule: Schedule, because: str | None = None) -> None:
    """Recompute the unsent reminder rows of ``schedule``; keep sent and in-flight ones as they are.

    Call after every create, update, status change or delete of a schedule, in the same transaction.
    ``because`` names why a stopped schedule's pending reminders are cancelled, when the caller knows
    better than the schedule's own state (its customer was deleted).
    """
    settings = ReminderSettings.of(registry)
    now = registry.clock.now()
    dbsession.flush()
    horizon = dbsession.scalar(select(ReminderHorizon).where(ReminderHorizon.schedule_id == schedule.id)
                               .with_for_update())  # one sync per schedule at a time on PostgreSQL
    target = rows_until(settings, schedule, now)
    longest_lead = dt.timedelta(minutes=max(minutes for minutes, _ in schedule.leads))
    recent = now - ONE_DAY
    rows = dbsession.scalars(
        select(ScheduleReminder).where(
            ScheduleReminder.schedule_id == schedule.id,
            or_(ScheduleReminder.occurrence_start >= recent,
                and_(ScheduleReminder.state == PENDING, ScheduleReminder.attempts == 0)))
        .with_for_update()).all()
    existing = {(row.occurrence_start, row.remind_method, row.lead_minutes): row for row in rows}
    reason = inactive_reason(schedule) and (because or inactive_reason(schedule))
    lead_methods = {} if reason else {minutes: methods for minutes, methods in schedule.leads if methods}
    earliest = min([row.occurrence_start for row in rows if _is_open(row)] + [recent])
    known = remind_times(registry, settings, schedule, earliest, target + longest_lead) if lead_methods else {}
    wanted = {(start, method, minutes): remind for (start, minutes), (anchor, remind) in known.items()
              if anchor > now and remind < target for method in lead_methods.get(minutes, ())}

    for key, row in existing.items():
        if key in wanted or not _is_open(row):
            continue
        if reason:
            if row.state == PENDING:
                row.state, row.send_result = CANCELLED, reason
        elif not (row.state == PENDING and key[1] in lead_methods.get(key[2], ())
                  and known.get((key[0], key[2]), (None, None))[1] == row.remind_time):
            # the occurrence, the method or the lead time changed; a row still exactly right but
            # whose occurrence has started stays: it fell due while workers were down
            dbsession.delete(row)
    # an occurrence that already rang on a channel does not ring there again late because a lead changed
    rang = {(row.occurrence_start, row.remind_method) for row in rows if not _is_open(row)}
    for (start, method, minutes), remind in wanted.items():
        row = existing.get((start, method, minutes))
        if row is None and remind <= now and (start, method) in rang:
            continue
        if row is None:
            dbsession.add(ScheduleReminder(
                schedule_id=schedule.id, occurrence_start=start, remind_time=remind, remind_method=method,
                lead_minutes=minutes,
                is_sent=False, send_result="", state=PENDING, attempts=0, next_attempt_at=max(remind, now),
                create_datetime=now))
        elif _is_open(row) and (row.state != PENDING or row.remind_time != remind):
            row.state, row.remind_time, row.next_attempt_at, row.send_result = PENDING, remind, max(remind, now), ""

    reminders_until = next_remind_time(registry, settings, schedule, target) if lead_methods else None
    if horizon is None:
        dbsession.add(ReminderHorizon(schedule_id=schedule.id, reminders_until=reminders_until))
    else:
        horizon.reminders_until = reminders_until
    dbsession.flush()


def extend_horizons(registry) -> int:
    """Give the schedules whose horizon comes within the window their next rows; returns how many."""
    settings = ReminderSettings.of(registry)
    extended = 0
    while True:
        with transaction_scope(registry) as dbsession:
            bound = registry.clock.now() + settings.window
            horizons = dbsession.scalars(
                select(ReminderHorizon).where(ReminderHorizon.reminders_until < bound)
                .order_by(ReminderHorizon.reminders_until).limit(settings.batch_size)
                .with_for_update(skip_locked=True)).all()
            if not horizons:
                return extended
            schedules = {schedule.id: schedule for schedule in dbsession.scalars(
                select(Schedule).where(Schedule.id.in_([horizon.schedule_id for horizon in horizons])))}
            for horizon in horizons:
                schedule_id = horizon.schedule_id
                try:
                    with dbsession.begin_nested():
                        sync_reminders(dbsession, registry, schedules.get(schedule_id))
                except Exception:
                    # one schedule the engine cannot expand must not stop every other schedule's reminders
                    log.exception("reminders of schedule %s could not be extended; trying again in a day", schedule_id)
                    horizon.reminders_until = bound + ONE_DAY
            extended += len(horizons)
        if len(horizons) < settings.batch_size:
            return extended
