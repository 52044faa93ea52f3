"""How long a calendar app waits for a subscription feed of ``--events`` events (target: 300 events < 300 ms).

Builds a SQLite site with one user whose calendar holds ``--events`` schedules within the
feed's window (a tenth of them weekly series, every one with two attendees who are users
and a free-text participant), creates the user's feed URL, then fetches it ``--repeat``
times through the WSGI app without a header and prints the median and the 95th percentile:
``warm`` as calendar apps poll (every VEVENT's text cached from the previous fetch), ``cold``
with the cache emptied before each fetch (the first fetch after a restart, or every event changed).

    .venv/bin/python bench/feed.py --events 300 1000
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
from core.clock import FixedClock  # noqa: E402
from core.db import transaction_scope  # noqa: E402
from plugins.schedule.feeds import issue_feed  # noqa: E402
from plugins.schedule.ical import EventCache  # noqa: E402
from plugins.schedule.models import Schedule  # noqa: E402
from plugins.schedule.recurrence import series_end  # noqa: E402
from plugins.schedule.sharing import sync_attendees  # noqa: E402

TARGET_MS = 300.0


def make_weekly(registry, every: int) -> None:
    """Every ``every``-th schedule becomes a weekly series of 12."""
    with transaction_scope(registry) as dbsession:
        for schedule in dbsession.query(Schedule).filter(Schedule.id % every == 0):
            schedule.recurrence_rule = {"frequency": "weekly", "interval": 1, "count": 12}
            schedule.series_end = series_end(schedule, registry.site_timezone)


def invite_everyone(registry, guest_ids: list[int]) -> None:
    with transaction_scope(registry) as dbsession:
        for schedule in dbsession.query(Schedule):
            schedule.participants = [{"user_id": guest_id} for guest_id in guest_ids] + [
                {"name": "客户", "email": "client@example.com"}]
            sync_attendees(schedule)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[300])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    print(f"{'events':>7} {'cache':>5} {'median ms':>9} {'p95 ms':>7} {'bytes':>8}  target: p95 < {TARGET_MS:.0f} ms for 300")
    for size in args.events:
        registry = build_site(f"sqlite:///{tempfile.mkdtemp()}/feed-{size}.sqlite", FixedClock(NOW))
        with transaction_scope(registry) as dbsession:
            owner = create_user(dbsession, username="bench", password="bench-password", role="engineer",
                                email="bench@example.com")
            guests = [create_user(dbsession, username=f"guest{n}", password="bench-password", role="engineer").id
                      for n in range(2)]
        # every event inside the feed's window (30 days back, a year ahead)
        add_schedules(registry, owner.id, size, NOW - dt.timedelta(days=20), dt.timedelta(days=360) / size)
        make_weekly(registry, every=10)
        invite_everyone(registry, guests)
        with transaction_scope(registry) as dbsession:
            token = issue_feed(dbsession, registry, owner)
        app = TestApp(Router(registry))
        path = f"/api/customer/schedules/feed/{token}/calendar.ics"
        body = app.get(path).body
        for cache in ("warm", "cold"):
            timings = []
            for _ in range(args.repeat):
                if cache == "cold":
                    registry.schedule_event_cache = EventCache()
                started = time.perf_counter()
                app.get(path)
                timings.append((time.perf_counter() - started) * 1000)
            median, p95 = statistics.median(timings), sorted(timings)[int(len(timings) * 0.95) - 1]
            verdict = "" if size != 300 else ("  holds" if p95 < TARGET_MS else "  MISSED")
            print(f"{size:>7} {cache:>5} {median:>9.1f} {p95:>7.1f} {len(body):>8}{verdict}", flush=True)
        registry.dbengine.dispose()


if __name__ == "__main__":
    main()
