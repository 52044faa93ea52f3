"""Every list-like endpoint runs the same number of SQL queries for 1 schedule as for 30."""
from __future__ import annotations

import datetime as dt

from core.testing import count_queries
from tests.plugins.schedule.api_support import API, create

LIST_LIKE = [
    (f"{API}/", {"limit": "100"}), (f"{API}/today/", {}), (f"{API}/this_week/", {}),
    (f"{API}/calendar_view/", {"year": "2025", "month": "12"}), (f"{API}/statistics/", {}),
    (f"{API}/statistics/", {"start_date": "2025-12-01", "end_date": "2025-12-31"}),
    (f"{API}/by_related/", {"related_type": "customer", "related_id": "10"}), (f"{API}/export.ics", {}),
    (f"{API}/upcoming_reminders/", {"hours": "240"}),
]


def _queries(site, user) -> dict:
    counts = {}
    headers = site.headers(user)
    for path, params in LIST_LIKE:
        with count_queries(site.registry) as counter:
            site.get(path, params=params, headers=headers)
        counts[f"{path}?{params}"] = counter.count
    return counts


def _add(site, user, index: int) -> None:
    start = dt.datetime(2025, 12, 26, 8, 0) + dt.timedelta(hours=index * 5)
    rule = {"frequency": "daily", "count": 3} if index % 3 == 0 else None
    create(site, user, start_time=start.isoformat(), end_time=(start + dt.timedelta(hours=1)).isoformat(),
           recurrence_rule=rule, reminder_method="system,sms", allow_conflict=True,
           participants=[{"name": f"参与人{index}"}])


def test_list_endpoints_run_a_fixed_number_of_queries(site):
    alice = site.create_user("alice")
    _add(site, alice, 0)
    with_one = _queries(site, alice)
    for index in range(1, 30):
        _add(site, alice, index)
    with_thirty = _queries(site, alice)
    assert with_thirty == with_one
    assert site.get(f"{API}/", params={"limit": "100"}, headers=site.headers(alice)).json["data"]["count"] == 30
