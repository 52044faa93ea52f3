"""Readers side by side: 8 connections of mixed reads and writes, and /api/health beside slow work.

    .venv/bin/python bench/concurrency.py [--seconds 10] [--data /tmp/tessera-bench]
        [--threads N] [--setting tessera.read_cache.megabytes=0]

On the ``tessera demo-data`` site (SQLite, WAL), waitress with 2 threads (as
``tessera run``; ``--threads``) on one core, wrk with 8 connections on the other:

1. mixed load: nine requests in ten (``--write-every``) read an engineer's pending
   list, one changes the title of one of their schedules (PATCH, which commits with
   an fsync) — p50, p99 and errors;
2. /api/health, one request after another, while (a) another connection holds
   SQLite's write lock (a slow writer) and (b) a slow read runs (an admin's
   search over every schedule) — its worst answer time against its time alone.

Targets: p99 ≤ 5 × p50 with 0 errors; /api/health answers within 100 ms while
the slow work runs. Numbers go to docs/performance.md.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.harness import NoiseGauge, demo_site, fetch, machine, mixed_load_script, server, token_for, verdict, wrk  # noqa: E402

LIST = "/api/customer/schedules/?status=pending&ordering=-start_time&limit=20"
# matches nothing, so reads every row; a new search each time, so never an answer reused (core.readcache)
SLOW_READ = "/api/customer/schedules/?search=%E6%B2%A1%E6%9C%89{}&limit=20"


def health_times(url: str, count: int = 40) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        urllib.request.urlopen(url + "/api/health", timeout=30).read()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.path.join(tempfile.gettempdir(), "tessera-bench"))
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--write-every", type=int, default=10, help="one request in N writes (default 10)")
    parser.add_argument("--setting", action="append", default=[], metavar="KEY=VALUE",
                        help="a site setting in place of the ini's, e.g. tessera.read_cache.megabytes=0")
    parser.add_argument("--threads", help="the server's threads (default: bench/serve.py's, as `tessera run`)")
    args = parser.parse_args()
    ini = demo_site(args.data)
    token, admin = token_for(ini, "user2"), token_for(ini, "user1")
    print(machine())
    options = [f"--threads={args.threads}"] if args.threads else []
    with server("--ini", ini, *options, *(f"--setting={setting}" for setting in args.setting)) as url:
        own = fetch(url + LIST, token)
        import json
        schedule_id = json.loads(own)["data"]["results"][0]["id"]
        script = mixed_load_script(os.path.join(args.data, "mixed.lua"), [LIST], schedule_id, "title",
                                   every=args.write_every)
        wrk(url + LIST, token, seconds=2, script=script)
        gauge = NoiseGauge()
        gauge.start()
        mixed = wrk(url + LIST, token, seconds=args.seconds, script=script)
        noise = gauge.stop()
        alone = health_times(url)
        with writer_holding_the_lock(os.path.join(args.data, "site.sqlite")):
            beside_writer = health_times(url)
            list_beside_writer = time_one(url + LIST, token)
        with slow_reads(url + SLOW_READ, admin) as slow_ms:
            beside_slow_read = health_times(url)
    ratio = mixed.p99_ms / mixed.p50_ms
    print(f"mixed 8 connections, one request in {args.write_every} a write: {mixed.requests_per_second:.0f} req/s, p50 {mixed.p50_ms:.1f} ms, p99 {mixed.p99_ms:.1f} ms, "
          f"errors {mixed.errors} (other processes used {noise:.2f} cores; {gauge.speed})")
    print(f"p99 / p50              {ratio:6.1f}   target <= 5     {verdict(ratio <= 5)}")
    print(f"errors                 {mixed.errors:6d}   target 0        {verdict(mixed.errors == 0)}")
    print(f"/api/health alone: median {statistics.median(alone):.1f} ms, worst {max(alone):.1f} ms")
    print(f"/api/health while a writer holds the lock: worst {max(beside_writer):6.1f} ms   target <= 100   "
          f"{verdict(max(beside_writer) <= 100)}  (a list read meanwhile: {list_beside_writer:.1f} ms)")
    print(f"/api/health beside a slow read ({slow_ms[0]:.0f} ms each): worst {max(beside_slow_read):6.1f} ms   "
          f"target <= 100   {verdict(max(beside_slow_read) <= 100)}")


def time_one(url: str, token: str) -> float:
    started = time.perf_counter()
    fetch(url, token)
    return (time.perf_counter() - started) * 1000


@contextlib.contextmanager
def writer_holding_the_lock(database: str):
    """Another connection in the middle of a long write transaction."""
    connection = sqlite3.connect(database, isolation_level=None, timeout=30)
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("UPDATE core_user SET name = name WHERE id = 1")
    try:
        yield
    finally:
        connection.execute("ROLLBACK")
        connection.close()


@contextlib.contextmanager
def slow_reads(url: str, token: str):
    """Slow requests one after another in a thread; yields [their median ms] once the first has finished."""
    stop, times = threading.Event(), []

    def run():
        while not stop.is_set():
            times.append(time_one(url.format(len(times)), token))

    thread = threading.Thread(target=run)
    thread.start()
    while not times:
        time.sleep(0.01)
    measured = [0.0]
    try:
        yield measured
    finally:
        stop.set()
        thread.join()
        measured[0] = statistics.median(times)


if __name__ == "__main__":
    main()
