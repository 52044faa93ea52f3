"""Scale-out check: several `tessera worker` processes on PostgreSQL + Redis deliver each reminder once.

Starts one waitress process and ``--workers`` worker processes from a
production-like ini (PostgreSQL, RedisHuey), creates ``--schedules`` schedules
through the HTTP API whose reminders fall due at the next minute, waits (at
most ``--wait`` seconds) until every reminder is settled, then counts inbox
messages and delivery rows. Everything runs on 127.0.0.1 and stops by itself.

    .venv/bin/python bench/scaleout.py --workers 3 --schedules 60

Needs PostgreSQL and Redis (``--database``, ``--redis``). Results: docs/performance.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from sqlalchemy import create_engine, text  # noqa: E402

from tests.support import fresh_postgres_database  # noqa: E402

INI = """[app:main]
use = egg:tessera
tessera.plugins = schedule
tessera.jwt_secret = {secret}
sqlalchemy.url = {database}
huey.backend = redis
huey.url = {redis}
huey.name = tessera-scaleout
tessera.schedule.reminder_batch_size = {batch}

[loggers]
keys = root
[handlers]
keys = console
[formatters]
keys = generic
[logger_root]
level = WARN
handlers = console
[handler_console]
class = StreamHandler
args = (sys.stderr,)
formatter = generic
[formatter_generic]
format = %(asctime)s %(levelname)s [%(name)s] %(message)s
"""


def call(port: int, method: str, path: str, body=None, token=None) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--schedules", type=int, default=60)
    parser.add_argument("--batch-size", type=int, default=5, help="reminders a worker claims at once (small: workers compete)")
    parser.add_argument("--wait", type=int, default=240, help="seconds to wait for delivery at most")
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    args = parser.parse_args()

    database = fresh_postgres_database(args.database, "tessera_scaleout")
    ini = os.path.join(tempfile.mkdtemp(), "scaleout.ini")
    with open(ini, "w") as handle:
        handle.write(INI.format(secret="s" * 48, database=database, redis=args.redis, batch=args.batch_size))
    tessera = [sys.executable, "-m", "core.cli", "-c", ini]
    subprocess.run(tessera + ["db", "upgrade"], check=True, capture_output=True, cwd=ROOT)
    subprocess.run(tessera + ["users", "create", "owner", "--password", "owner-password", "--role", "engineer"],
                   check=True, capture_output=True, cwd=ROOT)
    port = free_port()
    processes = [subprocess.Popen([sys.executable, "-m", "waitress", f"--listen=127.0.0.1:{port}", "--call",
                                   "bench.scaleout:web_app"], env={**os.environ, "SCALEOUT_INI": ini}, cwd=ROOT)]
    processes += [subprocess.Popen(tessera + ["worker", "--workers", "2"], cwd=ROOT) for _ in range(args.workers)]
    try:
        for _ in range(100):
            try:
                call(port, "GET", "/api/health")
                break
            except OSError:
                time.sleep(0.2)
        token = call(port, "POST", "/api/auth/login", {"username": "owner", "password": "owner-password"})["data"]["token"]
        now = dt.datetime.now(dt.timezone.utc)
        start = (now + dt.timedelta(minutes=2)).replace(second=0, microsecond=0)
        for index in range(args.schedules):
            call(port, "POST", "/api/customer/schedules/", {
                "title": f"scale-out {index}", "schedule_type": "meeting", "priority": "medium", "status": "pending",
                "start_time": start.isoformat(), "reminder_time": 1, "reminder_method": "system", "allow_conflict": True,
            }, token)
        created = time.time()
        engine = create_engine(database)
        deadline = created + args.wait
        while time.time() < deadline:
            with engine.connect() as connection:
                open_rows = connection.execute(text(
                    "SELECT count(*) FROM schedule_reminder WHERE state NOT IN ('sent', 'failed', 'skipped', 'cancelled')")).scalar()
            if not open_rows:
                break
            time.sleep(2)
        with engine.connect() as connection:
            inbox = connection.execute(text("SELECT count(*), count(DISTINCT schedule_id) FROM core_notification")).one()
            states = dict(connection.execute(text("SELECT state, count(*) FROM schedule_reminder GROUP BY state")).all())
            deliveries = connection.execute(text("SELECT count(*) FROM schedule_reminder_delivery")).scalar()
            # a claim token is "<run uuid>:<pid>:<host>": the pids say which worker processes delivered
            tokens = connection.execute(text("SELECT claimed_by FROM schedule_reminder_delivery")).scalars().all()
            per_process = Counter(token.split(":")[1] for token in tokens if token)
        engine.dispose()
        print(json.dumps({"schedules": args.schedules, "worker_processes": args.workers, "inbox_messages": inbox[0],
                          "schedules_reminded": inbox[1], "reminder_states": states, "delivery_rows": deliveries,
                          "deliveries_per_worker_process": sorted(per_process.values(), reverse=True),
                          "settled_seconds_after_creation": round(time.time() - created, 1)}, indent=1))
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def web_app():
    """The WSGI app for waitress (``--call bench.scaleout:web_app``)."""
    from pyramid.paster import get_app

    return get_app(os.environ["SCALEOUT_INI"])


if __name__ == "__main__":
    main()
