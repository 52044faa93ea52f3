"""Exactly once per recipient: retries with back-off, permanent failures, racing workers, a worker killed mid-batch."""
import datetime as dt
import threading

import pytest
from sqlalchemy.exc import IntegrityError

from core.testing import shanghai
from core.toolkit import SendResult, hookimpl, transaction_scope
from plugins.schedule.models import Schedule
from plugins.schedule.reminders.dispatch import (
    DispatchReport,
    Lease,
    claim_batch,
    dispatch_due,
    record_batch,
    send_messages,
)
from plugins.schedule.reminders.models import ReminderDelivery
from plugins.schedule.reminders.settings import ReminderSettings
from tests.plugins.schedule.reminder_support import (  # noqa: F401 - fixtures shared by the reminder tests
    WorkerKilled,
    channels,
    create_schedule,
    deliveries,
    inbox_titles,
    owner,
    reminder_rows,
)

CLIENT = {"name": "李四", "role": "客户", "email": "lisi@example.com", "phone": "13900000002"}


@pytest.fixture
def site(make_site, channels):
    return make_site(plugins=("schedule",), settings={"tessera.schedule.reminder_batch_size": 3}, hookimpls=[channels])


def test_a_transient_failure_is_retried_with_backoff_and_sent_once(site, clock, owner, channels):
    create_schedule(site, owner, shanghai(2025, 12, 26, 10, 30), reminder_method="email")
    channels.email.script["lawyer@example.com"] = [SendResult.retry_later("421 try later")] * 2
    assert dispatch_due(site.registry).retrying == 1
    [row] = reminder_rows(site)
    assert (row.state, row.attempts, row.next_attempt_at) == ("pending", 1, clock.now() + dt.timedelta(seconds=60))
    assert "421 try later" in row.send_result and not row.is_sent
    clock.advance(seconds=59)
    assert dispatch_due(site.registry).claimed == 0
    clock.advance(seconds=1)
    assert dispatch_due(site.registry).retrying == 1
    clock.advance(seconds=119)
    assert dispatch_due(site.registry).claimed == 0  # the second delay doubled
    clock.advance(seconds=1)
    assert dispatch_due(site.registry).sent == 1
    [row] = reminder_rows(site)
    assert (row.state, row.attempts, row.is_sent, row.sent_time) == ("sent", 3, True, clock.now())
    assert channels.email.calls == ["lawyer@example.com"] * 3
    assert channels.email.accepted_count() == {"lawyer@example.com": 1}
    [delivery] = deliveries(site)
    assert (delivery.state, delivery.attempts) == ("sent", 3)


def test_a_permanent_failure_fails_at_once_with_the_reason(site, clock, owner, channels):
    create_schedule(site, owner, shanghai(2025, 12, 26, 10, 30), reminder_method="sms")
    channels.sms.script["13800000001"] = [SendResult.failed("InvalidParameterValue.IncorrectPhoneNumber")]
    assert dispatch_due(site.registry).failed == 1
    [row] = reminder_rows(site)
    assert (row.state, row.attempts, row.is_sent) == ("failed", 1, False)
    assert "IncorrectPhoneNumber" in row.send_result
    clock.advance(hours=1)
    assert dispatch_due(site.registry).claimed == 0
    assert channels.sms.calls == ["13800000001"]


def test_transient_failures_give_up_after_the_configured_attempts(make_site, clock, channels):
    site = make_site(plugins=("schedule",), settings={"tessera.schedule.reminder_max_attempts": 3}, hookimpls=[channels])
    owner = site.create_user("lawyer", email="lawyer@example.com")
    create_schedule(site, owner, shanghai(2025, 12, 26, 10, 30), reminder_method="email")
    channels.email.script["lawyer@example.com"] = [SendResult.retry_later("timeout")] * 10
    outcomes = []
    for _ in range(4):
        report = dispatch_due(site.registry)
        outcomes.append((report.retrying, report.failed))
        clock.advance(minutes=10)
    assert outcomes == [(1, 0), (1, 0), (0, 1), (0, 0)]
    [row] = reminder_rows(site)
    assert (row.state, row.attempts) == ("failed", 3) and "3 次尝试后放弃" in row.send_result
    assert len(channels.email.calls) == 3


def test_a_channel_that_raises_counts_as_transient(site, clock, owner, channels):
    create_schedule(site, owner, shanghai(2025, 12, 26, 10, 30), reminder_method="email")
    channels.email.script["lawyer@example.com"] = [ConnectionResetError("peer reset")]
    assert dispatch_due(site.registry).retrying == 1
    assert "ConnectionResetError" in reminder_rows(site)[0].send_result
    clock.advance(minutes=1)
    assert dispatch_due(site.registry).sent == 1


