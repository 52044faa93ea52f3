"""Real ``tessera worker`` processes over a real database: the reminder engine's fault tests and benchmarks.

``WorkerSite`` writes an ini, migrates, fills the database with due reminders in bulk, starts
worker processes (each its own ``tessera worker``, with the ``provider`` channel of
``outside/`` importable) and reads back what happened. Everything runs on 127.0.0.1.
"""
from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter

from sqlalchemy import create_engine, func, insert, select, text

from core.testing import site_from_ini
from core.toolkit import create_user
from plugins.schedule.models import Schedule
from plugins.schedule.reminders.models import ScheduleReminder
from plugins.schedule.reminders.tasks import DISPATCH_TASK, TICK_TASK

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
OUTSIDE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "outside")
FINAL = ("sent", "failed", "skipped", "cancelled")
LEAD = dt.timedelta(minutes=30)

INI = """[app:main]
use = egg:tessera
{settings}

[loggers]
keys = root
[handlers]
keys = console
[formatters]
keys = generic
[logger_root]
level = {level}
handlers = console
[handler_console]
class = StreamHandler
args = (sys.stderr,)
formatter = generic
[formatter_generic]
format = %(asctime)s %(process)d %(levelname)s [%(name)s] %(message)s
"""


class WorkerSite:
    """A site on ``database_url`` whose work is done by worker processes started with ``start_workers``."""

    def __init__(self, directory: str, database_url: str, settings: dict, huey_redis: str | None = None,
                 log_level: str = "WARN"):
        self.directory, self.database_url = directory, database_url
        if sys.path[0] != OUTSIDE:
            sys.path.insert(0, OUTSIDE)  # the provider channel, for this process's registry too
        huey = ({"huey.backend": "redis", "huey.url": huey_redis} if huey_redis
                else {"huey.backend": "sqlite", "huey.path": os.path.join(directory, "huey.sqlite")})
        values = {"tessera.jwt_secret": "w" * 48, "sqlalchemy.url": database_url,
                  "huey.name": f"tessera-workers-{os.getpid()}-{time.monotonic_ns()}", **huey, **settings}
        self.ini = os.path.join(directory, "site.ini")
        with open(self.ini, "w") as handle:
            handle.write(INI.format(settings="\n".join(f"{key} = {value}" for key, value in values.items()),
                                    level=log_level))
        self.environ = {**os.environ, "PYTHONPATH": os.pathsep.join([OUTSIDE, ROOT])}
        subprocess.run(self.command("db", "upgrade"), check=True, capture_output=True, cwd=ROOT, env=self.environ)
        self.site = site_from_ini(self.ini)
        self.engine = create_engine(database_url)
        self.workers: list[subprocess.Popen] = []
        self.owner_id: int | None = None

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "core.cli", "-c", self.ini, *args]

    def add_due_reminders(self, count: int, remind_at: dt.datetime, method: str) -> None:
        """``count`` one-off schedules of one owner, each with one reminder by ``method`` due at ``remind_at``."""
        now = dt.datetime.now(dt.timezone.utc)
        start = remind_at + LEAD
        with self.site.transaction() as dbsession:
            if self.owner_id is None:
                self.owner_id = create_user(dbsession, username="owner", password="owner-password", role="engineer").id
            for offset in range(0, count, 2000):
                ids = dbsession.scalars(insert(Schedule).returning(Schedule.id, sort_by_parameter_order=True), [
                    {"title": f"开庭 {n}", "schedule_type": "meeting", "start_time": start,
                     "end_time": start + dt.timedelta(hours=1), "series_end": start + dt.timedelta(hours=1),
                     "reminder_time": int(LEAD.total_seconds() // 60), "reminder_method": method,
                     "creator_id": self.owner_id, "create_datetime": now, "update_datetime": now}
                    for n in range(offset, min(count, offset + 2000))]).all()
                dbsession.execute(insert(ScheduleReminder), [
                    {"schedule_id": schedule_id, "occurrence_start": start, "remind_time": remind_at,
                     "remind_method": method, "lead_minutes": int(LEAD.total_seconds() // 60), "is_sent": False,
                     "send_result": "", "state": "pending", "attempts": 0,
                     "next_attempt_at": remind_at, "create_datetime": now} for schedule_id in ids])

    def start_workers(self, count: int, threads: int = 2) -> None:
        log = open(os.path.join(self.directory, "workers.log"), "ab")
        self.workers += [subprocess.Popen(self.command("worker", "--workers", str(threads)), cwd=ROOT, env=self.environ,
                                          stdout=log, stderr=log) for _ in range(count)]

    def tick(self) -> None:
        """Queue the tick, as a worker's scheduler does at the top of a minute."""
        self.site.registry.tessera_tasks[TICK_TASK]()

    def queue_dispatch(self, runs: int) -> None:
        for _ in range(runs):
            self.site.registry.tessera_tasks[DISPATCH_TASK]()

    def states(self) -> Counter:
        with self.engine.connect() as connection:
            return Counter(dict(connection.execute(
                select(ScheduleReminder.state, func.count()).group_by(ScheduleReminder.state)).all()))

    def wait_until(self, condition, timeout: float, every: float = 0.2) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(every)
        return condition()

    def settled(self, count: int) -> bool:
        states = self.states()
        return sum(states[state] for state in FINAL) >= count

    def scalar(self, sql: str):
        with self.engine.connect() as connection:
            return connection.execute(text(sql)).scalar()

    def signal(self, worker: int, signum: int) -> None:
        os.kill(self.workers[worker].pid, signum)

    def stop(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                process.send_signal(signal.SIGCONT)
                process.terminate()
        for process in self.workers:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.site.registry.dbengine.dispose()
        self.engine.dispose()

    def worker_log(self) -> str:
        with open(os.path.join(self.directory, "workers.log"), errors="replace") as handle:
            return handle.read()
