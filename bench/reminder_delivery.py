"""End-to-end reminder delivery: due rows -> real `tessera worker` processes -> delivered. Prints figure, target, holds.

Each scenario fills a fresh database with due reminders, starts worker processes (2 threads
each) and measures what they deliver. One command each:

    .venv/bin/python bench/reminder_delivery.py inbox       # 1 worker, in-app inbox, 1,000 due, SQLite: >= 1,000/s
    .venv/bin/python bench/reminder_delivery.py inbox --database postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/reminder_delivery.py provider    # 1 worker, a provider answering in 100 ms: >= 300/s
    .venv/bin/python bench/reminder_delivery.py burst       # 4 workers, PostgreSQL + Redis, 10,000 due in one
                                                            # minute: p95 remind -> delivery <= 60 s, 0 lost, 0 repeats
    .venv/bin/python bench/reminder_delivery.py takeover    # 2 workers, PostgreSQL + Redis, default 60 s lease, one
                                                            # SIGKILLed mid-batch: its claims taken over within 90 s

``inbox`` and ``provider`` queue two dispatch runs (one per worker thread) and time from
the dispatch being queued to the last reminder settled. ``burst`` lets the workers' own minute ticks find
10,000 reminders due at the next minute, as at 9:00 on a Monday. The provider is a local
HTTP server counting requests by idempotency key. The CPU that other processes used meanwhile
is printed beside every figure (the machine is shared). Numbers: docs/performance.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from core.testing import Answer, JsonServer  # noqa: E402
from core.testing.database import fresh_postgres_database  # noqa: E402
from tests.plugins.schedule.worker_support import WorkerSite  # noqa: E402

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/5"


class CpuMeter:
    """The machine's busy CPU over a span, and how much of it was ours (this process and the workers)."""

    def __init__(self, pids):
        self.pids = [os.getpid(), *pids]
        self.busy, self.ours, self.started = self._busy(), self._ours(), time.monotonic()

    def report(self) -> str:
        hertz = os.sysconf("SC_CLK_TCK")
        wall = time.monotonic() - self.started
        busy = (self._busy() - self.busy) / hertz / wall
        self.ours_seconds = (self._ours() - self.ours) / hertz
        ours = self.ours_seconds / wall
        return (f"cores busy {busy:.2f} of {os.cpu_count()}: ours {ours:.2f}, others {max(busy - ours, 0):.2f}; "
                f"loadavg {open('/proc/loadavg').read().split()[0]}")

    @staticmethod
    def _busy() -> int:
        fields = [int(v) for v in open("/proc/stat").readline().split()[1:]]
        return sum(fields) - fields[3] - fields[4]  # all but idle and iowait

    def _ours(self) -> int:
        total = 0
        for pid in self.pids:
            try:
                fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total


def fresh_database(url: str | None, label: str) -> str:
    if not url:
        return f"sqlite:///{tempfile.mkdtemp()}/bench-{label}.sqlite"
    return fresh_postgres_database(url, f"tessera_bench_{label}")


def verdict(holds: bool) -> str:
    return "holds" if holds else "DOES NOT HOLD"


def throughput(args, method: str, target: float, settings: dict, server: JsonServer | None = None) -> None:
    """One worker process, ``args.due`` reminders due now, two dispatch runs: reminders per second."""
    database = fresh_database(args.database, method)
    site = WorkerSite(tempfile.mkdtemp(), database, settings, huey_redis=args.redis if args.database else None,
                      log_level=os.environ.get("BENCH_LOG_LEVEL", "WARN"))
    try:
        site.start_workers(1)
        time.sleep(3)  # the worker process starts up (not timed)
        # due only once the worker is up: on a quiet machine its start-up tick would otherwise send them
        # all before the clock starts
        site.add_due_reminders(args.due, dt.datetime.now(dt.timezone.utc).replace(microsecond=0), method)
        meter = CpuMeter([worker.pid for worker in site.workers])
        started = time.monotonic()
        site.queue_dispatch(2)
        site.wait_until(lambda: site.settled(args.due), timeout=600, every=0.01)
        elapsed = time.monotonic() - started
        cpu = meter.report()
        states = site.states()
    finally:
        site.stop()
    rate = states["sent"] / elapsed
    delivered = f"{len(server.requests)} requests" if server else f"{states['sent']} sent"
    print(f"{method} on {'PostgreSQL' if args.database else 'SQLite'}: {args.due} due, {delivered}, "
          f"states {dict(states)}, dispatch queued to last settled {elapsed:.2f} s")
    print(f"  figure {rate:,.0f} reminders/s; target >= {target:,.0f}/s: {verdict(rate >= target and states['sent'] == args.due)}")
    print(f"  {cpu}; {states['sent'] / max(meter.ours_seconds, 1e-9):,.0f} reminders per CPU-second we used "
          "(what one free core would give)")


def run_inbox(args) -> None:
    throughput(args, "system", 1000, {"tessera.plugins": "schedule"})


def run_provider(args) -> None:
    with JsonServer(default=Answer(delay=args.latency)) as server:
        throughput(args, "provider", 300, {"tessera.plugins": "schedule provider_channel",
                                           "tessera.provider_channel.url": server.url}, server)
    repeats = sum(n - 1 for n in Counter(r.headers.get("Idempotency-Key") for r in server.requests).values())
    print(f"  provider answered each request after {args.latency * 1000:.0f} ms; repeated keys: {repeats}")


