"""The pipeline around the batches: one tick a minute per site, concurrent sends, providers' delays, database blips."""
import datetime as dt
import threading

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from core.testing import shanghai
from core.toolkit import SendResult
from plugins.schedule.reminders.dispatch import DispatchReport, claim_batch, dispatch_due
from plugins.schedule.reminders.settings import ReminderSettings
from plugins.schedule.reminders.tasks import DISPATCH_TASK, tick
from tests.plugins.schedule.reminder_support import (  # noqa: F401 - fixtures shared by the reminder tests
    channels,
    create_schedule,
    deliveries,
    inbox_titles,
    owner,
    reminder_rows,
)


@pytest.fixture
def site(make_site, channels):
    return make_site(plugins=("schedule",), settings={"tessera.schedule.reminder_batch_size": 2,
                                                       "tessera.schedule.reminder_fan_out": 3}, hookimpls=[channels])


def queued_runs(site) -> list:
    """Dispatch runs queued for now."""
    return [task for task in site.registry.huey.pending() if task.name == DISPATCH_TASK and task.eta is None]


def wake_ups(site) -> list:
    """Dispatch runs queued for a later moment."""
    huey = site.registry.huey
    return [task for task in huey.pending() + huey.scheduled() if task.name == DISPATCH_TASK and task.eta]


def run_queued(site) -> None:
    """What the worker threads would do: run every queued dispatch run."""
    huey = site.registry.huey
    while (task := huey.dequeue()) is not None:
        huey.execute(task)


def test_one_tick_a_minute_whatever_the_number_of_workers_and_it_queues_runs_to_share(site, clock, owner):
    for minute in range(5):
        create_schedule(site, owner, shanghai(2025, 12, 26, 10, 20 + minute), title=f"会议 {minute}")
    for _ in range(3):  # three worker processes, each with its scheduler, start the tick at 10:00
        tick(site.registry)
    assert len(queued_runs(site)) == 3  # 5 due in batches of 2, at most reminder_fan_out runs
    run_queued(site)
    assert len(inbox_titles(site, owner)) == 5
    clock.advance(seconds=59)
    tick(site.registry)
    assert queued_runs(site) == []  # still the minute that ticked
    clock.advance(seconds=1)
    create_schedule(site, owner, shanghai(2025, 12, 26, 10, 30), title="再一个")
    tick(site.registry)
    assert len(queued_runs(site)) == 1


def test_a_short_retry_gets_a_run_queued_for_its_moment_not_at_the_next_tick(site, clock, owner, channels):
    create_schedule(site, owner, shanghai(2025, 12, 26, 10, 30), reminder_method="email")
    channels.email.script["lawyer@example.com"] = [SendResult.retry_later("rate limited", retry_after=5)]
    tick(site.registry)
    run_queued(site)
    [row] = reminder_rows(site)
    assert (row.state, row.next_attempt_at) == ("pending", clock.now() + dt.timedelta(seconds=5))
    [wake_up] = wake_ups(site)
    clock.advance(seconds=5)
    site.registry.huey.execute(wake_up, timestamp=wake_up.eta)  # as the consumer does when its time comes
    assert reminder_rows(site)[0].state == "sent"
    assert channels.email.accepted_count() == {"lawyer@example.com": 1}


def test_a_dead_workers_claim_is_taken_over_when_its_lease_lapses_not_at_a_later_tick(site, clock, owner):
    create_schedule(site, owner, shanghai(2025, 12, 26, 10, 30))
    clock.advance(seconds=20)
    claim_batch(site.registry, ReminderSettings.of(site.registry), "doomed", DispatchReport())  # then it dies
    clock.set(shanghai(2025, 12, 26, 10, 1))
    tick(site.registry)
    assert queued_runs(site) == []  # its lease runs until 10:01:20
    [watch] = wake_ups(site)
    assert watch.args == (True,)  # a run that watches the claims in flight
    clock.set(shanghai(2025, 12, 26, 10, 1, 21))
    site.registry.huey.execute(watch, timestamp=watch.eta)
    assert len(inbox_titles(site, owner)) == 1


