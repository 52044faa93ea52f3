"""How long one reminder tick takes, as the number of schedules and of due reminders grows.

A tick should cost in proportion to the reminders that are due, not to the
schedules on the site: one indexed query finds the due ones. This fills a fresh
database with ``--schedules`` future schedules (each with its reminder rows) and
``--due`` schedules whose reminder is due now, then times ``dispatch_due``
through the real ``system`` channel (the inbox).

    .venv/bin/python bench/reminder_tick.py --schedules 1000 10000 --due 10 100
    .venv/bin/python bench/reminder_tick.py --database postgresql+psycopg://postgres@127.0.0.1:5432/test

Numbers are in docs/performance.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import func, select  # noqa: E402

from core import migrate  # noqa: E402
from core.accounts import create_user  # noqa: E402
from core.app import make_config  # noqa: E402
from core.clock import FixedClock  # noqa: E402
from core.db import transaction_scope  # noqa: E402
from core.inbox import InboxMessage  # noqa: E402
from core.testing.database import fresh_postgres_database  # noqa: E402
from plugins.schedule.models import Schedule  # noqa: E402
from plugins.schedule.reminders import sync_reminders  # noqa: E402
from plugins.schedule.reminders.dispatch import dispatch_due  # noqa: E402

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def fresh_database(base: str | None, label: str) -> str:
    if not base:
        return f"sqlite:///{tempfile.mkdtemp()}/bench-{label}.sqlite"
    return fresh_postgres_database(base, f"tessera_bench_{label}")


def build_site(url: str, clock: FixedClock):
    config = make_config({
        "tessera.plugins": "schedule", "tessera.jwt_secret": "b" * 40, "sqlalchemy.url": url,
        "huey.backend": "memory",
    }, clock=clock, environ={})
    registry = config.registry
    migrate.upgrade(registry.dbengine, migrate.units_for(registry), log=lambda _line: None)
    return registry


def add_schedules(registry, owner_id: int, count: int, first_start: dt.datetime, spacing: dt.timedelta) -> None:
    for offset in range(0, count, 500):
        with transaction_scope(registry) as dbsession:
            for index in range(offset, min(count, offset + 500)):
                start = first_start + spacing * index
                schedule = Schedule(
                    title=f"bench {index}", schedule_type="meeting", start_time=start, end_time=start + dt.timedelta(hours=1),
                    series_end=start + dt.timedelta(hours=1), status="pending", priority="medium",
                    reminder_enabled=True, reminder_time=30, reminder_method="system", participants=[], attachments=[],
                    create_datetime=NOW, update_datetime=NOW, creator_id=owner_id, description="", location="", remark="",
                )
                dbsession.add(schedule)
                dbsession.flush()
                sync_reminders(dbsession, registry, schedule)


def run(url: str, schedules: int, due: int) -> dict:
    clock = FixedClock(NOW - dt.timedelta(days=1))
    registry = build_site(url, clock)
    with transaction_scope(registry) as dbsession:
        owner_id = create_user(dbsession, username="bench", password="bench-password", role="engineer").id
    # future schedules: one a minute from two days ahead, so their reminders are far from due
    add_schedules(registry, owner_id, schedules, NOW + dt.timedelta(days=2), dt.timedelta(minutes=1))
    # due schedules: starting within the next half hour, reminders falling due at NOW
    add_schedules(registry, owner_id, due, NOW + dt.timedelta(minutes=30), dt.timedelta(seconds=0))
    clock.set(NOW)
    dispatch_due(registry)  # nothing of the future ones is due; this warms caches and sends the due ones
    sent = _inbox_count(registry)
    # a second tick with nothing due: the steady-state cost of a minute on a quiet site
    started = time.perf_counter()
    dispatch_due(registry)
    idle = time.perf_counter() - started
    # and the cost of sending `due` reminders, measured on a fresh batch
    add_schedules(registry, owner_id, due, NOW + dt.timedelta(minutes=31), dt.timedelta(seconds=0))
    clock.set(NOW + dt.timedelta(minutes=1))
    started = time.perf_counter()
    report = dispatch_due(registry)
    busy = time.perf_counter() - started
    registry.dbengine.dispose()
    return {"schedules": schedules, "due": due, "sent_first_tick": sent, "sent": report.sent,
            "idle_tick_ms": idle * 1000, "busy_tick_ms": busy * 1000, "ms_per_due": busy * 1000 / max(due, 1)}


def _inbox_count(registry) -> int:
    with transaction_scope(registry) as dbsession:
        return dbsession.scalar(select(func.count()).select_from(InboxMessage))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schedules", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--due", type=int, nargs="+", default=[10, 100])
    parser.add_argument("--database", help="a PostgreSQL URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    print(f"{'schedules':>9} {'due':>5} {'sent':>5} {'idle tick ms':>12} {'busy tick ms':>12} {'ms/due':>7}")
    for schedules in args.schedules:
        for due in args.due:
            row = run(fresh_database(args.database, f"{schedules}_{due}"), schedules, due)
            assert row["sent"] == due and row["sent_first_tick"] == due, row
            print(f"{row['schedules']:>9} {row['due']:>5} {row['sent']:>5} {row['idle_tick_ms']:>12.1f} "
                  f"{row['busy_tick_ms']:>12.1f} {row['ms_per_due']:>7.2f}", flush=True)


if __name__ == "__main__":
    main()
