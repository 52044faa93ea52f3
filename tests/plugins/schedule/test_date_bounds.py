"""Recurrence input is bounded: only supported years, only values that convert in every zone, so no stored
value can break a view; a series from the earliest allowed year is shown like any other."""
from __future__ import annotations

import pytest

from plugins.schedule.models import Schedule
from tests.plugins.schedule.api_support import API, call, create, rows

DAILY_SINCE_1900 = {"frequency": "daily"}


@pytest.fixture
def admin(site):
    return site.create_user("boss", role="admin")


@pytest.mark.parametrize("rule, field", [
    ({"frequency": "daily", "exdates": ["0001-01-01T00:00:00+14:00"]}, "recurrence_rule.exdates.0"),
    ({"frequency": "daily", "exdates": ["9999-12-31T23:59:59-12:00"]}, "recurrence_rule.exdates.0"),
    ({"frequency": "daily", "exdates": ["0001-01-01"]}, "recurrence_rule.exdates.0"),
    ({"frequency": "daily", "exdates": ["2026-01-01"] * 1001}, "recurrence_rule.exdates"),
    ({"frequency": "daily", "end_date": "0001-01-01"}, "recurrence_rule.end_date"),
    ({"frequency": "daily", "end_date": "9999-12-31"}, "recurrence_rule.end_date"),
    ({"frequency": "weekly", "by_weekday": [1, 2, 3, 4, 5, 6, 7, 1]}, "recurrence_rule.by_weekday"),
])
def test_recurrence_dates_outside_the_supported_years_are_refused(site, admin, rule, field):
    before = rows(site)
    body = call(site, "POST", API + "/", admin, {"title": "例会", "schedule_type": "meeting",
                                                "start_time": "2025-12-27T09:00:00+08:00", "recurrence_rule": rule}, 400)
    assert body["code"] == 4001 and field in body["data"]
    assert rows(site) == before


@pytest.mark.parametrize("start", ["0001-01-01T00:00:00+14:00", "1899-12-31T23:00:00+08:00", "3000-01-01T00:00:00Z"])
def test_a_start_outside_the_supported_years_is_refused(site, admin, start):
    body = call(site, "POST", API + "/", admin, {"title": "例会", "schedule_type": "meeting", "start_time": start}, 400)
    assert "start_time" in body["data"]


def test_a_patch_cannot_store_an_exdate_that_breaks_views(site, admin):
    created = create(site, admin, recurrence_rule={"frequency": "daily"})["data"]
    call(site, "PATCH", f"{API}/{created['id']}/", admin,
         {"recurrence_rule": {"frequency": "daily", "exdates": ["0001-01-01T00:00:00+14:00"]}}, 400)
    call(site, "GET", f"{API}/calendar_view/", admin, year=2025, month=12)


def test_endless_series_from_the_earliest_allowed_year_leave_every_view_working(site, admin):
    for hour in range(20):
        create(site, admin, title=f"例会{hour}", start_time=f"1900-01-01T{hour:02d}:00:00+08:00", end_time=None,
               recurrence_rule=DAILY_SINCE_1900, reminder_enabled=False)
    today = call(site, "GET", f"{API}/today/", admin)["data"]
    assert today["total_count"] == 20 and today["date"] == "2025-12-26"
    call(site, "GET", f"{API}/this_week/", admin)
    call(site, "GET", f"{API}/calendar_view/", admin, year=2025, month=12)
    call(site, "GET", f"{API}/statistics/", admin, start_date="2025-12-01", end_date="2025-12-31")
    call(site, "GET", f"{API}/range/", admin, start_date="1900-01-01", end_date="1900-01-07")
    assert site.get(f"{API}/export.ics", headers=site.headers(admin)).text.count("BEGIN:VEVENT") == 20


def test_an_exdate_stored_before_input_was_bounded_excludes_nothing_and_breaks_no_view(site, admin):
    created = create(site, admin, start_time="2025-12-01T09:00:00+08:00", end_time="2025-12-01T10:00:00+08:00",
                     recurrence_rule={"frequency": "daily"}, reminder_enabled=False)["data"]
    with site.transaction() as dbsession:  # as an older release could have written it
        dbsession.get(Schedule, created["id"]).recurrence_rule = {
            "frequency": "daily", "exdates": ["0001-01-01T00:00:00+14:00", "2025-12-26"]}
    month = call(site, "GET", f"{API}/calendar_view/", admin, year=2025, month=12)["data"]
    counts = {day["date"]: day["count"] for day in month["days"]}
    assert counts["2025-12-25"] == 1 and counts["2025-12-26"] == 0 and sum(counts.values()) == 30
    assert call(site, "GET", f"{API}/today/", admin)["data"]["total_count"] == 0
    assert call(site, "GET", f"{API}/statistics/", admin, start_date="2025-12-01", end_date="2025-12-31")["code"] == 2000
