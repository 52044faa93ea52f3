"""today, this_week, calendar_view and statistics: site days (not UTC), every occurrence, DST, month edges."""
from __future__ import annotations

import pytest

from core.testing import shanghai
from tests.plugins.schedule.api_support import API, call, create


@pytest.fixture
def alice(site):
    return site.create_user("alice")


def timed(site, user, start, end=None, **fields):
    return create(site, user, start_time=start, end_time=end, **fields)["data"]


def month(site, user, year, month_number, prefix=API):
    data = call(site, "GET", f"{prefix}/calendar_view/", user, year=year, month=month_number)["data"]
    return {day["date"]: day for day in data["days"]}


def test_today_is_the_sites_calendar_day_not_the_utc_one(site, alice, clock):
    clock.set(shanghai(2025, 12, 26, 7, 30))  # 2025-12-25 23:30 UTC
    this_morning = timed(site, alice, "2025-12-26T09:00:00+08:00", "2025-12-26T10:00:00+08:00")
    timed(site, alice, "2025-12-25T20:00:00+08:00", "2025-12-25T21:00:00+08:00", title="昨晚")
    answer = call(site, "GET", "today/", alice)
    assert answer["msg"] == "获取成功"
    data = answer["data"]
    assert data["date"] == "2025-12-26"
    assert data["total_count"] == 1
    assert data["by_status"] == {"pending": 1, "in_progress": 0, "completed": 0, "cancelled": 0}
    [item] = data["schedules"]
    assert item == {"id": this_morning["id"], "owner": {"id": alice.id, "username": "alice", "name": "Alice"}, "title": this_morning["title"], "start_time": "2025-12-26T09:00:00+08:00",
                    "end_time": "2025-12-26T10:00:00+08:00", "status": "pending", "priority": "high",
                    "schedule_type": "meeting", "is_all_day": False, "location": "公司会议室A", "occurrence": None}


def test_today_lists_series_occurrences_and_statuses(site, alice):
    series = timed(site, alice, "2025-12-20T08:00:00+08:00", "2025-12-20T08:30:00+08:00",
                   recurrence_rule={"frequency": "daily"}, title="晨会")
    done = timed(site, alice, "2025-12-26T15:00:00+08:00", "2025-12-26T16:00:00+08:00", status="completed")
    timed(site, alice, "2025-12-27T00:00:00+08:00", None, title="明天零点")
    data = call(site, "GET", "today/", alice)["data"]
    assert [(s["id"], s["start_time"], s["occurrence"]) for s in data["schedules"]] == [
        (series["id"], "2025-12-26T08:00:00+08:00", "2025-12-26T08:00:00+08:00"),
        (done["id"], "2025-12-26T15:00:00+08:00", None)]
    assert data["by_status"] == {"pending": 1, "in_progress": 0, "completed": 1, "cancelled": 0}


def test_this_week_is_monday_to_sunday_with_all_seven_days(site, alice):
    timed(site, alice, "2025-12-22T09:00:00+08:00", "2025-12-22T10:00:00+08:00")
    weekly = timed(site, alice, "2025-12-01T14:00:00+08:00", "2025-12-01T15:00:00+08:00",
                   recurrence_rule={"frequency": "weekly", "by_weekday": [3, 5]})
    create(site, alice, is_all_day=True, start_time="2025-12-27", end_time="2025-12-28T23:59:59", title="周末团建")
    timed(site, alice, "2025-12-29T09:00:00+08:00", None, title="下周一")
    data = call(site, "GET", "this_week/", alice)["data"]
    assert (data["week_start"], data["week_end"]) == ("2025-12-22", "2025-12-28")
    assert data["by_day"] == {"2025-12-22": 1, "2025-12-23": 0, "2025-12-24": 1, "2025-12-25": 0,
                              "2025-12-26": 1, "2025-12-27": 1, "2025-12-28": 1}
    assert data["total_count"] == 4
    assert [s["occurrence"] for s in data["schedules"] if s["id"] == weekly["id"]] == [
        "2025-12-24T14:00:00+08:00", "2025-12-26T14:00:00+08:00"]


def test_all_day_covers_whole_local_days(site, alice):
    data = create(site, alice, is_all_day=True, start_time="2025-12-30T15:00:00+08:00",
                  end_time="2025-12-31T09:00:00+08:00")["data"]
    assert (data["start_time"], data["end_time"]) == ("2025-12-30T00:00:00+08:00", "2026-01-01T00:00:00+08:00")
    days = month(site, alice, 2025, 12)
    assert [days[d]["count"] for d in ("2025-12-29", "2025-12-30", "2025-12-31")] == [0, 1, 1]
    assert month(site, alice, 2026, 1)["2026-01-01"]["count"] == 0
    one_day = create(site, alice, is_all_day=True, start_time="2025-12-29", end_time=None)["data"]
    assert one_day["end_time"] == "2025-12-30T00:00:00+08:00"
    assert call(site, "PATCH", f"{API}/{one_day['id']}/", alice, {"remark": "x"})["data"]["end_time"] == one_day["end_time"]