def run_burst(args) -> None:
    """Four worker processes; the minute ticks find ``args.due`` reminders due at the next minute."""
    database = fresh_database(args.database or POSTGRES, "burst")
    with JsonServer(default=Answer(delay=args.latency)) as server:
        site = WorkerSite(tempfile.mkdtemp(), database, {
            "tessera.plugins": "schedule provider_channel", "tessera.provider_channel.url": server.url},
            huey_redis=args.redis)
        try:
            now = dt.datetime.now(dt.timezone.utc)
            due_at = (now + dt.timedelta(seconds=80)).replace(second=0, microsecond=0)
            site.add_due_reminders(args.due, due_at, "provider")
            site.start_workers(args.workers)
            meter = CpuMeter([worker.pid for worker in site.workers])
            print(f"{args.due} reminders due at {due_at:%H:%M:%S} UTC; {args.workers} workers started at "
                  f"{dt.datetime.now(dt.timezone.utc):%H:%M:%S}", flush=True)
            site.wait_until(lambda: site.settled(args.due), timeout=(due_at - now).total_seconds() + args.wait)
            cpu = meter.report()
            states = site.states()
            latencies = sorted(site.engine.connect().execute(site_latency_sql(database)).scalars().all())
        finally:
            site.stop()
    keys = Counter(r.headers.get("Idempotency-Key") for r in server.requests)
    repeats = sum(n - 1 for n in keys.values())
    lost = args.due - states["sent"]
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    print(f"states {dict(states)}; provider requests {len(server.requests)}, distinct keys {len(keys)}")
    print(f"  remind -> delivery: p50 {p50:.1f} s, p95 {p95:.1f} s, max {latencies[-1] if latencies else 0:.1f} s")
    print(f"  figure p95 {p95:.1f} s, lost {lost}, repeated keys {repeats}; target p95 <= 60 s, 0 lost, 0 repeated: "
          f"{verdict(p95 <= 60 and lost == 0 and repeats == 0)}")
    print(f"  {cpu}")


def run_takeover(args) -> None:
    """Two worker processes with the default lease; the one that sent first is SIGKILLed mid-batch."""
    database = fresh_database(args.database or POSTGRES, "takeover")
    with JsonServer(default=Answer(delay=1.0)) as server:  # slow: the batches are out when the worker dies
        site = WorkerSite(tempfile.mkdtemp(), database, {
            "tessera.plugins": "schedule provider_channel", "tessera.provider_channel.url": server.url},
            huey_redis=args.redis)
        try:
            site.add_due_reminders(args.due, dt.datetime.now(dt.timezone.utc).replace(microsecond=0), "provider")
            site.start_workers(2)
            site.tick()
            site.wait_until(lambda: server.requests, timeout=120, every=0.05)
            pid = server.requests[0].headers["X-Worker-Pid"]
            held = f"SELECT count(*) FROM schedule_reminder WHERE state = 'claimed' AND claimed_by LIKE '%:{pid}:%'"
            claims = site.scalar(held)
            os.kill(int(pid), 9)
            killed = time.monotonic()
            server.default = Answer(delay=args.latency)
            site.wait_until(lambda: site.scalar(held) == 0, timeout=300, every=0.2)
            taken_over = time.monotonic() - killed
            site.wait_until(lambda: site.settled(args.due), timeout=120)
            states = site.states()
        finally:
            site.stop()
    keys = Counter(r.headers.get("Idempotency-Key") for r in server.requests)
    print(f"killed worker {pid} holding {claims} claims; states {dict(states)}; "
          f"keys {len(keys)}, repeated {sum(n - 1 for n in keys.values())} (the batches it had out)")
    print(f"  figure: its claims taken over {taken_over:.1f} s after the kill; target <= 90 s: "
          f"{verdict(taken_over <= 90 and states['sent'] == args.due)}")


def site_latency_sql(database: str):
    from sqlalchemy import text

    if database.startswith("sqlite"):
        return text("SELECT (julianday(sent_time) - julianday(remind_time)) * 86400 FROM schedule_reminder")
    return text("SELECT EXTRACT(EPOCH FROM sent_time - remind_time) FROM schedule_reminder")


def percentile(values: list, share: int) -> float:
    if not values:
        return float("nan")
    return float(values[min(len(values) - 1, int(len(values) * share / 100))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=("inbox", "provider", "burst", "takeover"))
    parser.add_argument("--database", help="a PostgreSQL URL (inbox, provider: default a temporary SQLite file; "
                                           f"burst, takeover: default {POSTGRES})")
    parser.add_argument("--redis", default=REDIS, help="the queue when the database is PostgreSQL")
    parser.add_argument("--due", type=int, help="reminders due (default 1,000; burst 10,000; takeover 400)")
    parser.add_argument("--latency", type=float, help="seconds the provider takes to answer (provider 0.1, burst 0.02)")
    parser.add_argument("--workers", type=int, default=4, help="worker processes (burst)")
    parser.add_argument("--wait", type=int, default=300, help="seconds past the due minute to wait at most (burst)")
    args = parser.parse_args()
    args.due = args.due or {"burst": 10_000, "takeover": 400}.get(args.scenario, 1000)
    args.latency = args.latency if args.latency is not None else (0.1 if args.scenario == "provider" else 0.02)
    print(f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores", flush=True)
    {"inbox": run_inbox, "provider": run_provider, "burst": run_burst, "takeover": run_takeover}[args.scenario](args)


if __name__ == "__main__":
    main()
