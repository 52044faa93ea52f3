"""Subscription feeds and ICS import through the API; every feed is read by two independent parsers.

``icalendar`` is what the plugin writes with, so a second parser (``vobject``, a separate
implementation of RFC 5545) checks that what we serve is not merely what our own library
reads back, as Google, Outlook and Apple would each parse it their own way.
"""
from __future__ import annotations

import datetime as dt
import zoneinfo

import icalendar
import pytest
import vobject
from dateutil import rrule as dateutil_rrule

from tests.plugins.schedule.api_support import API, call, create

pytestmark = pytest.mark.plugins("schedule")
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def trainee(site):
    return site.create_user("trainee", name="实习生", email="trainee@example.com")


def subscribe(site, user) -> dict:
    return call(site, "POST", "feed/", user)["data"]


def fetch(site, url: str, status: int = 200):
    """A calendar app's request: the URL alone, no Authorization header."""
    return site.get(url.replace("http://testserver", ""), status=status)


def both_parsers(body: bytes):
    """(icalendar's VEVENTs, vobject's VEVENTs) of one feed body; both must accept it."""
    parsed = icalendar.Calendar.from_ical(body)
    other = vobject.readOne(body.decode("utf-8"))
    return parsed.walk("VEVENT"), list(other.vevent_list)


def moment_of(value) -> dt.datetime:
    """An all-day DATE as its local midnight, so dates and times sort together."""
    return value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time(0), tzinfo=SHANGHAI)


def occurrences_of(body: bytes, start: dt.datetime, end: dt.datetime) -> list[tuple[str, dt.datetime]]:
    """(summary, start) of every occurrence in [start, end), expanded by vobject (RRULE, EXDATE, overrides)."""
    found = []
    calendar = vobject.readOne(body.decode("utf-8"))
    overrides = {}
    for event in calendar.vevent_list:
        if hasattr(event, "recurrence_id"):
            overrides[(event.uid.value, event.recurrence_id.value)] = event
    for event in calendar.vevent_list:
        if hasattr(event, "recurrence_id"):
            continue
        rule_set = event.getrruleset(addRDate=True)
        starts = list(rule_set.between(start, end, inc=True)) if rule_set else [moment_of(event.dtstart.value)]
        for moment in starts:
            override = overrides.pop((event.uid.value, moment), None)
            if override is not None:
                found.append((override.summary.value, moment_of(override.dtstart.value)))
            elif start <= moment < end:
                found.append((event.summary.value, moment))
    found += [(event.summary.value, moment_of(event.dtstart.value)) for event in overrides.values()]
    return sorted(found, key=lambda item: (item[1], item[0]))


def test_a_feed_url_answers_without_a_header_until_revoked(site, lawyer, trainee):
    created = create(site, lawyer, participants=[{"user_id": trainee.id}, {"name": "客户", "email": "c@example.com"}],
                     related_type=None, related_id=None)["data"]
    feed = subscribe(site, trainee)
    assert feed["active"] is True and feed["webcal_url"].startswith("webcal://testserver/api/customer/schedules/feed/")
    token = feed["url"].rsplit("/", 2)[1]
    assert len(token) >= 43  # 256 bits, url-safe base64
    response = fetch(site, feed["url"])
    assert response.content_type == "text/calendar" and "Authorization" not in response.request.headers
    events, other_events = both_parsers(response.body)
    [event], [other] = events, other_events
    assert str(event["uid"]) == f"schedule-{created['id']}@tessera" == other.uid.value
    assert str(event["organizer"]) == "mailto:lawyer@example.com"
    attendees = {str(attendee): attendee.params["PARTSTAT"] for attendee in event["attendee"]}
    assert attendees == {"mailto:trainee@example.com": "NEEDS-ACTION", "mailto:c@example.com": "NEEDS-ACTION"}
    assert other.dtstart.value == dt.datetime(2025, 12, 27, 14, 0, tzinfo=other.dtstart.value.tzinfo)
    assert icalendar.Calendar.from_ical(response.body).walk("VTIMEZONE")
    assert call(site, "GET", "feed/", trainee)["data"]["active"] is True
    call(site, "DELETE", "feed/", trainee)
    fetch(site, feed["url"], status=404)
    assert call(site, "GET", "feed/", trainee)["data"] == {"active": False, "create_datetime": None}


def test_rotating_ends_the_old_url_and_the_sequence_grows(site, lawyer):
    created = create(site, lawyer)["data"]
    first = subscribe(site, lawyer)
    second = subscribe(site, lawyer)
    fetch(site, first["url"], status=404)
    fetch(site, f"{API}/feed/not-a-token/calendar.ics", status=404)
    before = icalendar.Calendar.from_ical(fetch(site, second["url"]).body).walk("VEVENT")[0]
    call(site, "PATCH", f"{created['id']}/", lawyer, {"title": "改期"})
    after = icalendar.Calendar.from_ical(fetch(site, second["url"]).body).walk("VEVENT")[0]
    assert int(after["sequence"]) > int(before["sequence"]) and str(after["uid"]) == str(before["uid"])