def test_a_timed_schedule_across_midnight_is_on_both_days(site, alice):
    timed(site, alice, "2025-12-30T22:00:00+08:00", "2025-12-31T02:00:00+08:00")
    timed(site, alice, "2025-12-29T22:00:00+08:00", "2025-12-30T00:00:00+08:00")  # ends exactly at midnight
    days = month(site, alice, 2025, 12)
    assert [days[d]["count"] for d in ("2025-12-29", "2025-12-30", "2025-12-31")] == [1, 1, 1]


def test_calendar_lists_every_day_at_both_prefixes(site, alice):
    series = timed(site, alice, "2026-02-01T10:00:00+08:00", "2026-02-01T11:00:00+08:00",
                   recurrence_rule={"frequency": "daily", "interval": 2, "count": 5})
    answer = call(site, "GET", "calendar_view/", alice, year=2026, month=2)
    assert answer["code"] == 2000 and answer["msg"] == "获取成功"
    data = answer["data"]
    assert (data["year"], data["month"], len(data["days"])) == (2026, 2, 28)
    assert data["days"][0] == {"date": "2026-02-01", "count": 1, "schedules": [{
        "id": series["id"], "owner": {"id": alice.id, "username": "alice", "name": "Alice"}, "title": series["title"], "start_time": "2026-02-01T10:00:00+08:00",
        "end_time": "2026-02-01T11:00:00+08:00", "schedule_type": "meeting", "priority": "high",
        "status": "pending", "is_all_day": False, "location": "公司会议室A", "occurrence": "2026-02-01T10:00:00+08:00"}],
        "items": []}
    assert [d["date"] for d in data["days"] if d["count"]] == ["2026-02-01", "2026-02-03", "2026-02-05",
                                                               "2026-02-07", "2026-02-09"]
    assert call(site, "GET", "/api/schedule/schedules/calendar_view/", alice, year=2026, month=2)["data"] == data
    assert call(site, "GET", "/api/schedule/schedules/calendar_view", alice, year=2026, month=2)["data"] == data


@pytest.mark.parametrize("params, field", [
    ({"month": "12"}, "year"), ({"year": "2025"}, "month"), ({"year": "2025", "month": "13"}, "month"),
    ({"year": "2025", "month": "0"}, "month"), ({"year": "abc", "month": "1"}, "year"),
])
def test_calendar_needs_year_and_month(site, alice, params, field):
    answer = call(site, "GET", "calendar_view/", alice, expect=400, **params)
    assert answer["code"] == 4001 and field in answer["data"]


def test_month_days_31_and_minus_1_and_february_29(site, alice):
    on_31 = timed(site, alice, "2026-01-31T09:00:00+08:00", None, recurrence_rule={"frequency": "monthly", "by_monthday": [31]})
    last = timed(site, alice, "2026-01-31T18:00:00+08:00", None, recurrence_rule={"frequency": "monthly", "by_monthday": [-1]})
    leap = timed(site, alice, "2024-02-29T12:00:00+08:00", None, recurrence_rule={"frequency": "yearly"})

    def ids_on(year, month_number):
        return {date: [s["id"] for s in day["schedules"]] for date, day in month(site, alice, year, month_number).items()
                if day["count"]}

    assert ids_on(2026, 2) == {"2026-02-28": [last["id"]]}
    assert ids_on(2026, 3) == {"2026-03-31": [on_31["id"], last["id"]]}
    assert ids_on(2026, 4) == {"2026-04-30": [last["id"]]}
    assert ids_on(2027, 2) == {"2027-02-28": [last["id"]]}
    assert ids_on(2028, 2) == {"2028-02-29": [leap["id"], last["id"]]}  # by start time


