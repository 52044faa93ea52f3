"""The list endpoint under load, against the pure-Python ceiling and the code before, in one run.

    .venv/bin/python bench/list_throughput.py [--base REV] [--seconds 10] [--data /tmp/tessera-bench]

Builds (or reuses) a ``tessera demo-data`` site (100 users, 100,000 schedules) and
serves ``GET /api/customer/schedules/?status=pending&ordering=-start_time&limit=20``
for one engineer with waitress (2 threads, as ``tessera run``) pinned to one core, while wrk
(8 connections) loads it from the other. Nothing changes meanwhile, so after the first
request the site reuses its answer (``core.readcache``). In the same run it serves:

- the same site with ``tessera.read_cache.megabytes = 0``: every answer made anew, as
  the first request after a change makes it ("fresh");

- the ceiling: a bare Pyramid app on waitress answering the very same bytes from memory;
- ``/api/health`` with the same token on the same server: what authentication, the
  transaction and the envelope cost around any view (the framework's floor);
- the SQL floor: the very statements one list request sends to SQLite, run through
  ``sqlite3`` by a bare WSGI function with no framework, that answers their rows as
  JSON: what no code above the SQL could beat (``serve.floor_app``);
- the previous code: ``--base`` (default: the commit before this work) checked out in a
  temporary worktree, on a copy of the database without the indexes added since.

Prints requests/s, p50, p99 and errors for each, the targets (≥ 25% of the ceiling,
≥ 5× the previous rate, 0 errors) and whether each holds, with the CPU other
processes used meanwhile. Numbers go to docs/performance.md.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.harness import ROOT, NoiseGauge, demo_site, fetch, machine, server, site_ini, token_for, verdict, wrk  # noqa: E402

PATH = "/api/customer/schedules/?status=pending&ordering=-start_time&limit=20"
#: the commit before the speed work (issue #12): the "previous" of the targets
BASE = "d0c525d"
#: indexes added since BASE; the previous code runs without them, as it shipped
NEW_INDEXES = ("ix_schedule_schedule_creator_status_start",)


@contextlib.contextmanager
def base_checkout(revision: str):
    folder = tempfile.mkdtemp(prefix="tessera-base-")
    subprocess.run(["git", "-C", ROOT, "worktree", "add", "--detach", folder, revision], check=True, capture_output=True)
    try:
        yield folder
    finally:
        subprocess.run(["git", "-C", ROOT, "worktree", "remove", "--force", folder], check=True)


def database_without_new_indexes(ini_folder: str, target_folder: str) -> str:
    for name in os.listdir(ini_folder):
        if name.startswith("site.sqlite"):
            shutil.copy(os.path.join(ini_folder, name), os.path.join(target_folder, name))
    database = os.path.join(target_folder, "site.sqlite")
    with contextlib.closing(sqlite3.connect(database)) as connection:
        for index in NEW_INDEXES:
            connection.execute(f"DROP INDEX IF EXISTS {index}")
        connection.commit()
    return site_ini(target_folder, database)


def statements_of(ini: str, path: str, token: str) -> list:
    """What one GET of ``path`` sends to the database: ``[[sql, parameters], …]``, its BEGIN included."""
    from sqlalchemy import event
    from webob import Request

    from bench.serve import site_app

    app = site_app(ini, {"tessera.read_cache.megabytes": "0"})  # an answer made anew, not reused

    def get() -> None:
        Request.blank(path, headers={"Authorization": f"Bearer {token}"}).get_response(app)

    get()  # the first request also reads what later ones remember
    sent: list = []
    event.listen(app.registry.dbengine, "before_cursor_execute",
                 lambda _conn, _cursor, sql, parameters, *_: sent.append([sql, list(parameters or ())]))
    get()
    app.registry.dbengine.dispose()
    return sent


def statement_costs(statements: list, database: str, repeat: int = 300) -> list[tuple[float, str]]:
    """Each statement's SQLite time alone, in µs (the median of five rounds), dearest first: where the floor's time goes."""
    costs = []
    with contextlib.closing(sqlite3.connect(database, isolation_level=None)) as connection:
        for sql, parameters in statements:
            if sql.lstrip().upper().startswith("BEGIN"):
                continue
            rounds = []
            for _ in range(5):
                started = time.perf_counter()
                for _ in range(repeat // 5):
                    connection.execute(sql, parameters).fetchall()
                rounds.append((time.perf_counter() - started) / (repeat // 5) * 1e6)
            costs.append((sorted(rounds)[2], " ".join(sql.split())))
    return sorted(costs, reverse=True)


def measure(name: str, url: str, token: str | None, seconds: int, results: dict) -> None:
    gauge = NoiseGauge()
    wrk(url, token, seconds=2)  # warm up
    gauge.start()
    load = wrk(url, token, seconds=seconds)
    results[name] = (load, gauge.stop())
    print(f"{name:12} {load.requests_per_second:9.0f} req/s  p50 {load.p50_ms:7.1f} ms  p99 {load.p99_ms:7.1f} ms  "
          f"errors {load.errors}  (other processes used {results[name][1]:.2f} cores; {gauge.speed})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.path.join(tempfile.gettempdir(), "tessera-bench"))
    parser.add_argument("--base", default=BASE, help=f"the previous code's commit (default {BASE})")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--user", default="user2", help="whose list (default user2, an engineer)")
    args = parser.parse_args()
    ini = demo_site(args.data)
    token = token_for(ini, args.user)
    print(machine())
    results: dict = {}
    with server("--ini", ini) as url:
        body = fetch(url + PATH, token)
        measure("tessera", url + PATH, token, args.seconds, results)
        # the framework's own floor: the same token checked, one SELECT 1, a small envelope
        measure("health", url + "/api/health", token, args.seconds, results)
    with server("--ini", ini, "--setting=tessera.read_cache.megabytes=0") as url:
        measure("fresh", url + PATH, token, args.seconds, results)
    body_path = os.path.join(args.data, "list-body.json")
    with open(body_path, "wb") as handle:
        handle.write(body)
    with server("--ceiling", body_path) as url:
        measure("ceiling", url + PATH, None, args.seconds, results)
    statements_path = os.path.join(args.data, "list-statements.json")
    statements = statements_of(ini, PATH, token)
    with open(statements_path, "w") as handle:
        json.dump(statements, handle)
    with server("--floor", statements_path, "--database", os.path.join(args.data, "site.sqlite")) as url:
        fetch(url + PATH)  # fails loudly if the floor cannot run them
        measure("sql floor", url + PATH, None, args.seconds, results)
    with base_checkout(args.base) as source, tempfile.TemporaryDirectory() as folder:
        with server("--ini", database_without_new_indexes(args.data, folder), source=source) as url:
            measure("previous", url + PATH, token, args.seconds, results)
    tessera, ceiling, previous = (results[name][0] for name in ("tessera", "ceiling", "previous"))
    share = tessera.requests_per_second / ceiling.requests_per_second
    speedup = tessera.requests_per_second / previous.requests_per_second
    health = results["health"][0].requests_per_second / ceiling.requests_per_second
    sql_floor = results["sql floor"][0].requests_per_second
    print(f"\nbody {len(body):,} bytes; /api/health with the same token: {health:.1%} of the ceiling "
          "(what the app does around any view)")
    fresh = results["fresh"][0].requests_per_second
    print(f"answers made anew (fresh): {fresh / ceiling.requests_per_second:.1%} of the ceiling, "
          f"{fresh / previous.requests_per_second:.1f}x the previous code")
    print(f"the list's own SQL with no framework: {sql_floor / ceiling.requests_per_second:.1%} of the ceiling, "
          f"{sql_floor / previous.requests_per_second:.1f}x the previous code; "
          f"fresh answers come at {fresh / sql_floor:.1%} of that floor")
    costs = statement_costs(statements, os.path.join(args.data, "site.sqlite"))
    print(f"the floor's {len(costs)} statements alone take {sum(cost for cost, _ in costs):.0f} us of SQLite time:")
    for cost, sql in costs:
        print(f"  {cost:6.0f} us  {sql[:110]}")
    print(f"share of the ceiling   {share:6.1%}   target >= 25%   {verdict(share >= 0.25)}")
    print(f"speed-up over previous {speedup:6.1f}x   target >= 5x    {verdict(speedup >= 5)}")
    print(f"errors                 {tessera.errors:6d}    target 0        {verdict(tessera.errors == 0)}")


if __name__ == "__main__":
    main()
