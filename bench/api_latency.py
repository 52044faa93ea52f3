"""In-process latency of the busiest read endpoints as a user's schedules grow.

Builds a site with ``--schedules`` schedules for one user (a tenth of them
weekly series of 12 occurrences), then times each endpoint ``--repeat`` times through the WSGI
app (no network) and prints the median and the 95th percentile. The list
endpoints also report how many SQL statements one request ran.

    .venv/bin/python bench/api_latency.py --schedules 1000 10000

Numbers are in docs/performance.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pyramid.router import Router  # noqa: E402
from webtest import TestApp  # noqa: E402

from bench.reminder_tick import NOW, add_schedules, build_site  # noqa: E402
from core.accounts import create_user  # noqa: E402
from core.auth import issue_token  # noqa: E402
from core.clock import FixedClock  # noqa: E402
from core.db import transaction_scope  # noqa: E402
from plugins.schedule.models import Schedule  # noqa: E402
from plugins.schedule.recurrence import series_end  # noqa: E402
from tests.support import count_queries  # noqa: E402

ENDPOINTS = {
    "list (limit 20)": "/api/customer/schedules/?limit=20",
    "list (limit 100)": "/api/customer/schedules/?limit=100&ordering=-start_time",
    "list search": "/api/customer/schedules/?search=bench%201",
    "today": "/api/customer/schedules/today/",
    "this_week": "/api/customer/schedules/this_week/",
    "calendar_view": "/api/schedule/schedules/calendar_view/?year=2026&month=3",
    "statistics": "/api/customer/schedules/statistics/",
}


def make_weekly(registry, owner_id: int, every: int) -> None:
    with transaction_scope(registry) as dbsession:
        for schedule in dbsession.query(Schedule).filter(Schedule.id % every == 0):
            schedule.recurrence_rule = {"frequency": "weekly", "interval": 1, "count": 12}
            schedule.series_end = series_end(schedule, registry.site_timezone)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schedules", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    print(f"{'schedules':>9}  {'endpoint':18} {'median ms':>9} {'p95 ms':>7} {'queries':>7}")
    for size in args.schedules:
        clock = FixedClock(NOW)
        registry = build_site(f"sqlite:///{tempfile.mkdtemp()}/api-{size}.sqlite", clock)
        with transaction_scope(registry) as dbsession:
            owner = create_user(dbsession, username="bench", password="bench-password", role="engineer")
        # spread over the year around NOW, one every 50 minutes
        add_schedules(registry, owner.id, size, NOW - dt.timedelta(days=180), dt.timedelta(minutes=50 * 10000 / size))
        make_weekly(registry, owner.id, every=10)
        app = TestApp(Router(registry))  # what Configurator.make_wsgi_app builds
        headers = {"Authorization": f"Bearer {issue_token(registry, owner)[0]}"}
        for name, path in ENDPOINTS.items():
            app.get(path, headers=headers)
            with count_queries(registry) as counted:
                app.get(path, headers=headers)
            timings = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                app.get(path, headers=headers)
                timings.append((time.perf_counter() - started) * 1000)
            p95 = sorted(timings)[int(len(timings) * 0.95) - 1]
            print(f"{size:>9}  {name:18} {statistics.median(timings):>9.1f} {p95:>7.1f} {counted.count:>7}", flush=True)
        registry.dbengine.dispose()


if __name__ == "__main__":
    main()