def test_occurrences_keep_wall_clock_across_dst(make_site, clock):
    site = make_site(settings={"tessera.timezone": "Europe/Berlin"})
    alice = site.create_user("alice")
    clock.set(shanghai(2026, 3, 20, 10, 0))
    weekly = create(site, alice, start_time="2026-03-23T09:00:00", end_time="2026-03-23T10:00:00",
                    recurrence_rule={"frequency": "weekly", "exdates": ["2026-04-06"]})["data"]
    assert weekly["start_time"] == "2026-03-23T09:00:00+01:00"  # naive input read in the site zone
    days = month(site, alice, 2026, 3)
    assert days["2026-03-30"]["schedules"][0]["start_time"] == "2026-03-30T09:00:00+02:00"
    assert days["2026-03-30"]["schedules"][0]["end_time"] == "2026-03-30T10:00:00+02:00"
    assert days["2026-03-23"]["schedules"][0]["start_time"] == "2026-03-23T09:00:00+01:00"
    april = month(site, alice, 2026, 4)
    assert [d for d, day in april.items() if day["count"]] == ["2026-04-13", "2026-04-20", "2026-04-27"]
    # the 23-hour day of the change is one whole local day
    night = create(site, alice, start_time="2026-03-29T01:30:00", end_time="2026-03-29T03:30:00")["data"]
    assert (night["start_time"], night["end_time"]) == ("2026-03-29T01:30:00+01:00", "2026-03-29T03:30:00+02:00")
    late = create(site, alice, start_time="2026-03-29T23:30:00", end_time=None)["data"]
    assert [s["id"] for s in month(site, alice, 2026, 3)["2026-03-29"]["schedules"]] == [night["id"], late["id"]]


def test_naive_and_offset_inputs_are_the_same_instant(site, alice):
    naive = create(site, alice, start_time="2025-12-27T14:00:00", end_time="2025-12-27T16:00:00")["data"]
    utc = create(site, alice, start_time="2025-12-28T06:00:00Z", end_time="2025-12-28T08:00:00Z")["data"]
    assert (naive["start_time"], naive["end_time"]) == ("2025-12-27T14:00:00+08:00", "2025-12-27T16:00:00+08:00")
    assert (utc["start_time"], utc["end_time"]) == ("2025-12-28T14:00:00+08:00", "2025-12-28T16:00:00+08:00")


def test_statistics_counts_occurrences_in_the_window_and_due_dates_overall(site, alice, clock):
    timed(site, alice, "2025-12-01T09:00:00+08:00", "2025-12-01T10:00:00+08:00", title="过期未完成")  # overdue
    timed(site, alice, "2025-12-02T09:00:00+08:00", None, status="completed", schedule_type="court", priority="low")
    timed(site, alice, "2025-12-26T09:30:00+08:00", "2025-12-26T11:00:00+08:00", status="in_progress")  # running now
    timed(site, alice, "2026-01-05T09:00:00+08:00", None, schedule_type="deadline", priority="urgent")  # upcoming
    timed(site, alice, "2025-12-20T07:00:00+08:00", "2025-12-20T07:30:00+08:00", schedule_type="reminder",
          priority="medium", recurrence_rule={"frequency": "daily"})  # upcoming series
    timed(site, alice, "2025-12-20T07:00:00+08:00", "2025-12-20T07:30:00+08:00", schedule_type="other",
          priority="medium", recurrence_rule={"frequency": "daily", "count": 3}, allow_conflict=True)  # overdue series
    timed(site, alice, "2026-01-06T09:00:00+08:00", None, status="cancelled")
    everything = call(site, "GET", "statistics/", alice)
    assert everything["msg"] == "获取成功"
    data = everything["data"]
    assert data["total_count"] == 7
    assert data["by_type"] == {"meeting": 3, "court": 1, "deadline": 1, "reminder": 1, "other": 1}
    assert data["by_status"] == {"pending": 4, "in_progress": 1, "completed": 1, "cancelled": 1}
    assert data["by_priority"] == {"low": 1, "medium": 2, "high": 3, "urgent": 1}
    assert (data["upcoming_count"], data["overdue_count"]) == (2, 2)
    window = call(site, "GET", "statistics/", alice, start_date="2025-12-24", end_date="2025-12-26")["data"]
    # the endless daily series occurs 3 times, the running one once; upcoming/overdue ignore the window
    assert window["total_count"] == 4 and window["by_type"]["reminder"] == 3
    assert (window["upcoming_count"], window["overdue_count"]) == (2, 2)
    after = call(site, "GET", "statistics/", alice, start_date="2026-01-01")["data"]
    assert after["total_count"] == 3  # deadline, cancelled, the endless series once
    before = call(site, "GET", "statistics/", alice, end_date="2025-12-01")["data"]
    assert before["total_count"] == 1
    refused = call(site, "GET", "statistics/", alice, start_date="2025-12-31", end_date="2025-12-01", expect=400)
    assert refused["code"] == 4001 and "end_date" in refused["data"]
    assert "start_date" in call(site, "GET", "statistics/", alice, start_date="12/01", expect=400)["data"]
    too_long = call(site, "GET", "statistics/", alice, start_date="2020-01-01", end_date="2029-12-31", expect=400)
    assert "end_date" in too_long["data"]
