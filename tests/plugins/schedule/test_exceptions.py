"""Series exceptions through the API: one occurrence, this and the following, or all."""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import icalendar
import pytest

from tests.plugins.schedule.api_support import call, create
from tests.plugins.schedule.reminder_support import reminder_rows
from tests.plugins.schedule.test_feeds import SHANGHAI, fetch, occurrences_of, subscribe

pytestmark = pytest.mark.plugins("schedule")


def scoped(path: str, **params) -> str:
    """``path`` with a query string (the body helpers send no params)."""
    return f"{path}?{urlencode(params)}"


def weekly(site, user, **fields) -> dict:
    """Mondays 09:00–10:00 from 2026-01-05, six times."""
    body = {"title": "周会", "start_time": "2026-01-05T09:00:00", "end_time": "2026-01-05T10:00:00",
            "recurrence_rule": {"frequency": "weekly", "count": 6}, "related_type": None, "related_id": None, **fields}
    return create(site, user, **body)["data"]


def january_items(site, user) -> list[tuple[str, str, str]]:
    days = call(site, "GET", "calendar_view/", user, year=2026, month=1)["data"]["days"]
    return [(item["title"], item["start_time"], item["status"]) for day in days for item in day["schedules"]]


def test_a_moved_occurrence_shows_at_its_new_time_in_the_calendar_and_the_feed(site, lawyer):
    series = weekly(site, lawyer)
    path = scoped(f"{series['id']}/", scope="this", occurrence="2026-01-12T09:00:00+08:00")
    moved = call(site, "PATCH", path, lawyer,
                 {"start_time": "2026-01-14T15:00:00", "end_time": "2026-01-14T16:00:00", "location": "客户处"})["data"]
    assert moved["id"] != series["id"] and moved["series_id"] == series["id"]
    assert moved["recurrence_id"] == "2026-01-12T09:00:00+08:00" and moved["recurrence_rule"] is None
    assert january_items(site, lawyer) == [
        ("周会", "2026-01-05T09:00:00+08:00", "pending"), ("周会", "2026-01-14T15:00:00+08:00", "pending"),
        ("周会", "2026-01-19T09:00:00+08:00", "pending"), ("周会", "2026-01-26T09:00:00+08:00", "pending")]
    body = fetch(site, subscribe(site, lawyer)["url"]).body
    events = icalendar.Calendar.from_ical(body).walk("VEVENT")
    master = next(event for event in events if "RRULE" in event)
    override = next(event for event in events if "RECURRENCE-ID" in event)
    assert str(override["uid"]) == str(master["uid"]) == f"schedule-{series['id']}@tessera"
    assert override.decoded("recurrence-id") == dt.datetime(2026, 1, 12, 9, 0, tzinfo=SHANGHAI)
    assert "EXDATE" not in master  # the override replaces the occurrence; an EXDATE would hide it
    window = (dt.datetime(2026, 1, 1, tzinfo=SHANGHAI), dt.datetime(2026, 3, 1, tzinfo=SHANGHAI))
    assert [start for _, start in occurrences_of(body, *window)] == [
        dt.datetime(2026, 1, day, hour, tzinfo=SHANGHAI) for day, hour in ((5, 9), (14, 15), (19, 9), (26, 9))] + [
        dt.datetime(2026, 2, day, 9, tzinfo=SHANGHAI) for day in (2, 9)]


def test_completing_one_occurrence_leaves_the_others_pending_with_their_reminders(site, lawyer):
    series = weekly(site, lawyer)
    path = scoped(f"{series['id']}/update_status/", scope="this", occurrence="2026-01-05T09:00:00+08:00")
    done = call(site, "POST", path, lawyer, {"status": "completed"})["data"]
    assert done["status"] == "completed" and done["start_time"] == "2026-01-05T09:00:00+08:00"
    assert january_items(site, lawyer)[0] == ("周会", "2026-01-05T09:00:00+08:00", "completed")
    assert [status for _, _, status in january_items(site, lawyer)[1:]] == ["pending"] * 3
    pending = {(row.schedule_id, row.occurrence_start) for row in reminder_rows(site) if row.state == "pending"}
    assert (series["id"], dt.datetime(2026, 1, 12, 9, tzinfo=SHANGHAI)) in pending
    assert not any(start == dt.datetime(2026, 1, 5, 9, tzinfo=SHANGHAI) for _, start in pending)


