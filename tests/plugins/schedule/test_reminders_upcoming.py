"""Endpoint 13: GET /api/customer/schedules/upcoming_reminders/ — the caller's reminders due in the next hours."""
import datetime as dt

import pytest

from core.testing import shanghai
from plugins.schedule.reminders.dispatch import dispatch_due
from plugins.schedule.reminders.upcoming import time_until
from tests.plugins.schedule.reminder_support import channels, create_schedule  # noqa: F401 - a fixture

URL = "/api/customer/schedules/upcoming_reminders/"


@pytest.fixture
def site(make_site, channels):
    return make_site(plugins=("schedule",), hookimpls=[channels])


@pytest.fixture
def owner(site):
    return site.create_user("lawyer", email="lawyer@example.com")


def upcoming(site, user, query=""):
    body = site.get(URL + query, headers=site.headers(user)).json
    assert body["code"] == 2000 and body["msg"] == "获取成功"
    return body["data"]


def test_lists_the_callers_reminders_due_in_the_window(site, clock, owner):
    contract = create_schedule(site, owner, shanghai(2025, 12, 26, 18, 0), title="与客户A洽谈合同")
    create_schedule(site, owner, shanghai(2025, 12, 27, 14, 0), title="明天下午")  # reminds 13:30 tomorrow: 27½ h
    data = upcoming(site, owner)
    assert data == {"count": 1, "reminders": [{
        "schedule_id": contract["id"], "schedule_title": "与客户A洽谈合同",
        "start_time": "2025-12-26T18:00:00+08:00", "remind_time": "2025-12-26T17:30:00+08:00",
        "time_until_remind": "7小时30分钟"}]}
    wider = upcoming(site, owner, "?hours=48")
    assert wider["count"] == 2
    assert [r["time_until_remind"] for r in wider["reminders"]] == ["7小时30分钟", "1天3小时"]


def test_one_item_per_occurrence_whatever_the_methods_and_each_occurrence_of_a_series(site, clock, owner):
    create_schedule(site, owner, shanghai(2025, 12, 26, 11, 15), title="晨会", reminder_method="system,email",
                    recurrence_rule={"frequency": "daily", "interval": 1, "count": 3})
    data = upcoming(site, owner, "?hours=72")
    assert data["count"] == 3
    assert [r["start_time"] for r in data["reminders"]] == [
        "2025-12-26T11:15:00+08:00", "2025-12-27T11:15:00+08:00", "2025-12-28T11:15:00+08:00"]
    assert [r["time_until_remind"] for r in data["reminders"]] == ["45分钟", "1天45分钟", "2天45分钟"]


def test_a_reminder_already_due_but_not_yet_sent_says_so_and_leaves_once_sent(site, clock, owner):
    create_schedule(site, owner, shanghai(2025, 12, 26, 10, 10), title="十分钟后")  # its remind time has passed
    [item] = upcoming(site, owner)["reminders"]
    assert item["time_until_remind"] == "即将提醒" and item["remind_time"] == "2025-12-26T09:40:00+08:00"
    dispatch_due(site.registry)
    assert upcoming(site, owner)["count"] == 0


def test_cancelled_and_deleted_schedules_have_no_upcoming_reminders(site, clock, owner):
    cancelled = create_schedule(site, owner, shanghai(2025, 12, 26, 12, 0))
    deleted = create_schedule(site, owner, shanghai(2025, 12, 26, 13, 0))
    create_schedule(site, owner, shanghai(2025, 12, 26, 14, 0), title="kept")
    site.patch_json(f"/api/customer/schedules/{cancelled['id']}/", {"status": "cancelled"}, headers=site.headers(owner))
    site.delete(f"/api/customer/schedules/{deleted['id']}/", headers=site.headers(owner))
    assert [r["schedule_title"] for r in upcoming(site, owner)["reminders"]] == ["kept"]


def test_only_the_callers_own_schedules_even_for_an_admin(site, clock, owner):
    admin = site.create_user("boss", role="admin")
    create_schedule(site, owner, shanghai(2025, 12, 26, 12, 0), title="lawyer's")
    create_schedule(site, admin, shanghai(2025, 12, 26, 12, 0), title="admin's")
    assert [r["schedule_title"] for r in upcoming(site, owner)["reminders"]] == ["lawyer's"]
    assert [r["schedule_title"] for r in upcoming(site, admin)["reminders"]] == ["admin's"]


@pytest.mark.parametrize("query", ["?hours=0", "?hours=721", "?hours=abc", "?hours=-5"])
def test_hours_out_of_range_is_refused_naming_hours(site, owner, query):
    body = site.get(URL + query, headers=site.headers(owner), status=400).json
    assert body["code"] == 4001 and "hours" in body["data"]


def test_the_bounds_of_hours_are_accepted(site, owner):
    assert upcoming(site, owner, "?hours=1")["count"] == 0
    assert upcoming(site, owner, "?hours=720")["count"] == 0


def test_needs_a_token(site):
    assert site.get(URL, status=401).json["code"] == 401


@pytest.mark.parametrize("delta, text", [
    (dt.timedelta(hours=7, minutes=30), "7小时30分钟"), (dt.timedelta(minutes=45), "45分钟"),
    (dt.timedelta(days=2, hours=3), "2天3小时"), (dt.timedelta(days=2, hours=3, minutes=20), "2天3小时"),
    (dt.timedelta(days=1), "1天"), (dt.timedelta(days=1, minutes=45), "1天45分钟"), (dt.timedelta(hours=2), "2小时"), (dt.timedelta(seconds=20), "1分钟"),
    (dt.timedelta(0), "即将提醒"), (dt.timedelta(minutes=-3), "即将提醒"),
])
def test_time_until_is_written_the_way_people_read_it(delta, text):
    assert time_until(delta) == text
