"""Endpoints 8, 9, 10 and 14: today, this week, statistics and the month calendar; and any range of days.

Each reads every occurrence of its window with one query (``occurrences_in``)
and groups them by the site's calendar days, never the UTC date.
"""
from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from collections import Counter

from sqlalchemy import func, or_, select

from core.toolkit import AUTHENTICATED, BadRequest, api_service, current_user, ok, site_today

from . import schemas
from .models import PRIORITIES, SCHEDULE_TYPES, STATUSES, Schedule
from .shapes import OccurrenceShapes, item_json
from .statistics import due_counts
from .views import PREFIX
from .visibility import visible
from .windows import by_day, calendar_items, day_window, occurrences_in

today = api_service(name="schedule.today", path=f"{PREFIX}/today/",
                    description="The caller's occurrences on the site's today (or on `date`).")
this_week = api_service(name="schedule.this_week", path=f"{PREFIX}/this_week/",
                        description="The caller's occurrences Monday–Sunday of the current site week (or of `date`'s).")
day_range = api_service(name="schedule.range", path=f"{PREFIX}/range/",
                        description="Every day from `start_date` to `end_date` (inclusive, at most 62 days) with its occurrences.")
statistics = api_service(name="schedule.statistics", path=f"{PREFIX}/statistics/",
                         description="Counts by type, status and priority; upcoming and overdue counts.")
CALENDAR_DESCRIPTION = "Every day of a month with its occurrences."
calendar_view = api_service(name="schedule.calendar_view", path=f"{PREFIX}/calendar_view/", description=CALENDAR_DESCRIPTION)
# the spec prints the calendar under /api/schedule/schedules/: clients may call either
calendar_view_spec_path = api_service(name="schedule.calendar_view_spec_path", path="/api/schedule/schedules/calendar_view/",
                                      description=CALENDAR_DESCRIPTION)

SERVICES = (today, this_week, day_range, statistics, calendar_view, calendar_view_spec_path)

#: A closed statistics window expands every occurrence in it; five years bounds that work.
MAX_STATISTICS_DAYS = 1830


def _days(first: dt.date, count: int) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range(count)]


def _visible_occurrences(request, first: dt.date, days: int):
    owner_ids = request.validated["querystring"]["owner_id"]
    window = day_window(first, request.registry.site_timezone, days=days)
    return occurrences_in(request.dbsession, request.registry, current_user(request), window, owner_ids)


def _shaped(request, pairs) -> list[dict]:
    shape = OccurrenceShapes(request.dbsession, request.registry, pairs)
    return [shape(schedule, occurrence) for schedule, occurrence in pairs]


def _own_items(request, first: dt.date, days: int):
    """What other plugins put on the caller's own calendar (a task between its start and deadline);
    nothing when the caller looks only at other people's calendars (``owner_id``)."""
    user = current_user(request)
    owner_ids = request.validated["querystring"]["owner_id"]
    if owner_ids and user.id not in owner_ids:
        return []
    window = day_window(first, request.registry.site_timezone, days=days)
    return calendar_items(request.dbsession, request.registry, user, window)


@today.get(schema=schemas.DayRequest(), permission=AUTHENTICATED)
def list_today(request):
    registry = request.registry
    day = request.validated["querystring"]["date"] or site_today(registry)
    pairs = _visible_occurrences(request, day, 1)
    by_status = Counter(schedule.status for schedule, _ in pairs)
    return ok(request, {
        "date": day.isoformat(), "total_count": len(pairs),
        "by_status": {status: by_status[status] for status in STATUSES},
        "schedules": _shaped(request, pairs),
        "items": [item_json(registry, item, span) for item, span in _own_items(request, day, 1)],
    }, "获取成功")


@this_week.get(schema=schemas.DayRequest(), permission=AUTHENTICATED)
def list_this_week(request):
    registry, tz = request.registry, request.registry.site_timezone
    day = request.validated["querystring"]["date"] or site_today(registry)
    monday = day - dt.timedelta(days=day.weekday())
    pairs = _visible_occurrences(request, monday, 7)
    grouped = by_day(pairs, tz, _days(monday, 7))
    return ok(request, {
        "week_start": monday.isoformat(), "week_end": (monday + dt.timedelta(days=6)).isoformat(),
        "total_count": len(pairs),
        "by_day": {day.isoformat(): len(items) for day, items in grouped.items()},
        "schedules": _shaped(request, pairs),
        "items": [item_json(registry, item, span) for item, span in _own_items(request, monday, 7)],
    }, "获取成功")