def test_a_retry_never_resends_to_a_recipient_who_got_it(site, clock, owner, channels):
    create_schedule(site, owner, shanghai(2025, 12, 26, 10, 30), reminder_method="email", participants=[CLIENT])
    channels.email.script["lisi@example.com"] = [SendResult.retry_later("mailbox busy")]
    assert dispatch_due(site.registry).retrying == 1
    clock.advance(minutes=1)
    assert dispatch_due(site.registry).sent == 1
    assert channels.email.calls == ["lawyer@example.com", "lisi@example.com", "lisi@example.com"]
    assert channels.email.accepted_count() == {"lawyer@example.com": 1, "lisi@example.com": 1}


def test_workers_racing_on_the_same_due_reminders_deliver_each_exactly_once(site, clock, channels):
    owners = [site.create_user(f"lawyer{n}", email=f"lawyer{n}@example.com") for n in range(6)]
    for n, person in enumerate(owners):
        for hour in (11, 12):
            create_schedule(site, person, shanghai(2025, 12, 26, hour, n), reminder_method="system,email",
                            participants=[{"name": f"客户{n}", "role": "客户", "email": f"client{n}-{hour}@example.com"}])
    clock.set(shanghai(2025, 12, 26, 12, 0))
    reports, errors = [], []
    barrier = threading.Barrier(4)

    def worker(number):
        try:
            barrier.wait()
            reports.append(dispatch_due(site.registry, worker=f"worker-{number}"))
        except Exception as exc:  # surfaced below: a worker must never crash on a race
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(r.claimed for r in reports) == 24 and sum(r.sent for r in reports) == 24
    expected = {f"lawyer{n}@example.com": 2 for n in range(6)}
    expected.update({f"client{n}-{hour}@example.com": 1 for n in range(6) for hour in (11, 12)})
    assert channels.email.accepted_count() == expected
    assert all(len(inbox_titles(site, owner)) == 2 for owner in owners)
    assert {r.state for r in reminder_rows(site)} == {"sent"}


def test_the_same_tick_twice_sends_nothing_twice(site, clock, owner, channels):
    create_schedule(site, owner, shanghai(2025, 12, 26, 10, 30), reminder_method="system,email,sms")
    first, second = dispatch_due(site.registry), dispatch_due(site.registry)
    assert (first.sent, second.claimed) == (3, 0)
    assert len(inbox_titles(site, owner)) == 1
    assert len(channels.email.accepted) == 1 and len(channels.sms.accepted) == 1


def test_a_worker_killed_mid_batch_is_taken_over_after_its_lease_with_the_same_keys(site, clock, owner, channels):
    create_schedule(site, owner, shanghai(2025, 12, 26, 10, 30), reminder_method="email", participants=[CLIENT])
    create_schedule(site, owner, shanghai(2025, 12, 26, 10, 31), reminder_method="sms", participants=[CLIENT])
    channels.email.script["lisi@example.com"] = [WorkerKilled()]
    with pytest.raises(WorkerKilled):
        dispatch_due(site.registry, worker="doomed")
    assert {d.state for d in deliveries(site)} == {"sending"}  # the batch was out, nothing recorded
    lease = ReminderSettings.of(site.registry).lease
    clock.advance(seconds=lease.total_seconds() - 1)
    assert dispatch_due(site.registry).claimed == 0  # the claim still holds
    clock.advance(seconds=2)  # the lease lapsed; the SMS reminder (10:01) is due too
    report = dispatch_due(site.registry)
    assert (report.claimed, report.sent) == (2, 2)
    # the documented repeat: what the dead worker had out is sent again, under the same idempotency keys
    assert channels.email.accepted_count() == {"lawyer@example.com": 2, "lisi@example.com": 1}
    assert channels.sms.accepted_count() == {"13800000001": 1, "13900000002": 1}  # fell due meanwhile
    accepted = channels.email.accepted + channels.sms.accepted
    keys = {(address, notification.idempotency_key) for address, notification in accepted}
    assert len(keys) == 4 and all(key for _, key in keys)
    assert {d.idempotency_key for d in deliveries(site)} == {key for _, key in keys}
    assert {r.state for r in reminder_rows(site)} == {"sent"}


def test_a_worker_that_lost_its_claim_does_not_send_on(site, clock, owner, channels):
    """A worker paused past its lease (GC, VM freeze) finds its claim lapsed and sends nothing more."""
    create_schedule(site, owner, shanghai(2025, 12, 26, 10, 30), reminder_method="email", participants=[CLIENT])
    settings = ReminderSettings.of(site.registry)
    batch = claim_batch(site.registry, settings, "paused", DispatchReport())
    clock.advance(seconds=settings.lease.total_seconds() + 1)
    assert dispatch_due(site.registry, worker="healthy").sent == 1
    report = DispatchReport()
    with Lease(site.registry, settings, batch) as lease:
        send_messages(site.registry, settings, batch.messages, lease)
    record_batch(site.registry, settings, batch, report)
    assert (report.lost, report.sent) == (1, 0)
    assert channels.email.accepted_count() == {"lawyer@example.com": 1, "lisi@example.com": 1}
    assert {d.claimed_by for d in deliveries(site)} == {"healthy"}