def test_a_provider_that_asks_for_a_delay_is_not_tried_sooner(site, clock, owner, channels):
    create_schedule(site, owner, shanghai(2025, 12, 26, 10, 30), reminder_method="sms")
    channels.sms.script["13800000001"] = [SendResult.retry_later("LimitExceeded", retry_after=600)]
    assert dispatch_due(site.registry).retrying == 1
    clock.advance(seconds=599)
    assert dispatch_due(site.registry).claimed == 0  # the back-off alone would have been 60 s
    clock.advance(seconds=1)
    assert dispatch_due(site.registry).sent == 1


class Rendezvous:
    """A provider that answers only once ``width`` sends are under way together: sends one after the other never pass."""

    def __init__(self, name, width):
        self.name, self.barrier, self.addresses = name, threading.Barrier(width, timeout=20), []

    def address_of(self, recipient):
        return recipient.email

    def send(self, notification, recipient, address):
        self.barrier.wait()
        self.addresses.append(address)
        return SendResult.sent("accepted")


def test_a_channel_gets_its_messages_concurrently_up_to_its_setting(make_site, clock):
    site = make_site(plugins=("schedule",), settings={"tessera.schedule.reminder_channel_concurrency": "email:4"})
    provider = Rendezvous("email", 4)
    site.registry.tessera_channels["email"] = provider
    people = [site.create_user(f"lawyer{n}", email=f"lawyer{n}@example.com") for n in range(8)]
    for person in people:
        create_schedule(site, person, shanghai(2025, 12, 26, 10, 30), reminder_method="email")
    assert dispatch_due(site.registry).sent == 8
    assert sorted(provider.addresses) == sorted(f"lawyer{n}@example.com" for n in range(8))


class LostConnection:
    """Fails the engine's statements matching ``fragment`` ``times`` times, as a killed database connection would."""

    def __init__(self, engine, fragment, times):
        self.fragment, self.left = fragment, times
        event.listen(engine, "before_cursor_execute", self)

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if self.left and self.fragment in statement:
            self.left -= 1
            raise OperationalError(statement, parameters, Exception("server closed the connection unexpectedly"))


def test_a_database_blip_while_recording_is_retried_and_fails_no_reminder(site, clock, owner, channels):
    create_schedule(site, owner, shanghai(2025, 12, 26, 10, 30), reminder_method="email")
    LostConnection(site.registry.dbengine, "UPDATE schedule_reminder_delivery SET state", times=1)
    report = dispatch_due(site.registry)
    assert (report.sent, report.failed) == (1, 0)
    assert channels.email.accepted_count() == {"lawyer@example.com": 1}
    assert [(d.state, d.attempts) for d in deliveries(site)] == [("sent", 1)]


def test_a_database_blip_while_claiming_claims_nothing_and_the_next_run_sends(site, clock, owner):
    create_schedule(site, owner, shanghai(2025, 12, 26, 10, 20))
    LostConnection(site.registry.dbengine, "INSERT INTO schedule_reminder_delivery", times=1)
    report = dispatch_due(site.registry)
    assert (report.claimed, report.failed) == (0, 0)
    assert [(r.state, r.attempts) for r in reminder_rows(site)] == [("pending", 0)]
    assert dispatch_due(site.registry).sent == 1
    assert len(inbox_titles(site, owner)) == 1


def test_a_reminder_that_reached_someone_is_never_failed(site, clock, owner, channels):
    create_schedule(site, owner, shanghai(2025, 12, 26, 10, 30), reminder_method="email",
                    participants=[{"name": "李四", "role": "客户", "email": "lisi@example.com"}])
    channels.email.script["lisi@example.com"] = [SendResult.failed("550 no such mailbox")]
    assert dispatch_due(site.registry).sent == 1
    [row] = reminder_rows(site)
    assert row.state == "sent" and "lisi@example.com>: failed" in row.send_result
