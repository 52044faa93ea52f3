"""Expanding schedules into occurrences with ``dateutil.rrule`` (no hand-written date arithmetic).

The rule format is the spec's appendix plus ``exdates``::

    {"frequency": "weekly", "interval": 1, "by_weekday": [1, 3, 5],
     "end_date": "2026-12-31", "count": 10, "by_monthday": [1, 15, -1],
     "exdates": ["2026-01-05", "2026-01-07T09:00:00+08:00"]}

Occurrences are computed on the site's wall clock: a 09:00 weekly meeting stays
at 09:00 local time across daylight-saving changes. ``by_monthday: [31]`` skips
months without a 31st (RFC 5545); use ``-1`` for "the last day of the month".
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterator

from dateutil import rrule

FREQUENCIES = {"daily": rrule.DAILY, "weekly": rrule.WEEKLY, "monthly": rrule.MONTHLY, "yearly": rrule.YEARLY}
_WEEKDAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)  # by_weekday 1 = Monday


@dataclass(frozen=True)
class Occurrence:
    """One occurrence: its own start and end, and ``original_start`` — None for a one-off schedule."""

    start: dt.datetime
    end: dt.datetime | None
    original_start: dt.datetime | None


def end_date_until(rule: dict, tz) -> dt.datetime | None:
    """The last instant ``end_date`` allows: the end of that local day (None without an end_date)."""
    if not rule.get("end_date"):
        return None
    return dt.datetime.combine(dt.date.fromisoformat(str(rule["end_date"])[:10]), dt.time(23, 59, 59), tzinfo=tz)


def build_rrule(rule: dict, first_start: dt.datetime, tz) -> rrule.rrule:
    """The dateutil rule of a series whose first occurrence starts at ``first_start``."""
    local_start = first_start.astimezone(tz)
    options = {"dtstart": local_start, "interval": int(rule.get("interval") or 1)}
    if rule.get("by_weekday"):
        options["byweekday"] = [_WEEKDAYS[int(day) - 1] for day in rule["by_weekday"]]
    if rule.get("by_monthday"):
        options["bymonthday"] = [int(day) for day in rule["by_monthday"]]
    frequency = FREQUENCIES[rule["frequency"]]
    until = end_date_until(rule, tz)
    if rule.get("count"):
        counted = rrule.rrule(frequency, count=int(rule["count"]), **options)
        if until is None:
            return counted
        # RFC 5545 (and dateutil) refuse COUNT with UNTIL: the series ends at whichever comes first
        last = counted[-1] if counted.count() else local_start
        until = min(until, last)
    return rrule.rrule(frequency, until=until, **options)


def excluded_starts(rule: dict, first_start: dt.datetime, tz) -> set[dt.datetime]:
    """The occurrence starts that ``exdates`` removes (a date removes that day's occurrence)."""
    local_start = first_start.astimezone(tz)
    excluded = set()
    for value in rule.get("exdates") or ():
        text = str(value)
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            excluded.add(dt.datetime.combine(day, local_start.timetz().replace(tzinfo=None), tzinfo=tz))
        else:
            moment = dt.datetime.fromisoformat(text)
            excluded.add((moment if moment.tzinfo else moment.replace(tzinfo=tz)).astimezone(tz))
    return excluded


def occurrences(schedule, window_start: dt.datetime, window_end: dt.datetime, tz) -> Iterator[Occurrence]:
    """Every occurrence of ``schedule`` that overlaps [window_start, window_end), in start order.

    A one-off schedule yields itself when it overlaps. An occurrence without an
    end overlaps when its start lies in the window.
    """
    duration = (schedule.end_time - schedule.start_time) if schedule.end_time else dt.timedelta(0)
    if not schedule.recurrence_rule:
        if _overlaps(schedule.start_time, schedule.start_time + duration, window_start, window_end):
            yield Occurrence(schedule.start_time, schedule.end_time, None)
        return
    rule = build_rrule(schedule.recurrence_rule, schedule.start_time, tz)
    excluded = excluded_starts(schedule.recurrence_rule, schedule.start_time, tz)
    search_from = (window_start - duration).astimezone(tz)
    for local_start in rule.xafter(search_from, inc=True):
        start = local_start.astimezone(dt.timezone.utc)
        if start >= window_end:
            return
        if local_start in excluded:
            continue
        end = start + duration
        if _overlaps(start, end, window_start, window_end):
            yield Occurrence(start, end if schedule.end_time else None, start)


def series_end(schedule, tz) -> dt.datetime | None:
    """The end of the last occurrence; None for a series without count or end_date."""
    duration = (schedule.end_time - schedule.start_time) if schedule.end_time else dt.timedelta(0)
    if not schedule.recurrence_rule:
        return schedule.start_time + duration
    rule = schedule.recurrence_rule
    if not rule.get("count") and not rule.get("end_date"):
        return None
    excluded = excluded_starts(rule, schedule.start_time, tz)
    last = None
    for local_start in build_rrule(rule, schedule.start_time, tz):
        if local_start not in excluded:
            last = local_start
    return (last.astimezone(dt.timezone.utc) + duration) if last else schedule.start_time + duration


def _overlaps(start: dt.datetime, end: dt.datetime, window_start: dt.datetime, window_end: dt.datetime) -> bool:
    if end == start:
        return window_start <= start < window_end
    return start < window_end and end > window_start