@calendar_view.get(schema=schemas.CalendarRequest(), permission=AUTHENTICATED)
@calendar_view_spec_path.get(schema=schemas.CalendarRequest(), permission=AUTHENTICATED)
def month_view(request):
    query = request.validated["querystring"]
    year, month = query["year"], query["month"]
    if query["date"] is not None:
        year, month = year or query["date"].year, month or query["date"].month
    for name, value in (("year", year), ("month", month)):
        if value is None:
            raise BadRequest.field(name, "Required")
    first = dt.date(year, month, 1)
    return ok(request, {"year": year, "month": month,
                        "days": _days_json(request, first, month_calendar.monthrange(year, month)[1])}, "获取成功")


def _days_json(request, first: dt.date, length: int) -> list[dict]:
    registry, days = request.registry, _days(first, length)
    pairs = _visible_occurrences(request, first, length)
    shape = OccurrenceShapes(request.dbsession, registry, pairs)
    grouped = by_day(pairs, registry.site_timezone, days)
    extra = by_day(_own_items(request, first, length), registry.site_timezone, days)
    return [{"date": day.isoformat(),
             "schedules": [shape(schedule, occurrence) for schedule, occurrence in items],
             "count": len(items),
             "items": [item_json(registry, item, span) for item, span in extra[day]]} for day, items in grouped.items()]


@day_range.get(schema=schemas.RangeRequest(), permission=AUTHENTICATED)
def list_range(request):
    query = request.validated["querystring"]
    first, last = query["start_date"], query["end_date"]
    if last < first:
        raise BadRequest.field("end_date", "结束日期不能早于开始日期")
    if (last - first).days >= schemas.MAX_WINDOW_DAYS:
        raise BadRequest.field("end_date", f"最长 {schemas.MAX_WINDOW_DAYS} 天")
    days = _days_json(request, first, (last - first).days + 1)
    return ok(request, {"start_date": first.isoformat(), "end_date": last.isoformat(), "days": days}, "获取成功")


@statistics.get(schema=schemas.StatisticsRequest(), permission=AUTHENTICATED)
def schedule_statistics(request):
    registry = request.registry
    user = current_user(request)
    query = request.validated["querystring"]
    start_date, end_date = query["start_date"], query["end_date"]
    if start_date and end_date and end_date < start_date:
        raise BadRequest.field("end_date", "结束日期不能早于开始日期")
    if start_date and end_date and (end_date - start_date).days >= MAX_STATISTICS_DAYS:
        raise BadRequest.field("end_date", f"统计区间最长 {MAX_STATISTICS_DAYS} 天")
    owner_ids = query["owner_id"]
    counts = _window_counts(request.dbsession, registry, user, start_date, end_date, owner_ids)
    upcoming, overdue = due_counts(request.dbsession, registry, user, owner_ids)
    return ok(request, {
        "total_count": sum(counts["status"].values()),
        "by_type": {name: counts["schedule_type"][name] for name in SCHEDULE_TYPES},
        "by_status": {name: counts["status"][name] for name in STATUSES},
        "by_priority": {name: counts["priority"][name] for name in PRIORITIES},
        "upcoming_count": upcoming, "overdue_count": overdue,
    }, "获取成功")


def _window_counts(dbsession, registry, user, start_date, end_date, owner_ids) -> dict[str, Counter]:
    """Counts per field value. A closed window counts every occurrence in it; an open one counts each schedule once."""
    tz = registry.site_timezone
    counts = {name: Counter() for name in ("schedule_type", "status", "priority")}
    if start_date and end_date:
        window = day_window(start_date, tz, days=(end_date - start_date).days + 1)
        for schedule, _ in occurrences_in(dbsession, registry, user, window, owner_ids):
            for name, counter in counts.items():
                counter[getattr(schedule, name)] += 1
        return counts
    clauses = []
    if start_date:
        clauses.append(or_(Schedule.series_end.is_(None), Schedule.series_end >= day_window(start_date, tz).start))
    if end_date:
        clauses.append(Schedule.start_time < day_window(end_date, tz).end)
    rows = dbsession.execute(
        select(Schedule.schedule_type, Schedule.status, Schedule.priority, func.count())
        .where(*visible(user, owner_ids), *clauses).group_by(Schedule.schedule_type, Schedule.status, Schedule.priority))
    for schedule_type, status, priority, number in rows:
        counts["schedule_type"][schedule_type] += number
        counts["status"][status] += number
        counts["priority"][priority] += number
    return counts
