"""Expanding schedules into occurrences with ``dateutil.rrule`` (no hand-written date arithmetic).

The rule format is the spec's appendix plus ``exdates``::

    {"frequency": "weekly", "interval": 1, "by_weekday": [1, 3, 5],
     "end_date": "2026-12-31", "count": 10, "by_monthday": [1, 15, -1],
     "exdates": ["2026-01-05", "2026-01-07T09:00:00+08:00"]}

Occurrences are computed on the site's wall clock: a 09:00 weekly meeting stays
at 09:00 local time across daylight-saving changes. Expanding a window costs what
the window holds, however long ago the series began: the rule is restarted a
whole number of intervals after its first start, just before the window, so its
phase is kept (a COUNT is counted once from the real start and remembered). ``by_monthday: [31]`` skips
months without a 31st (RFC 5545); use ``-1`` for "the last day of the month".
"""
from __future__ import annotations

import collections
import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Iterator, NamedTuple

from dateutil import rrule

_ONE_HOUR = dt.timedelta(hours=1)
_WINDOWS_REMEMBERED = 8
FREQUENCIES = {"daily": rrule.DAILY, "weekly": rrule.WEEKLY, "monthly": rrule.MONTHLY, "yearly": rrule.YEARLY}
_WEEKDAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)  # by_weekday 1 = Monday


class Occurrence(NamedTuple):
    """One occurrence: its own start and end, and ``original_start`` — None for a one-off schedule.
    (A named tuple: a month of a busy calendar makes thousands, and a tuple is made fastest.)"""

    start: dt.datetime
    end: dt.datetime | None
    original_start: dt.datetime | None


def end_date_until(rule: dict, tz) -> dt.datetime | None:
    """The last instant ``end_date`` allows: the end of that local day (None without an end_date)."""
    if not rule.get("end_date"):
        return None
    return dt.datetime.combine(dt.date.fromisoformat(str(rule["end_date"])[:10]), dt.time(23, 59, 59), tzinfo=tz)


def _by_rules(rule: dict, frequency: int, local_start: dt.datetime) -> dict:
    """The rule's BYxxx parts. Where the rule names none, dateutil would take the days from
    ``dtstart``: they are named here instead, so that a rule started later keeps the series' days."""
    options: dict = {}
    if rule.get("by_weekday"):
        options["byweekday"] = tuple(_WEEKDAYS[int(day) - 1] for day in rule["by_weekday"])
    if rule.get("by_monthday"):
        options["bymonthday"] = tuple(int(day) for day in rule["by_monthday"])
    if not options:
        if frequency == rrule.WEEKLY:
            options["byweekday"] = (_WEEKDAYS[local_start.weekday()],)
        elif frequency == rrule.MONTHLY:
            options["bymonthday"] = (local_start.day,)
        elif frequency == rrule.YEARLY:
            options.update(bymonth=(local_start.month,), bymonthday=(local_start.day,))
    return options


@functools.lru_cache(maxsize=4096)
def _last_counted_start(frequency: int, interval: int, options: tuple, count: int,
                        local_start: dt.datetime) -> dt.datetime:
    """The start of the COUNT-th occurrence: counting needs the series' real first start, so it
    walks the series once (at most ``count`` steps) and is remembered."""
    tail = collections.deque(rrule.rrule(frequency, dtstart=local_start, interval=interval, count=count,
                                         **dict(options)), maxlen=1)
    return tail[0] if tail else local_start