def test_the_delivery_key_refuses_a_second_row_for_the_same_recipient(site, clock, owner, channels):
    create_schedule(site, owner, shanghai(2025, 12, 26, 10, 30), reminder_method="email")
    dispatch_due(site.registry)
    [delivery] = deliveries(site)
    with pytest.raises(IntegrityError):
        with transaction_scope(site.registry) as dbsession:
            dbsession.add(ReminderDelivery(
                reminder_id=delivery.reminder_id, schedule_id=delivery.schedule_id,
                occurrence_start=delivery.occurrence_start, method="email", lead_minutes=delivery.lead_minutes,
                address="lawyer@example.com", recipient_name="again", state="sending", attempts=1,
                update_datetime=clock.now()))
    assert [(d.address, d.recipient_name) for d in deliveries(site)] == [("lawyer@example.com", "Lawyer")]


def test_a_retry_for_an_occurrence_that_was_moved_is_dropped_not_sent_with_the_old_time(site, clock, owner, channels):
    schedule = create_schedule(site, owner, shanghai(2025, 12, 26, 10, 30), reminder_method="email", participants=[CLIENT])
    channels.email.script["lisi@example.com"] = [SendResult.retry_later("mailbox busy")]
    assert dispatch_due(site.registry).retrying == 1
    site.patch_json(f"/api/customer/schedules/{schedule['id']}/",
                    {"start_time": shanghai(2025, 12, 26, 16, 0).isoformat(), "allow_conflict": True},
                    headers=site.headers(owner))
    clock.advance(minutes=1)
    assert dispatch_due(site.registry).sent == 1  # the old row settles: the creator had it
    old, new = reminder_rows(site)
    assert (old.state, new.state, new.remind_time) == ("sent", "pending", shanghai(2025, 12, 26, 15, 30))
    assert "已变更" in old.send_result and "lisi@example.com>: skipped" in old.send_result
    assert channels.email.calls == ["lawyer@example.com", "lisi@example.com"]


class BrokenChannel:
    """A third party's channel with a bug: it raises where it should answer."""

    name = "email"

    def address_of(self, recipient):
        raise RuntimeError("broken address book")

    def send(self, notification, recipient, address):
        raise AssertionError("never reached")


class BrokenPlugin:
    @hookimpl
    def tessera_notification_channels(self, registry):
        return [BrokenChannel()]


class EventListener:
    def __init__(self):
        self.events = []

    @hookimpl
    def tessera_event(self, registry, dbsession, event):
        self.events.append(event)


def test_a_reminder_that_raises_is_retried_and_fails_with_the_error_only_when_it_repeats(make_site, clock):
    listener = EventListener()
    site = make_site(plugins=("schedule",), settings={"tessera.schedule.reminder_max_attempts": 2},
                     hookimpls=[BrokenPlugin(), listener])
    owner = site.create_user("lawyer", email="lawyer@example.com")
    create_schedule(site, owner, shanghai(2025, 12, 26, 10, 30), title="broken", reminder_method="email")
    create_schedule(site, owner, shanghai(2025, 12, 26, 10, 20), title="fine")
    report = dispatch_due(site.registry)
    assert (report.retrying, report.sent) == (1, 1)  # the other reminder of the batch still goes
    assert inbox_titles(site, owner) == ["日程提醒: fine"]
    broken = next(r for r in reminder_rows(site) if r.remind_method == "email")
    assert broken.state == "pending" and "第 1 次尝试出错：RuntimeError: broken address book" in broken.send_result
    clock.advance(minutes=1)
    assert dispatch_due(site.registry).failed == 1
    broken = next(r for r in reminder_rows(site) if r.remind_method == "email")
    assert broken.state == "failed" and "内部错误：RuntimeError: broken address book（2 次尝试后放弃）" in broken.send_result
    assert [(e.type, e.data["reminder_id"]) for e in listener.events if e.type.startswith("reminder.")] == [
        ("reminder.sent", next(r.id for r in reminder_rows(site) if r.remind_method == "system")),
        ("reminder.failed", broken.id)]
    clock.advance(minutes=10)
    assert dispatch_due(site.registry).claimed == 0


def test_a_schedule_that_cannot_be_expanded_does_not_stop_the_others(site, clock, owner):
    weekly = {"frequency": "weekly", "interval": 1}
    bad = create_schedule(site, owner, shanghai(2025, 12, 29, 9, 0), title="bad", recurrence_rule=weekly)
    good = create_schedule(site, owner, shanghai(2025, 12, 29, 10, 0), title="good", recurrence_rule=weekly)
    with transaction_scope(site.registry) as dbsession:  # data the engine cannot read (written by hand, say)
        dbsession.get(Schedule, bad["id"]).recurrence_rule = {"frequency": "hourly"}
    clock.set(shanghai(2026, 1, 5, 9, 0))
    assert dispatch_due(site.registry).extended == 2
    good_rows = [r.occurrence_start for r in reminder_rows(site, good["id"])]
    assert good_rows[-1] > shanghai(2026, 2, 1, 0, 0)
    clock.advance(minutes=1)
    assert dispatch_due(site.registry).extended == 0  # the bad one waits a day before the next try
