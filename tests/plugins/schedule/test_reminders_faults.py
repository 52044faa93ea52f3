"""Faults with real processes on PostgreSQL + Redis: worker processes killed, paused, cut off from the
database; a provider failing, then answering too late. Each ends with every reminder delivered, none
failed, and repeats (counted by idempotency key) only within the documented window.

Leases, back-offs and the provider's timeout are shrunk through settings so each test takes seconds.
"""
from __future__ import annotations

import datetime as dt
import os
import signal
from collections import Counter

import pytest
from sqlalchemy import create_engine, text

from core.testing import Answer, JsonServer, throwaway_database
from tests.plugins.schedule.worker_support import WorkerSite

DATABASE, REDIS = os.environ.get("TESSERA_TEST_DATABASE_URL"), os.environ.get("TESSERA_TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not (DATABASE and REDIS), reason=(
    "fault tests need real worker processes on PostgreSQL and Redis: "
    "make test-pg sets TESSERA_TEST_DATABASE_URL and TESSERA_TEST_REDIS_URL"))

REMINDERS, BATCH, THREADS = 40, 10, 2
LEASE = 6  # seconds; the heartbeat renews every 2 s
SETTINGS = {
    "tessera.schedule.reminder_batch_size": BATCH,
    "tessera.schedule.reminder_lease_seconds": LEASE,
    "tessera.schedule.reminder_retry_seconds": 1,
    "tessera.schedule.reminder_max_attempts": 30,
    "tessera.provider_channel.timeout": 1,
}
#: the most a worker process that dies or pauses mid-batch may leave to be sent again (docs/reminders.md)
WINDOW = BATCH * THREADS
#: the provider channel's sends at once per worker process (``ProviderChannel.concurrency``)
CONCURRENCY = 50


@pytest.fixture
def provider():
    with JsonServer(default=Answer()) as server:
        yield server


@pytest.fixture
def workers(tmp_path, provider):
    with throwaway_database(tmp_path, "tessera_faults") as database:  # PostgreSQL: the test runs only there
        site = WorkerSite(str(tmp_path), database, {"tessera.plugins": "schedule provider_channel",
                                                    "tessera.provider_channel.url": provider.url, **SETTINGS},
                          huey_redis=REDIS, log_level="INFO")
        site.add_due_reminders(REMINDERS, dt.datetime.now(dt.timezone.utc).replace(microsecond=0), "provider")
        yield site
        site.stop()


def start(site: WorkerSite, count: int = 2) -> None:
    site.start_workers(count, threads=THREADS)
    site.tick()  # the minute's tick (a worker's own scheduler may have done it already: then this one stops)


def wait_for_requests(site: WorkerSite, provider: JsonServer, count: int = 1) -> None:
    assert site.wait_until(lambda: len(provider.requests) >= count, timeout=60, every=0.05), site.worker_log()


def assert_all_delivered(site: WorkerSite, provider: JsonServer, within: int) -> Counter:
    """Every reminder sent, none failed; the provider got every key, repeats at most ``within``."""
    assert site.wait_until(lambda: site.settled(REMINDERS), timeout=90), (site.states(), site.worker_log()[-5000:])
    assert site.states() == {"sent": REMINDERS}
    keys = Counter(request.headers["Idempotency-Key"] for request in provider.requests)
    stored = site.scalar("SELECT count(DISTINCT idempotency_key) FROM schedule_reminder_delivery")
    assert len(keys) == stored == REMINDERS  # one key per reminder, every one reached the provider
    assert sum(keys.values()) - len(keys) <= within
    return keys


def test_a_worker_killed_mid_batch_leaves_nothing_behind(workers, provider):
    provider.default = Answer(delay=0.5)  # slow enough for the batch to be out when the worker dies
    start(workers)
    wait_for_requests(workers, provider)
    victim = int(provider.requests[0].headers["X-Worker-Pid"])
    os.kill(victim, signal.SIGKILL)
    provider.default = Answer()
    assert_all_delivered(workers, provider, within=WINDOW)


def test_a_worker_paused_past_its_lease_sends_nothing_another_took_over(workers, provider):
    provider.default = Answer(delay=0.5)
    start(workers)
    wait_for_requests(workers, provider)
    pid = provider.requests[0].headers["X-Worker-Pid"]
    paused = next(n for n, process in enumerate(workers.workers) if process.pid == int(pid))
    workers.signal(paused, signal.SIGSTOP)
    provider.default = Answer()
    # its claims lapse and the other worker takes them over (the claim token names the process)
    held = f"SELECT count(*) FROM schedule_reminder WHERE state = 'claimed' AND claimed_by LIKE '%:{pid}:%'"
    assert workers.wait_until(lambda: workers.scalar(held) == 0, timeout=60), workers.states()
    before = len(provider.requests)
    workers.signal(paused, signal.SIGCONT)  # it wakes up mid-batch, its lease long gone
    assert_all_delivered(workers, provider, within=WINDOW)
    # it starts no new send; at most those it was starting when paused go out
    assert sum(r.headers["X-Worker-Pid"] == pid for r in provider.requests[before:]) <= CONCURRENCY


def test_a_database_connection_killed_mid_batch_fails_nothing(workers, provider):
    provider.default = Answer(delay=0.5)
    start(workers)
    wait_for_requests(workers, provider)
    admin = create_engine(DATABASE, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:  # every connection of the workers, mid-batch
        killed = connection.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": workers.engine.url.database}).scalar()
    admin.dispose()
    assert killed
    provider.default = Answer()
    assert_all_delivered(workers, provider, within=WINDOW)


def test_a_provider_failing_for_a_while_gets_everything_once_it_recovers(workers, provider):
    for _ in range(60):
        provider.answer(500, {"error": "down"})
    start(workers)
    assert_all_delivered(workers, provider, within=60)  # the repeats are the refused attempts
    accepted = Counter(request.headers["Idempotency-Key"] for request in provider.requests[60:])
    assert set(accepted.values()) == {1}  # what the provider accepted, it accepted once


def test_a_provider_answering_after_the_timeout_sees_the_same_key_again(workers, provider):
    for _ in range(15):
        provider.answers.append(Answer(delay=2))  # accepted, but after the channel's 1 s timeout
    start(workers)
    keys = assert_all_delivered(workers, provider, within=15)
    slow = {request.headers["Idempotency-Key"] for request in provider.requests[:15]}
    assert all(keys[key] == 2 for key in slow)  # sent again with the same key: the receiver can drop it