@dataclass(frozen=True)
class _Series:
    """A rule taken apart: its frequency, interval, BYxxx parts, first local start and last allowed start."""

    frequency: int
    interval: int
    options: tuple  # the BYxxx parts as sorted (name, value) pairs
    local_start: dt.datetime
    until: dt.datetime | None
    excluded: frozenset = frozenset()  # the starts ``exdates`` removes
    # the occurrences of the windows asked for lately: expanding a window is a pure function, and
    # the views of today, this week or a month ask for the same windows again and again
    remembered: collections.OrderedDict = field(default_factory=collections.OrderedDict, compare=False, hash=False)

    def rrule(self, dtstart: dt.datetime | None = None) -> rrule.rrule:
        return _rrule_at(self, dtstart or self.local_start)

    def occurrences(self, window_start: dt.datetime, window_end: dt.datetime, duration: dt.timedelta,
                    has_end: bool) -> tuple[Occurrence, ...]:
        """The occurrences lasting ``duration`` (without an end: ``has_end`` false) that overlap
        [window_start, window_end), in UTC, but those ``exdates`` removes. The cost follows the
        window, not the series' age: expansion begins next to the window."""
        key = (window_start, window_end, duration, has_end)
        found = self.remembered.get(key)
        if found is None:
            found = self.remembered[key] = tuple(self._expand(window_start, window_end, duration, has_end))
            if len(self.remembered) > _WINDOWS_REMEMBERED:
                self.remembered.popitem(last=False)
        return found

    def _expand(self, window_start: dt.datetime, window_end: dt.datetime, duration: dt.timedelta,
                has_end: bool) -> Iterator[Occurrence]:
        tz = self.local_start.tzinfo
        after = (window_start - duration).astimezone(tz)
        # an hour past the window's end: local times compare by the wall clock, which repeats an hour in autumn
        before = (window_end + _ONE_HOUR).astimezone(tz)
        for local_start in self.rrule(self.start_near(after)).between(after, before, inc=True):
            if local_start in self.excluded:
                continue
            start = local_start.astimezone(dt.timezone.utc)
            if start >= window_end:
                return
            end = start + duration
            if _overlaps(start, end, window_start, window_end):
                yield Occurrence(start, end if has_end else None, start)

    def start_near(self, moment: dt.datetime, periods_before: int = 1) -> dt.datetime:
        """A dtstart in step with the series (whole intervals after its first start), at least
        ``periods_before`` intervals before ``moment``: expanding from it yields exactly the
        series' occurrences from there on, without walking the years before (never before the first start)."""
        first, target = self.local_start, moment.astimezone(self.local_start.tzinfo)
        if self.frequency == rrule.DAILY:
            steps = (target.date() - first.date()).days // self.interval - periods_before
            return first + dt.timedelta(days=steps * self.interval) if steps > 0 else first
        if self.frequency == rrule.WEEKLY:
            # weeks begin on Monday (dateutil's default WKST), and INTERVAL counts weeks from the first one
            weeks = (_monday(target) - _monday(first)).days // 7
            steps = weeks // self.interval - periods_before
            return first + dt.timedelta(weeks=steps * self.interval) if steps > 0 else first
        if self.frequency == rrule.MONTHLY:
            months = (target.year - first.year) * 12 + target.month - first.month
            steps = months // self.interval - periods_before
            if steps <= 0:
                return first
            index = first.year * 12 + first.month - 1 + steps * self.interval
            return first.replace(year=index // 12, month=index % 12 + 1, day=1)
        steps = (target.year - first.year) // self.interval - periods_before
        return first.replace(year=first.year + steps * self.interval, month=1, day=1) if steps > 0 else first


@functools.lru_cache(maxsize=8192)
def _rrule_at(series: _Series, dtstart: dt.datetime) -> rrule.rrule:
    # building a dateutil rrule costs more than expanding a day of it, and one (cache=False)
    # keeps no iteration state, so every view of the same window shares it
    return rrule.rrule(series.frequency, dtstart=dtstart, interval=series.interval, until=series.until,
                       **dict(series.options))


def _monday(moment: dt.datetime) -> dt.date:
    return moment.date() - dt.timedelta(days=moment.weekday())


def _series_of(rule: dict, first_start: dt.datetime, tz) -> _Series:
    """The series of a stored rule; the same rule and start give the same object (remembered)."""
    try:
        frozen = tuple(sorted((key, tuple(value) if isinstance(value, list) else value) for key, value in rule.items()))
        return _remembered_series(frozen, first_start, tz)
    except TypeError:  # a part that cannot be a key (nested objects): not remembered
        return _series(rule, first_start, tz)


@functools.lru_cache(maxsize=8192)
def _remembered_series(frozen_rule: tuple, first_start: dt.datetime, tz) -> _Series:
    rule = {key: list(value) if isinstance(value, tuple) else value for key, value in frozen_rule}
    return _series(rule, first_start, tz)


def _series(rule: dict, first_start: dt.datetime, tz) -> _Series:
    local_start = first_start.astimezone(tz)
    frequency = FREQUENCIES[rule["frequency"]]
    options = tuple(sorted(_by_rules(rule, frequency, local_start).items()))
    interval = int(rule.get("interval") or 1)
    until = end_date_until(rule, tz)
    if rule.get("count"):
        # RFC 5545 (and dateutil) refuse COUNT with UNTIL: the series ends at whichever comes first
        last = _last_counted_start(frequency, interval, options, int(rule["count"]), local_start)
        until = last if until is None else min(until, last)
    return _Series(frequency, interval, options, local_start, until, frozenset(excluded_starts(rule, first_start, tz)))


def build_rrule(rule: dict, first_start: dt.datetime, tz) -> rrule.rrule:
    """The dateutil rule of a series whose first occurrence starts at ``first_start``."""
    return _series(rule, first_start, tz).rrule()


def excluded_starts(rule: dict, first_start: dt.datetime, tz) -> set[dt.datetime]:
    """The occurrence starts that ``exdates`` removes (a date removes that day's occurrence)."""
    local_start = first_start.astimezone(tz)
    excluded = set()
    for value in rule.get("exdates") or ():
        text = str(value)
        try:
            if len(text) == 10:
                day = dt.date.fromisoformat(text)
                excluded.add(dt.datetime.combine(day, local_start.timetz().replace(tzinfo=None), tzinfo=tz))
            else:
                moment = dt.datetime.fromisoformat(text)
                excluded.add((moment if moment.tzinfo else moment.replace(tzinfo=tz)).astimezone(tz))
        except (ValueError, OverflowError):
            # a value stored before input was bounded names no occurrence a view can show:
            # it excludes nothing, rather than breaking every view that expands the series
            continue
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
    series = _series_of(schedule.recurrence_rule, schedule.start_time, tz)
    yield from series.occurrences(window_start, window_end, duration, schedule.end_time is not None)


def series_end(schedule, tz) -> dt.datetime | None:
    """The end of the last occurrence; None for a series without count or end_date."""
    duration = (schedule.end_time - schedule.start_time) if schedule.end_time else dt.timedelta(0)
    if not schedule.recurrence_rule:
        return schedule.start_time + duration
    rule = schedule.recurrence_rule
    if not rule.get("count") and not rule.get("end_date"):
        return None
    series = _series(rule, schedule.start_time, tz)
    excluded = excluded_starts(rule, schedule.start_time, tz)
    last = _last_start(series, excluded)
    return (last.astimezone(dt.timezone.utc) + duration) if last else schedule.start_time + duration


def _last_start(series: _Series, excluded: set[dt.datetime]) -> dt.datetime | None:
    """The last start of a bounded series that ``excluded`` spares, looking back from its end as far as needed."""
    if series.until < series.local_start:
        return None
    periods = len(excluded) + 2
    while True:
        dtstart = series.start_near(series.until, periods_before=periods)
        kept = [start for start in series.rrule(dtstart) if start not in excluded]
        if kept or dtstart == series.local_start:
            return kept[-1] if kept else None
        periods *= 4


def _overlaps(start: dt.datetime, end: dt.datetime, window_start: dt.datetime, window_end: dt.datetime) -> bool:
    if end == start:
        return window_start <= start < window_end
    return start < window_end and end > window_start