def test_this_and_following_splits_the_series_and_keeps_the_count(site, lawyer):
    series = weekly(site, lawyer)
    path = scoped(f"{series['id']}/", scope="following", occurrence="2026-01-19T09:00:00+08:00")
    later = call(site, "PATCH", path, lawyer, {"title": "新周会", "location": "二楼"})["data"]
    assert later["recurrence_rule"]["count"] == 4 and later["series_id"] == series["id"]
    before = call(site, "GET", f"{series['id']}/", lawyer)["data"]
    assert before["recurrence_rule"]["end_date"] == "2026-01-18"
    assert [title for title, _, _ in january_items(site, lawyer)] == ["周会", "周会", "新周会", "新周会"]
    february = call(site, "GET", "calendar_view/", lawyer, year=2026, month=2)["data"]["days"]
    assert [item["title"] for day in february for item in day["schedules"]] == ["新周会", "新周会"]


def test_a_series_never_conflicts_with_its_own_parts(site, lawyer):
    series = weekly(site, lawyer, recurrence_rule={"frequency": "daily", "count": 10})
    # moving Monday's occurrence onto Tuesday's slot overlaps only the series itself
    call(site, "PATCH", scoped(f"{series['id']}/", scope="this", occurrence="2026-01-05T09:00:00+08:00"), lawyer,
         {"start_time": "2026-01-06T09:30:00", "end_time": "2026-01-06T10:30:00"})
    shortened = call(site, "PATCH", f"{series['id']}/", lawyer, {"recurrence_rule": {"frequency": "daily", "count": 3}})
    assert shortened["data"]["recurrence_rule"]["count"] == 3
    other = create(site, lawyer, title="别的", start_time="2026-01-06T09:45:00", end_time="2026-01-06T10:15:00",
                   related_type=None, related_id=None, expect=409)
    assert other["code"] == 4005


def test_deleting_one_or_the_following_occurrences(site, lawyer):
    series = weekly(site, lawyer)
    call(site, "DELETE", scoped(f"{series['id']}/", scope="this", occurrence="2026-01-12T09:00:00+08:00"), lawyer)
    call(site, "DELETE", scoped(f"{series['id']}/", scope="following", occurrence="2026-01-26T09:00:00+08:00"), lawyer)
    assert [start for _, start, _ in january_items(site, lawyer)] == [
        "2026-01-05T09:00:00+08:00", "2026-01-19T09:00:00+08:00"]


@pytest.mark.parametrize("params, field", [
    ({"scope": "this"}, "occurrence"),
    ({"scope": "this", "occurrence": "2026-01-06T09:00:00+08:00"}, "occurrence"),
    ({"scope": "sometimes", "occurrence": "2026-01-05T09:00:00+08:00"}, "scope"),
])
def test_scopes_need_a_real_occurrence(site, lawyer, params, field):
    series = weekly(site, lawyer)
    answer = call(site, "PATCH", scoped(f"{series['id']}/", **params), lawyer, {"title": "x"}, expect=400)
    assert list(answer["data"]) == [field]
    assert call(site, "GET", f"{series['id']}/", lawyer)["data"]["title"] == "周会"


def test_a_feed_with_overrides_imported_back_gives_the_same_occurrences(site, lawyer):
    trainee = site.create_user("trainee")
    series = weekly(site, lawyer)
    call(site, "PATCH", scoped(f"{series['id']}/", scope="this", occurrence="2026-01-12T09:00:00+08:00"), lawyer,
         {"start_time": "2026-01-14T15:00:00", "end_time": "2026-01-14T16:00:00", "title": "改到周三"})
    exported = fetch(site, subscribe(site, lawyer)["url"]).body
    report = call(site, "POST", "import/", trainee, {"ics": exported.decode()})["data"]
    assert report["created_count"] == 2 and report["skipped"] == []
    imported = fetch(site, subscribe(site, trainee)["url"]).body
    window = (dt.datetime(2026, 1, 1, tzinfo=SHANGHAI), dt.datetime(2026, 3, 1, tzinfo=SHANGHAI))
    assert occurrences_of(imported, *window) == occurrences_of(exported, *window)
    assert ("改到周三", "2026-01-14T15:00:00+08:00", "pending") in january_items(site, trainee)
