"""The iCalendar feed, parsed back: UID, SEQUENCE, TZID + VTIMEZONE, DATE values, RRULE/EXDATE, VALARMs."""
from __future__ import annotations

import datetime as dt
import zoneinfo

import icalendar
import pytest

from tests.plugins.schedule.api_support import API, call, create

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def alice(site):
    return site.create_user("alice")


def feed(site, user, **params) -> icalendar.Calendar:
    response = site.get(f"{API}/export.ics", params=params, headers=site.headers(user))
    assert response.content_type == "text/calendar"
    return icalendar.Calendar.from_ical(response.body)


def events(calendar) -> dict[str, icalendar.Event]:
    return {str(event["summary"]): event for event in calendar.walk("VEVENT")}


def test_a_timed_schedule_with_reminders(site, alice):
    created = create(site, alice, reminder_method="system,email")["data"]
    calendar = feed(site, alice)
    [timezone] = calendar.walk("VTIMEZONE")
    assert str(timezone["tzid"]) == "Asia/Shanghai"
    event = events(calendar)["与客户A洽谈合同"]
    assert str(event["uid"]) == f"schedule-{created['id']}@tessera"
    assert int(event["sequence"]) == 0
    assert event["dtstart"].params["TZID"] == "Asia/Shanghai"
    assert event.decoded("dtstart") == dt.datetime(2025, 12, 27, 14, 0, tzinfo=SHANGHAI)
    assert event.decoded("dtend") == dt.datetime(2025, 12, 27, 16, 0, tzinfo=SHANGHAI)
    assert str(event["location"]) == "公司会议室A" and str(event["status"]) == "TENTATIVE"
    [alarm] = event.walk("VALARM")  # one per lead, not per channel: the phone rings once
    assert str(alarm["x-tessera-method"]) == "system,email"
    assert alarm.decoded("trigger") == dt.timedelta(minutes=-30)


def test_one_alarm_per_lead(site, alice):
    leads = [{"minutes": 3 * 24 * 60, "method": "system"}, {"minutes": 24 * 60}, {"minutes": 120, "method": "system"}]
    create(site, alice, reminder_leads=leads)
    alarms = events(feed(site, alice))["与客户A洽谈合同"].walk("VALARM")
    assert [alarm.decoded("trigger") for alarm in alarms] == [
        dt.timedelta(days=-3), dt.timedelta(days=-1), dt.timedelta(hours=-2)]


def test_uid_is_stable_and_sequence_grows_with_each_change(site, alice):
    created = create(site, alice)["data"]
    path = f"{API}/{created['id']}/"
    call(site, "PATCH", path, alice, {"title": "改期"})
    call(site, "PATCH", path, alice, {"start_time": "2025-12-27T15:00:00+08:00"})
    call(site, "POST", f"{path}update_status/", alice, {"status": "cancelled"})
    event = events(feed(site, alice))["改期"]
    assert str(event["uid"]) == f"schedule-{created['id']}@tessera"
    assert int(event["sequence"]) == 3 and str(event["status"]) == "CANCELLED"
    call(site, "DELETE", path, alice)
    assert events(feed(site, alice)) == {}


def test_series_export_rrule_and_exdate(site, alice):
    create(site, alice, title="周会", start_time="2025-12-29T10:00:00+08:00", end_time="2025-12-29T11:00:00+08:00",
           recurrence_rule={"frequency": "weekly", "interval": 2, "by_weekday": [1, 3], "end_date": "2026-06-30",
                            "exdates": ["2026-01-12", "2026-01-14T10:00:00+08:00"]})
    create(site, alice, title="月末", start_time="2026-01-31T18:00:00+08:00", end_time=None,
           recurrence_rule={"frequency": "monthly", "by_monthday": [-1], "count": 6})
    create(site, alice, title="两者", start_time="2026-01-01T08:00:00+08:00", end_time=None,
           recurrence_rule={"frequency": "daily", "count": 10, "end_date": "2026-01-05"})
    found = events(feed(site, alice))
    weekly = found["周会"]["rrule"]
    assert weekly["FREQ"] == ["WEEKLY"] and weekly["INTERVAL"] == [2] and weekly["BYDAY"] == ["MO", "WE"]
    assert weekly["UNTIL"] == [dt.datetime(2026, 6, 30, 15, 59, 59, tzinfo=dt.timezone.utc)]
    exdates = [d.dt for d in found["周会"]["exdate"].dts]
    assert exdates == [dt.datetime(2026, 1, 12, 10, 0, tzinfo=SHANGHAI), dt.datetime(2026, 1, 14, 10, 0, tzinfo=SHANGHAI)]
    assert found["月末"]["rrule"]["BYMONTHDAY"] == [-1] and found["月末"]["rrule"]["COUNT"] == [6]
    both = found["两者"]["rrule"]  # RFC 5545 allows only one: the earlier end wins
    assert "COUNT" not in both and both["UNTIL"] == [dt.datetime(2026, 1, 5, 0, 0, tzinfo=dt.timezone.utc)]


def test_all_day_is_a_date_value(site, alice):
    create(site, alice, title="年会", is_all_day=True, start_time="2025-12-30", end_time="2025-12-31T12:00:00",
           reminder_time=60)
    event = events(feed(site, alice))["年会"]
    assert event.decoded("dtstart") == dt.date(2025, 12, 30)
    assert event.decoded("dtend") == dt.date(2026, 1, 1)
    assert "TZID" not in event["dtstart"].params
    [alarm] = event.walk("VALARM")
    assert alarm.decoded("trigger") == dt.timedelta(hours=8)  # 09:00 local minus 60 minutes


def test_window_and_owner(site, alice):
    bob = site.create_user("bob")
    create(site, alice, title="近", start_time="2025-12-27T14:00:00+08:00")
    create(site, alice, title="远", start_time="2027-06-01T14:00:00+08:00", end_time=None)
    create(site, alice, title="旧", start_time="2025-10-01T14:00:00+08:00", end_time=None)
    create(site, bob, title="别人的")
    assert set(events(feed(site, alice))) == {"近"}
    assert set(events(feed(site, alice, start="2025-01-01", end="2027-12-31T23:59:59+08:00"))) == {"近", "远", "旧"}
    refused = site.get(f"{API}/export.ics", params={"start": "later"}, headers=site.headers(alice), status=400).json
    assert refused["code"] == 4001 and "start" in refused["data"]
    refused = site.get(f"{API}/export.ics", params={"start": "2026-01-02", "end": "2026-01-01"},
                       headers=site.headers(alice), status=400).json
    assert "end" in refused["data"]