def test_a_declined_schedule_leaves_the_attendees_feed(site, lawyer, trainee):
    created = create(site, lawyer, participants=[{"user_id": trainee.id}])["data"]
    feed = subscribe(site, trainee)
    call(site, "POST", f"{created['id']}/respond/", trainee, {"response": "declined"})
    assert icalendar.Calendar.from_ical(fetch(site, feed["url"]).body).walk("VEVENT") == []


def test_an_exported_feed_imported_back_gives_the_same_occurrences(site, lawyer, trainee):
    window = (dt.datetime(2025, 12, 1, tzinfo=SHANGHAI), dt.datetime(2026, 3, 1, tzinfo=SHANGHAI))
    create(site, lawyer, title="周会", start_time="2025-12-29T09:00:00", end_time="2025-12-29T10:00:00",
           recurrence_rule={"frequency": "weekly", "by_weekday": [1, 3], "count": 10, "exdates": ["2025-12-31"]},
           reminder_leads=[{"minutes": 60}, {"minutes": 10}])
    create(site, lawyer, title="月末", start_time="2025-12-31T17:00:00", end_time="2025-12-31T18:00:00",
           recurrence_rule={"frequency": "monthly", "by_monthday": [-1], "end_date": "2026-02-28"}, allow_conflict=True)
    create(site, lawyer, title="假期", is_all_day=True, start_time="2026-01-01", end_time="2026-01-03")
    create(site, lawyer, title="开庭", schedule_type="court", start_time="2026-01-15T14:00:00",
           end_time="2026-01-15T16:00:00")
    exported = fetch(site, subscribe(site, lawyer)["url"]).body
    report = call(site, "POST", "import/", trainee, {"ics": exported.decode()})["data"]
    assert report["created_count"] == 4 and report["skipped"] == []
    imported = fetch(site, subscribe(site, trainee)["url"]).body
    assert occurrences_of(imported, *window) == occurrences_of(exported, *window)
    assert len(occurrences_of(exported, *window)) == 9 + 3 + 1 + 1
    weekly = next(item for item in call(site, "GET", "", trainee)["data"]["results"] if item["title"] == "周会")
    assert weekly["reminder_leads"] == [{"minutes": 60, "method": "system"}, {"minutes": 10, "method": "system"}]
    assert weekly["recurrence_rule"]["exdates"] == ["2025-12-31T09:00:00+08:00"]


def test_import_reports_what_it_skips(site, lawyer):
    ics = "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN",
        "BEGIN:VEVENT", "UID:ok@x", "SUMMARY:能导入", "DTSTART:20260105T090000Z", "DTEND:20260105T100000Z", "END:VEVENT",
        "BEGIN:VEVENT", "UID:setpos@x", "SUMMARY:每月最后一个工作日", "DTSTART:20260105T090000Z",
        "RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "END:VEVENT",
        "BEGIN:VEVENT", "UID:hourly@x", "SUMMARY:每小时", "DTSTART:20260105T090000Z", "RRULE:FREQ=HOURLY",
        "END:VEVENT",
        "END:VCALENDAR", ""])
    report = call(site, "POST", "import/", lawyer, {"ics": ics})["data"]
    assert report["created_count"] == 1
    assert [(item["uid"], "BYSETPOS" in item["reason"] or "HOURLY" in item["reason"]) for item in report["skipped"]] == [
        ("setpos@x", True), ("hourly@x", True)]
    [item] = call(site, "GET", "", lawyer)["data"]["results"]
    assert item["start_time"] == "2026-01-05T17:00:00+08:00" and item["reminder_enabled"] is False
    bad = call(site, "POST", "import/", lawyer, {"ics": "not a calendar"}, expect=400)
    assert list(bad["data"]) == ["ics"]


def test_the_weekly_rule_survives_the_round_trip_through_dateutil(site, lawyer):
    """The exported RRULE, read by dateutil, yields the occurrences the API lists."""
    create(site, lawyer, title="周会", start_time="2026-01-05T09:00:00", end_time="2026-01-05T10:00:00",
           recurrence_rule={"frequency": "weekly", "count": 3})
    [event] = icalendar.Calendar.from_ical(fetch(site, subscribe(site, lawyer)["url"]).body).walk("VEVENT")
    rule = dateutil_rrule.rrulestr(event["rrule"].to_ical().decode(), dtstart=event.decoded("dtstart"))
    assert [moment.isoformat() for moment in rule] == [
        "2026-01-05T09:00:00+08:00", "2026-01-12T09:00:00+08:00", "2026-01-19T09:00:00+08:00"]
