"""Time conflicts: 409 / 4005 with what clashes, nothing written; series checked occurrence by occurrence."""
from __future__ import annotations

import threading

import pytest

from tests.plugins.schedule.api_support import API, call, create, rows, snapshot


@pytest.fixture
def alice(site):
    return site.create_user("alice")


def meeting(site, user, start, end, expect=200, **fields):
    return create(site, user, expect=expect, start_time=start, end_time=end, **fields)


def test_an_overlap_answers_4005_with_the_conflicting_schedule(site, alice):
    first = meeting(site, alice, "2025-12-27T14:00:00+08:00", "2025-12-27T16:00:00+08:00")["data"]
    answer = meeting(site, alice, "2025-12-27T15:00:00+08:00", "2025-12-27T17:00:00+08:00", expect=409, title="撞车")
    assert answer["code"] == 4005
    assert answer["data"]["conflicts"] == [{
        "id": first["id"], "title": first["title"], "start_time": "2025-12-27T14:00:00+08:00",
        "end_time": "2025-12-27T16:00:00+08:00", "occurrence": None}]
    assert rows(site) == 1
    allowed = meeting(site, alice, "2025-12-27T15:00:00+08:00", "2025-12-27T17:00:00+08:00", allow_conflict=True)
    assert allowed["code"] == 2000 and rows(site) == 2


def test_what_does_not_conflict(site, alice):
    bob = site.create_user("bob")
    meeting(site, alice, "2025-12-27T14:00:00+08:00", "2025-12-27T16:00:00+08:00")
    meeting(site, alice, "2025-12-27T16:00:00+08:00", "2025-12-27T17:00:00+08:00")  # back to back
    meeting(site, bob, "2025-12-27T14:00:00+08:00", "2025-12-27T16:00:00+08:00")    # someone else's day
    meeting(site, alice, "2025-12-27T15:00:00+08:00", None)                          # no end: a moment
    meeting(site, alice, "2025-12-27T15:00:00+08:00", "2025-12-27T15:30:00+08:00", status="cancelled")
    create(site, alice, is_all_day=True, start_time="2025-12-27", end_time=None)
    cancelled = meeting(site, alice, "2025-12-28T09:00:00+08:00", "2025-12-28T10:00:00+08:00")["data"]
    call(site, "POST", f"{API}/{cancelled['id']}/update_status/", alice, {"status": "cancelled"})
    meeting(site, alice, "2025-12-28T09:00:00+08:00", "2025-12-28T10:00:00+08:00")
    deleted = meeting(site, alice, "2025-12-29T09:00:00+08:00", "2025-12-29T10:00:00+08:00")["data"]
    call(site, "DELETE", f"{API}/{deleted['id']}/", alice)
    meeting(site, alice, "2025-12-29T09:00:00+08:00", "2025-12-29T10:00:00+08:00")
    assert rows(site) == 10


def test_series_are_checked_occurrence_by_occurrence(site, alice):
    weekly = meeting(site, alice, "2025-12-29T10:00:00+08:00", "2025-12-29T11:00:00+08:00",
                     recurrence_rule={"frequency": "weekly", "exdates": ["2026-01-12"]})["data"]
    answer = meeting(site, alice, "2026-01-19T10:30:00+08:00", "2026-01-19T12:00:00+08:00", expect=409)
    assert answer["data"]["conflicts"] == [{
        "id": weekly["id"], "title": weekly["title"], "start_time": "2026-01-19T10:00:00+08:00",
        "end_time": "2026-01-19T11:00:00+08:00", "occurrence": "2026-01-19T10:00:00+08:00"}]
    excluded_day = meeting(site, alice, "2026-01-12T10:30:00+08:00", "2026-01-12T12:00:00+08:00")["data"]
    tuesday = meeting(site, alice, "2026-01-20T10:30:00+08:00", "2026-01-20T12:00:00+08:00")["data"]
    # a new series runs into the one-offs and the weekly series
    clash = meeting(site, alice, "2026-01-05T11:30:00+08:00", "2026-01-05T12:30:00+08:00", expect=409,
                    recurrence_rule={"frequency": "daily"})
    assert {c["id"] for c in clash["data"]["conflicts"]} == {excluded_day["id"], tuesday["id"]}
    assert rows(site) == 3


def test_moving_into_an_overlap_is_refused_and_nothing_changes(site, alice):
    meeting(site, alice, "2025-12-27T14:00:00+08:00", "2025-12-27T16:00:00+08:00")
    other = meeting(site, alice, "2025-12-27T17:00:00+08:00", "2025-12-27T18:00:00+08:00")["data"]
    before = snapshot(site, other["id"])
    path = f"{API}/{other['id']}/"
    answer = call(site, "PATCH", path, alice, {"start_time": "2025-12-27T15:30:00+08:00"}, expect=409)
    assert answer["code"] == 4005 and snapshot(site, other["id"]) == before
    assert call(site, "PATCH", path, alice, {"title": "只改标题"})["data"]["title"] == "只改标题"
    moved = call(site, "PATCH", path, alice, {"start_time": "2025-12-27T15:30:00+08:00", "allow_conflict": True})
    assert moved["data"]["start_time"] == "2025-12-27T15:30:00+08:00"


def test_concurrent_overlapping_creates_do_not_both_succeed(site, alice):
    barrier = threading.Barrier(2)
    results = []

    def attempt(title):
        barrier.wait()
        results.append(meeting(site, alice, "2025-12-27T14:00:00+08:00", "2025-12-27T16:00:00+08:00",
                               expect="*", title=title)["code"])

    threads = [threading.Thread(target=attempt, args=(f"并发{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [2000, 4005]
    assert rows(site) == 1


def test_a_series_is_checked_up_to_the_configured_horizon(make_site):
    site = make_site(settings={"tessera.schedule.conflict_horizon_days": "30"})
    alice = site.create_user("alice")
    meeting(site, alice, "2026-02-23T10:00:00+08:00", "2026-02-23T11:00:00+08:00")  # a Monday, 59 days ahead
    weekly = {"frequency": "weekly"}
    meeting(site, alice, "2025-12-29T10:30:00+08:00", "2025-12-29T11:30:00+08:00", recurrence_rule=weekly)
    near = meeting(site, alice, "2026-01-20T09:00:00+08:00", "2026-01-20T10:00:00+08:00")["data"]
    clash = meeting(site, alice, "2025-12-30T09:30:00+08:00", "2025-12-30T10:30:00+08:00", recurrence_rule=weekly,
                    expect=409)
    assert [c["id"] for c in clash["data"]["conflicts"]] == [near["id"]]
