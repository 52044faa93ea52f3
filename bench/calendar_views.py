"""Calendar views in process: a month, today and this week, at the site's usual size.

    .venv/bin/python bench/calendar_views.py [--repeat 30] [--data /tmp/tessera-bench]

Starts from the ``tessera demo-data`` site (100 users, 100,000 schedules) and adds
three people of its own, each with what the targets name:

- ``spread``: 200 series (100 daily, 100 weekly) and 2,000 one-offs spread over a year;
- ``crowded``: the same 200 series and 2,000 one-offs all in this month;
- ``ancient``: 20 endless daily series that began in 1900 (the earliest year allowed),
  besides 1,000 one-offs spread over a year.

Times each view through the WSGI app (no network) and prints the median CPU
time (what the view costs; on a quiet machine its wall time) and wall time, the
target and whether it holds. Numbers go to docs/performance.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from types import SimpleNamespace

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pyramid.paster import get_appsettings  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402
from webtest import TestApp  # noqa: E402

from bench.harness import NoiseGauge, demo_site, machine, timed_gets, verdict  # noqa: E402
from core.app import make_config  # noqa: E402
from core.auth import issue_token  # noqa: E402
from core.db import transaction_scope  # noqa: E402
from core.models import User  # noqa: E402
from plugins.schedule.models import Schedule  # noqa: E402
from plugins.schedule.recurrence import series_end  # noqa: E402

UTC = dt.timezone.utc


def schedule_row(registry, owner_id: int, title: str, start: dt.datetime, rule: dict | None) -> dict:
    end = start + dt.timedelta(hours=1)
    shape = SimpleNamespace(start_time=start, end_time=end, recurrence_rule=rule)
    now = registry.clock.now()
    return {"title": title, "description": "", "schedule_type": "meeting", "start_time": start, "end_time": end,
            "series_end": series_end(shape, registry.site_timezone), "location": "会议室", "participants": [],
            "status": "pending", "priority": "medium", "is_all_day": False, "reminder_enabled": False,
            "reminder_time": 30, "reminder_method": "system", "related_type": None, "related_id": None,
            "recurrence_rule": rule, "attachments": [], "remark": "", "sequence": 0, "create_datetime": now,
            "update_datetime": now, "creator_id": owner_id, "modifier_id": None, "is_deleted": False}


def add_person(registry, username: str, rows_for) -> None:
    with transaction_scope(registry) as dbsession:
        if dbsession.scalar(select(User.id).where(User.username == username)) is not None:
            return
        template = dbsession.scalar(select(User).where(User.username == "user2"))
        dbsession.execute(insert(User), [{"username": username, "password_hash": template.password_hash,
                                          "name": username, "role": "engineer", "is_active": True}])
        owner_id = dbsession.scalar(select(User.id).where(User.username == username))
        dbsession.execute(insert(Schedule), list(rows_for(owner_id)))


def series_rows(registry, owner_id: int, month_start: dt.datetime, rng: random.Random):
    for number in range(200):
        first = month_start - dt.timedelta(days=rng.randint(30, 300), hours=-rng.randint(8, 18))
        rule = {"frequency": "daily"} if number % 2 else {"frequency": "weekly"}
        yield schedule_row(registry, owner_id, f"系列 {number}", first, rule)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.path.join(tempfile.gettempdir(), "tessera-bench"))
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    ini = demo_site(args.data)
    config = make_config(get_appsettings(ini, name="main"))
    registry = config.registry
    tz = registry.site_timezone
    today = registry.clock.now().astimezone(tz).date()
    month_start = dt.datetime(today.year, today.month, 1, tzinfo=tz)
    rng = random.Random(12)

    def spread(owner_id):
        yield from series_rows(registry, owner_id, month_start, rng)
        for number in range(2000):
            start = month_start + dt.timedelta(days=rng.randint(-180, 180), hours=rng.randint(8, 18))
            yield schedule_row(registry, owner_id, f"单次 {number}", start, None)

    def crowded(owner_id):
        yield from series_rows(registry, owner_id, month_start, rng)
        for number in range(2000):
            start = month_start + dt.timedelta(days=rng.randint(0, 27), hours=rng.randint(8, 18))
            yield schedule_row(registry, owner_id, f"单次 {number}", start, None)

    def ancient(owner_id):
        for number in range(20):
            first = dt.datetime(1900, 1, 1 + number, 9, tzinfo=tz)
            yield schedule_row(registry, owner_id, f"自1900年 {number}", first, {"frequency": "daily"})
        for number in range(1000):
            start = month_start + dt.timedelta(days=rng.randint(-180, 180), hours=rng.randint(8, 18))
            yield schedule_row(registry, owner_id, f"单次 {number}", start, None)

    for name, rows in (("spread", spread), ("crowded", crowded), ("ancient", ancient)):
        add_person(registry, f"bench_{name}", rows)
    app = TestApp(config.make_wsgi_app())
    month = f"/api/schedule/schedules/calendar_view/?year={today.year}&month={today.month}"
    views = {"calendar_view": month, "today": "/api/customer/schedules/today/",
             "this_week": "/api/customer/schedules/this_week/",
             "list": "/api/customer/schedules/?status=pending&ordering=-start_time&limit=20"}
    targets = {("spread", "calendar_view"): 50, ("spread", "today"): 10, ("spread", "this_week"): 10,
               ("crowded", "calendar_view"): 150}
    print(machine())
    # CPU time is what a quiet machine's wall time would be (SQLite runs in process, its pages
    # in memory); on a shared machine the wall time also counts waiting for a core
    # "first": the first request's CPU time, before expansions of its windows were remembered
    print(f"{'person':8} {'view':14} {'CPU ms':>8} {'wall ms':>8} {'first':>8} {'occurrences':>11} "
          "target (median CPU ms)")
    gauge = NoiseGauge()
    gauge.start()
    for person in ("spread", "crowded", "ancient"):
        with transaction_scope(registry, write=False) as dbsession:
            user = dbsession.scalar(select(User).where(User.username == f"bench_{person}"))
            headers = {"Authorization": f"Bearer {issue_token(registry, user)[0]}"}
        for view, path in views.items():
            started_cpu = time.thread_time()
            body = app.get(path, headers=headers).json["data"]
            cold = (time.thread_time() - started_cpu) * 1000
            shown = sum(day["count"] for day in body["days"]) if "days" in body else body.get("total_count", "")
            wall, cpu = timed_gets(app, path, headers, args.repeat)
            median = statistics.median(cpu)
            target = targets.get((person, view), 100 if person == "ancient" else None)
            judged = f"≤ {target:>3}  {verdict(median <= target)}" if target else ""
            print(f"{person:8} {view:14} {median:8.1f} {statistics.median(wall):8.1f} {cold:8.1f} {shown!s:>11} {judged}",
                  flush=True)
    print(f"other processes used {gauge.stop():.2f} cores meanwhile; {gauge.speed}")


if __name__ == "__main__":
    main()
