"""Expansion from the window gives exactly what walking the whole series from its first start gives.

The reference below builds dateutil's rule the plain way — from the series'
real first start, with COUNT — and lists the window from it. Random rules over
daylight-saving zones, BYDAY, BYMONTHDAY (31, -1), COUNT, end dates, intervals
and exdates, with series that began in 1900, must agree occurrence for occurrence.
"""
from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from types import SimpleNamespace

import pytest
from dateutil import rrule

from plugins.schedule.recurrence import FREQUENCIES, end_date_until, occurrences, series_end

UTC = dt.timezone.utc
ZONES = [zoneinfo.ZoneInfo(name) for name in ("Europe/Berlin", "America/New_York", "Asia/Shanghai", "Australia/Sydney")]
WEEKDAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)


def reference_starts(rule: dict, first: dt.datetime, tz) -> rrule.rrule:
    """The series as dateutil expands it from its real first start (COUNT and UNTIL, whichever ends first)."""
    local = first.astimezone(tz)
    options = {"dtstart": local, "interval": rule.get("interval", 1)}
    if rule.get("by_weekday"):
        options["byweekday"] = [WEEKDAYS[day - 1] for day in rule["by_weekday"]]
    if rule.get("by_monthday"):
        options["bymonthday"] = rule["by_monthday"]
    if rule.get("count"):
        options["count"] = rule["count"]
    starts = rrule.rrule(FREQUENCIES[rule["frequency"]], **options)
    until = end_date_until(rule, tz)
    return [start for start in starts if until is None or start <= until] if rule.get("count") else \
        rrule.rrule(FREQUENCIES[rule["frequency"]], until=until, **options)


def random_rule(rng: random.Random, first: dt.datetime, tz) -> dict:
    rule = {"frequency": rng.choice(list(FREQUENCIES)), "interval": rng.choice([1, 1, 2, 3])}
    if rng.random() < 0.4:
        rule["by_weekday"] = sorted(rng.sample(range(1, 8), rng.randint(1, 3)))
    if rng.random() < 0.3:
        rule["by_monthday"] = sorted(rng.sample([1, 15, 28, 29, 30, 31, -1], rng.randint(1, 2)))
    if rng.random() < 0.3:
        rule["count"] = rng.randint(1, 300)
    if rng.random() < 0.3:
        rule["end_date"] = (first + dt.timedelta(days=rng.randint(0, 4000))).astimezone(tz).date().isoformat()
    starts = reference_starts(rule, first, tz)
    some = [start for start, _ in zip(starts, range(400))]
    excluded = rng.sample(some, min(len(some), rng.randint(0, 4)))
    rule["exdates"] = [start.date().isoformat() if rng.random() < 0.5 else start.isoformat() for start in excluded]
    return rule


def series(rule: dict, first: dt.datetime, hours: float | None):
    end = first + dt.timedelta(hours=hours) if hours is not None else None
    return SimpleNamespace(recurrence_rule=rule, start_time=first.astimezone(UTC), end_time=end and end.astimezone(UTC))


def expected(schedule, tz, window_start, window_end):
    rule = schedule.recurrence_rule
    excluded = set()
    for value in rule.get("exdates", ()):
        moment = dt.datetime.fromisoformat(value) if len(value) > 10 else dt.datetime.combine(
            dt.date.fromisoformat(value), schedule.start_time.astimezone(tz).time(), tzinfo=tz)
        excluded.add(moment)
    duration = (schedule.end_time - schedule.start_time) if schedule.end_time else dt.timedelta(0)
    found = []
    for start in reference_starts(rule, schedule.start_time, tz):
        if start.astimezone(UTC) >= window_end:
            break
        if start in excluded:
            continue
        start = start.astimezone(UTC)
        end = start + duration
        if (window_start <= start < window_end) if end == start else (start < window_end and end > window_start):
            found.append(start)
    return found


@pytest.mark.parametrize("seed", range(40))
def test_a_window_expands_as_the_whole_series_would(seed):
    rng = random.Random(seed)
    tz = rng.choice(ZONES)
    first = dt.datetime(rng.choice([1900, 1901, 1999, 2020, 2025]), rng.randint(1, 12), rng.randint(1, 28),
                        rng.choice([0, 2, 9, 23]), rng.choice([0, 30]), tzinfo=tz)
    rule = random_rule(rng, first, tz)
    schedule = series(rule, first, rng.choice([None, 0.5, 26]))
    for _ in range(6):
        window_start = dt.datetime(rng.randint(first.year, 2030), rng.randint(1, 12), rng.randint(1, 28), tzinfo=tz)
        if rng.random() < 0.3:  # a window right at the start of the series
            window_start = first - dt.timedelta(days=rng.randint(0, 3))
        window_start = window_start.astimezone(UTC)
        window_end = window_start + dt.timedelta(days=rng.choice([1, 7, 31, 400]))
        got = [occurrence.start for occurrence in occurrences(schedule, window_start, window_end, tz)]
        assert got == expected(schedule, tz, window_start, window_end), (rule, first, window_start)


@pytest.mark.parametrize("seed", range(40))
def test_the_series_end_is_the_end_of_its_last_kept_occurrence(seed):
    rng = random.Random(1000 + seed)
    tz = rng.choice(ZONES)
    first = dt.datetime(rng.choice([1900, 2020, 2025]), rng.randint(1, 12), rng.randint(1, 28), 9, 0, tzinfo=tz)
    rule = random_rule(rng, first, tz)
    if not rule.get("count") and not rule.get("end_date"):
        rule["count"] = rng.randint(1, 50)
    schedule = series(rule, first, 1)
    everything = expected(schedule, tz, first.astimezone(UTC), dt.datetime(3000, 1, 1, tzinfo=UTC))
    last = everything[-1] if everything else schedule.start_time
    assert series_end(schedule, tz) == last + dt.timedelta(hours=1), rule


def test_dst_days_keep_the_wall_clock_from_a_series_begun_in_1900():
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    schedule = series({"frequency": "daily"}, dt.datetime(1900, 1, 1, 2, 30, tzinfo=berlin), 1)
    window_start = dt.datetime(2026, 3, 28, tzinfo=berlin).astimezone(UTC)
    starts = [o.start.astimezone(berlin) for o in occurrences(schedule, window_start, window_start + dt.timedelta(days=3),
                                                              berlin)]
    assert [(s.day, s.hour, s.minute) for s in starts] == [(28, 2, 30), (29, 3, 30), (30, 2, 30)]
    assert [s.utcoffset() for s in starts] == [dt.timedelta(hours=1), dt.timedelta(hours=2), dt.timedelta(hours=2)]
