"""Sending due reminders, a batch at a time: claim, send, record.

A batch costs two transactions of the engine's own, whatever its size:

1. **claim** — one indexed query finds up to ``reminder_batch_size`` due ``pending`` rows
   (and ``claimed`` rows whose lease ran out: their worker died); a conditional UPDATE marks
   them ``claimed`` by this run's token until now + lease (``FOR UPDATE SKIP LOCKED`` on
   PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite). In the same transaction every recipient who
   has not had the message gets a delivery row written ``sending`` under its UNIQUE
   (schedule, occurrence, method, address, lead), with a stable idempotency key; reminders that
   must not be sent (schedule cancelled, channel gone, stale…) are settled at once.
2. **send** — outside any transaction, each channel's messages go out together: through the
   channel's ``send_many`` (the inbox writes a batch in one transaction), inline, or through a
   bounded thread pool per channel, so a slow provider costs latency, not throughput. A
   heartbeat renews the claim every third of the lease while the batch is out; a message is
   handed to its channel only while the claim surely holds.
3. **record** — one transaction writes every delivery's outcome (``sent``, ``failed``,
   ``retry``) and settles each reminder: ``sent`` / ``failed`` / ``skipped``, or ``pending``
   again with a back-off when a recipient failed transiently and attempts remain. A database
   failure here is retried a few times in place: the outcomes are in memory.

A takeover re-sends to recipients whose delivery is still ``sending``: the old worker died (or
lost its database) between writing that row and recording the provider's answer. Those
messages carry the same idempotency key as the first time, so a receiver can drop the repeat.
The window is the batch that was out when the worker died (see docs/reminders.md).
"""
from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid
from collections import defaultdict

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError, PendingRollbackError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import selectinload

from core.toolkit import Channel, Notification, Recipient, SendResult, claim_due, isoformat_local, publish_event
from plugins.schedule.models import Schedule
from plugins.schedule.outside import HELD_BACK, permitted
from plugins.schedule.reminders.materialise import extend_horizons, inactive_reason, still_wanted
from plugins.schedule.reminders.models import (
    CLAIMED,
    FAILED,
    PENDING,
    RETRY,
    SENDING,
    SENT,
    SKIPPED,
    ReminderDelivery,
    ScheduleReminder,
)
from plugins.schedule.reminders.settings import ReminderSettings
from plugins.schedule.sharing import recipients_of

log = logging.getLogger(__name__)

TEMPLATE = "schedule_reminder"
#: sends at once per worker process for a channel that does not say (``Channel.concurrency``): a remote provider
DEFAULT_CONCURRENCY = 10
#: tries at recording a batch's outcomes while the database fails under it, and the first pause between them
RECORD_TRIES, RECORD_PAUSE_SECONDS = 5, 0.5

deliveries = ReminderDelivery.__table__
reminders = ScheduleReminder.__table__


@dataclasses.dataclass
class DispatchReport:
    """What one run did. ``lost`` counts reminders another worker took over mid-way.
    ``retry_at`` is the soonest moment a reminder this run put back to ``pending`` falls due again."""

    extended: int = 0
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    retrying: int = 0
    lost: int = 0
    retry_at: dt.datetime | None = None

    def settled(self, outcome: str, values: dict) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)
        if values["state"] == PENDING and (self.retry_at is None or values["next_attempt_at"] < self.retry_at):
            self.retry_at = values["next_attempt_at"]


@dataclasses.dataclass
class Message:
    """One recipient's copy of a claimed reminder, on its way through a channel."""

    reminder_id: int
    channel: Channel
    notification: Notification
    recipient: Recipient
    address: str
    result: SendResult | None = None


@dataclasses.dataclass
class Waiting:
    """A claimed reminder whose messages are out: what its settlement needs besides the delivery rows."""

    reminder: object  # the claimed row: id, attempts, remind_method, next_attempt_at…
    notes: list[str]


@dataclasses.dataclass
class Batch:
    token: str
    held_until: dt.datetime | None = None
    claimed: int = 0
    waiting: dict[int, Waiting] = dataclasses.field(default_factory=dict)
    messages: list[Message] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class DeliveryView:
    """A delivery row as settlement reads and changes it."""

    id: int
    reminder_id: int
    address: str
    recipient_name: str
    state: str
    attempts: int
    detail: str
    sent_time: dt.datetime | None
    idempotency_key: str | None


def is_transient(exc: BaseException) -> bool:
    """A database failure that says nothing about the reminder: a lost connection, a serialization
    failure, a deadlock, a lock timeout, SQLite's "database is locked"."""
    if isinstance(exc, (OperationalError, InterfaceError, DisconnectionError, PendingRollbackError, PoolTimeout)):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def new_token() -> str:
    """A claim token: "<run>:<pid>:<host>", so the rows say which process holds them."""
    return f"{uuid.uuid4().hex}:{os.getpid()}:{socket.gethostname()}"[:64]


def dispatch_due(registry, worker: str | None = None) -> DispatchReport:
    """Extend the schedules' rolling windows, then send every reminder that is due, in this thread."""
    extended = extend_horizons(registry)
    report = drain(registry, worker)
    report.extended = extended
    return report


def drain(registry, worker: str | None = None) -> DispatchReport:
    """Claim and send batches until nothing is due; several runs (threads, processes) share the work."""
    settings = ReminderSettings.of(registry)
    token = (worker or new_token())[:64]
    report = DispatchReport()
    while run_batch(registry, settings, token, report) == settings.batch_size:
        pass
    return report


def run_batch(registry, settings: ReminderSettings, token: str, report: DispatchReport) -> int:
    """Claim, send and record one batch; returns how many reminders it claimed."""
    try:
        batch = claim_batch(registry, settings, token, report)
    except Exception as exc:
        if not is_transient(exc):
            raise
        log.warning("reminders: claiming failed (%s); the next run tries again", exc)
        return 0  # the claim rolled back: nothing is held
    report.claimed += batch.claimed
    if batch.messages:
        with Lease(registry, settings, batch) as lease:
            send_messages(registry, settings, batch.messages, lease)
        record_batch(registry, settings, batch, report)
    return batch.claimed


# --- 1. claim ---------------------------------------------------------------------------------------------------


def claim_batch(registry, settings: ReminderSettings, token: str, report: DispatchReport) -> Batch:
    """Claim up to a batch of due or abandoned reminders, write their deliveries ``sending``, settle those
    that must not be sent; returns the messages to send. One transaction."""
    batch = Batch(token)
    with registry.dbsession_factory.begin() as dbsession:
        now = registry.clock.now()
        claimed = claim_rows(dbsession, settings, token, now)
        if not claimed:
            return batch
        batch.claimed, batch.held_until = len(claimed), now + settings.lease
        schedules = {schedule.id: schedule for schedule in dbsession.scalars(
            select(Schedule).where(Schedule.id.in_({row.schedule_id for row in claimed}))
            .options(selectinload(Schedule.attendees)))}  # recipients_of reads them: one query, not one each
        known = deliveries_by_reminder(dbsession, [row.id for row in claimed])
        inserts, resends, settled, settlements = [], [], [], []
        for reminder in claimed:
            views = known[reminder.id]
            try:
                reason, reachable, notes = plan(registry, settings, reminder, schedules.get(reminder.schedule_id))
            except Exception as exc:
                if is_transient(exc):
                    raise
                log.exception("reminder %s could not be prepared", reminder.id)
                settled.append(reminder)
                settlements.append(settle(settings, now, reminder, views, error=f"{type(exc).__name__}: {exc}"))
                continue
            done = {view.address for view in views if view.state not in (SENDING, RETRY)}
            to_send = [(recipient, address) for recipient, address in reachable if address not in done]
            if reason or not to_send:  # not to be sent, or a takeover finding every recipient recorded
                settled.append(reminder)
                settlements.append(settle(settings, now, reminder, views, reason=reason, notes=notes))
                continue
            batch.waiting[reminder.id] = Waiting(reminder, notes)
            channel = registry.tessera_channels[reminder.remind_method]
            notification = reminder_notification(registry, schedules[reminder.schedule_id], reminder.occurrence_start)
            by_address = {view.address: view for view in views}
            for recipient, address in to_send:
                view = by_address.get(address)
                key = (view and view.idempotency_key) or uuid.uuid4().hex
                if view is None:
                    inserts.append({
                        "reminder_id": reminder.id, "schedule_id": reminder.schedule_id,
                        "occurrence_start": reminder.occurrence_start, "method": reminder.remind_method,
                        "lead_minutes": reminder.lead_minutes, "address": address, "recipient_name": recipient.name[:150], "state": SENDING, "attempts": 1,
                        "detail": "", "claimed_by": token, "update_datetime": now, "idempotency_key": key})
                else:
                    resends.append({"b_id": view.id, "b_key": key})
                batch.messages.append(Message(reminder.id, channel, dataclasses.replace(notification, idempotency_key=key),
                                              recipient, address))
        if inserts:
            dbsession.execute(insert(deliveries), inserts)
        if resends:
            dbsession.execute(update(deliveries).where(deliveries.c.id == bindparam("b_id")).values(
                state=SENDING, claimed_by=token, attempts=deliveries.c.attempts + 1, update_datetime=now,
                idempotency_key=bindparam("b_key")), resends)
        write_settlements(dbsession, token, now, settlements, report)
        publish_outcomes(registry, dbsession, zip(settled, settlements))
    return batch


def claim_rows(dbsession, settings: ReminderSettings, token: str, now: dt.datetime) -> list:
    """Mark up to a batch of abandoned, then due, reminders claimed by ``token``; returns the claimed rows."""
    return claim_due(dbsession, ScheduleReminder, token, now, settings.lease, settings.batch_size, waiting=PENDING,
                     claimed=CLAIMED, returning=(reminders.c.schedule_id, reminders.c.occurrence_start,
                                                 reminders.c.remind_time, reminders.c.remind_method,
                                                 reminders.c.lead_minutes, reminders.c.attempts,
                                                 reminders.c.next_attempt_at))


def deliveries_by_reminder(dbsession, reminder_ids) -> dict[int, list[DeliveryView]]:
    found: dict[int, list[DeliveryView]] = defaultdict(list)
    columns = [deliveries.c[name] for name in (f.name for f in dataclasses.fields(DeliveryView))]
    for row in dbsession.execute(select(*columns).where(deliveries.c.reminder_id.in_(reminder_ids))
                                 .order_by(deliveries.c.id)):
        found[row.reminder_id].append(DeliveryView(*row))
    return found


def plan(registry, settings: ReminderSettings, reminder, schedule: Schedule | None):
    """(reason not to send or None, [(recipient, address)] reachable on the channel, [names without an address])."""
    if schedule is None:
        return "日程已删除", [], []
    channel = registry.tessera_channels.get(reminder.remind_method)
    reason = skip_reason(registry, settings, schedule, reminder, channel)
    if reason:
        return reason, [], []
    reachable, unreachable = reach(schedule, channel)
    reachable, held_back = permitted(registry, schedule, reachable)
    notes = [f"{name}: skipped（没有 {reminder.remind_method} 地址）" for name in unreachable] + held_back
    if not reachable:
        return (HELD_BACK if held_back else f"没有收件人有 {reminder.remind_method} 地址"), [], notes
    return None, reachable, notes


def skip_reason(registry, settings, schedule: Schedule, reminder, channel) -> str | None:
    reason = inactive_reason(schedule)
    if reason:
        return reason
    if not still_wanted(registry, settings, schedule, reminder):
        return "日程的时间或提醒设置已变更，此提醒作废"
    if channel is None:
        return f"提醒方式 {reminder.remind_method} 未在本站启用"
    lateness = registry.clock.now() - reminder.next_attempt_at
    if lateness > settings.grace:
        return f"已过期：应于 {isoformat_local(registry, reminder.next_attempt_at)} 发送，超过宽限期 {_minutes(settings.grace)} 分钟"
    return None


def reach(schedule: Schedule, channel: Channel) -> tuple[list[tuple[Recipient, str]], list[str]]:
    """([(recipient, address)] with one entry per distinct address, [names without an address])."""
    reachable: dict[str, Recipient] = {}
    unreachable: list[str] = []
    for person in recipients_of(schedule):
        address = channel.address_of(person)
        if address is None:
            unreachable.append(person.name)
        else:
            reachable.setdefault(address, person)
    return [(person, address) for address, person in reachable.items()], unreachable


def reminder_notification(registry, schedule: Schedule, occurrence_start: dt.datetime) -> Notification:
    local = occurrence_start.astimezone(registry.site_timezone)
    time_text = local.strftime("%Y-%m-%d") + " 全天" if schedule.is_all_day else local.strftime("%Y-%m-%d %H:%M")
    if schedule.kept_by:
        # the plugin keeping it worded the reminder, and there is no listed schedule to lead to (kept.py)
        subject, text, source = schedule.title, schedule.description, None
    else:
        lines = [f"您的日程「{schedule.title}」将于 {time_text} 开始。"]
        if schedule.location:
            lines.append(f"地点：{schedule.location}")
        if schedule.description:
            lines.append(schedule.description)
        subject, text, source = f"日程提醒: {schedule.title}", "\n".join(lines), "schedule"
    return Notification(
        template=TEMPLATE, subject=subject, text=text, requested_by=schedule.creator_id,
        source=source, source_id=schedule.id if source else None,
        params={"title": schedule.title, "time": time_text, "description": schedule.description or "",
                "location": schedule.location or "", "schedule_id": schedule.id,
                "start_time": isoformat_local(registry, occurrence_start)})


# --- 2. send ----------------------------------------------------------------------------------------------------


class Lease:
    """A batch's claim while its messages are out: a heartbeat renews it every third of the lease.

    ``holds(reminder_id)`` is False once another worker took the reminder over, or once the claim
    may lapse before a send ends (the last renewal is more than a third of a lease old: the
    database is unreachable, or this process was paused).
    """

    def __init__(self, registry, settings: ReminderSettings, batch: Batch):
        self.registry, self.settings, self.token = registry, settings, batch.token
        self.reminder_ids = set(batch.waiting)
        self.held_until = batch.held_until
        self.lost: set[int] = set()
        self._stop = threading.Event()
        self._heartbeat = threading.Thread(target=self._beat, name="reminder-lease", daemon=True)

    def holds(self, reminder_id: int) -> bool:
        return (reminder_id not in self.lost
                and self.registry.clock.now() < self.held_until - self.settings.lease / 3)

    def __enter__(self) -> "Lease":
        self._heartbeat.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._heartbeat.join()

    def _beat(self) -> None:
        while not self._stop.wait(self.settings.lease.total_seconds() / 3):
            self.renew()

    def renew(self) -> None:
        try:
            with self.registry.dbsession_factory.begin() as dbsession:
                now = self.registry.clock.now()
                held = set(dbsession.scalars(
                    update(reminders).where(reminders.c.id.in_(self.reminder_ids), reminders.c.claimed_by == self.token,
                                            reminders.c.state == CLAIMED)
                    .values(claimed_until=now + self.settings.lease).returning(reminders.c.id)))
        except Exception:
            log.warning("reminders: the claim of a batch could not be renewed", exc_info=True)
            return
        self.lost |= self.reminder_ids - held
        self.held_until = now + self.settings.lease


_pools_lock = threading.Lock()


def pool_for(registry, settings: ReminderSettings, channel: Channel) -> concurrent.futures.ThreadPoolExecutor | None:
    """The worker process's bounded pool for ``channel``; None to send inline (concurrency 1)."""
    width = settings.concurrency.get(channel.name) or getattr(channel, "concurrency", DEFAULT_CONCURRENCY)
    if width <= 1:
        return None
    with _pools_lock:
        pools = registry.__dict__.setdefault("schedule_reminder_send_pools", {})
        if channel.name not in pools:
            pools[channel.name] = concurrent.futures.ThreadPoolExecutor(width, thread_name_prefix=f"send-{channel.name}")
        return pools[channel.name]


def send_messages(registry, settings: ReminderSettings, messages: list[Message], lease: Lease) -> None:
    """Send every message, each channel's together, and set each ``result``."""
    by_channel: dict[str, list[Message]] = defaultdict(list)
    for message in messages:
        by_channel[message.channel.name].append(message)
    futures, inline = [], []
    for group in by_channel.values():
        channel = group[0].channel
        pool = None if hasattr(channel, "send_many") else pool_for(registry, settings, channel)
        if pool is None:
            inline.append(group)
        else:
            futures += [pool.submit(send_one, message, lease) for message in group]
    for group in inline:
        if hasattr(group[0].channel, "send_many"):
            send_together(group, lease)
        else:
            for message in group:
                send_one(message, lease)
    for future in futures:
        future.result()  # re-raises what killed a send (the tests' stand-in for a dying process)


def send_one(message: Message, lease: Lease) -> None:
    if not lease.holds(message.reminder_id):
        message.result = SendResult.retry_later("未发送：认领已失效")
        return
    try:
        message.result = message.channel.send(message.notification, message.recipient, message.address)
    except Exception as exc:  # against the channel's contract: count it as a transient failure
        log.exception("channel %s raised while sending to %s", message.channel.name, message.recipient.name)
        message.result = SendResult.retry_later(f"{type(exc).__name__}: {exc}"[:300])


def send_together(group: list[Message], lease: Lease) -> None:
    """Through the channel's ``send_many``: one call for the batch's messages to this channel."""
    for message in group:
        if not lease.holds(message.reminder_id):
            message.result = SendResult.retry_later("未发送：认领已失效")
    ready = [message for message in group if message.result is None]
    if not ready:
        return
    channel = ready[0].channel
    try:
        results = channel.send_many([(m.notification, m.recipient, m.address) for m in ready])
        if len(results) != len(ready):
            raise ValueError(f"send_many answered {len(results)} results for {len(ready)} messages")
    except Exception as exc:
        log.exception("channel %s raised while sending a batch", channel.name)
        results = [SendResult.retry_later(f"{type(exc).__name__}: {exc}"[:300])] * len(ready)
    for message, result in zip(ready, results):
        message.result = result


# --- 3. record --------------------------------------------------------------------------------------------------


def record_batch(registry, settings: ReminderSettings, batch: Batch, report: DispatchReport) -> None:
    """Write every outcome and settle the batch's reminders in one transaction, retried while the database fails."""
    for attempt in range(1, RECORD_TRIES + 1):
        run = DispatchReport()
        try:
            with registry.dbsession_factory.begin() as dbsession:
                now = registry.clock.now()
                dbsession.execute(
                    update(deliveries).where(deliveries.c.reminder_id == bindparam("b_reminder"),
                                             deliveries.c.address == bindparam("b_address"),
                                             deliveries.c.claimed_by == batch.token, deliveries.c.state == SENDING)
                    .values(state=bindparam("b_state"), detail=bindparam("b_detail"), update_datetime=now,
                            sent_time=bindparam("b_sent_time")),
                    [{"b_reminder": m.reminder_id, "b_address": m.address, "b_state": state_of(m.result),
                      "b_detail": m.result.detail[:500], "b_sent_time": now if m.result.ok else None}
                     for m in batch.messages])
                owned = set(dbsession.scalars(
                    select(reminders.c.id).where(reminders.c.id.in_(batch.waiting), reminders.c.claimed_by == batch.token,
                                                 reminders.c.state == CLAIMED).with_for_update()))
                views = deliveries_by_reminder(dbsession, owned)
                delays = retry_delays(batch.messages)
                reminders_owned = [batch.waiting[rid].reminder for rid in owned]
                settlements = [settle(settings, now, reminder, views[reminder.id],
                                      notes=batch.waiting[reminder.id].notes,
                                      retry_after=delays.get(reminder.id))
                               for reminder in reminders_owned]
                write_settlements(dbsession, batch.token, now, settlements, run)
                publish_outcomes(registry, dbsession, zip(reminders_owned, settlements))
        except Exception as exc:
            if not is_transient(exc) or attempt == RECORD_TRIES:
                log.exception("reminders: the outcomes of a batch of %d could not be recorded; its claims lapse "
                              "and another worker re-sends what is still 'sending'", len(batch.waiting))
                return
            log.warning("reminders: recording a batch failed (%s); try %d of %d", exc, attempt + 1, RECORD_TRIES)
            time.sleep(RECORD_PAUSE_SECONDS * 2 ** (attempt - 1))
            continue
        for field in ("sent", "failed", "skipped", "retrying"):
            setattr(report, field, getattr(report, field) + getattr(run, field))
        if run.retry_at and (report.retry_at is None or run.retry_at < report.retry_at):
            report.retry_at = run.retry_at
        report.lost += len(batch.waiting) - len(owned)
        return


def state_of(result: SendResult) -> str:
    return SENT if result.ok else SKIPPED if result.skipped else RETRY if result.transient else FAILED


def retry_delays(messages: list[Message]) -> dict[int, float]:
    """Per reminder, the longest wait a provider asked for (``SendResult.retry_after``)."""
    delays: dict[int, float] = {}
    for message in messages:
        if message.result.retry_after is not None:
            delays[message.reminder_id] = max(delays.get(message.reminder_id, 0.0), message.result.retry_after)
    return delays


def settle(settings: ReminderSettings, now: dt.datetime, reminder, views: list[DeliveryView], *, reason: str | None = None,
           error: str | None = None, notes=(), retry_after: float | None = None):
    """The reminder after a pass: (report field, its new column values, the deliveries changed).

    ``reason``: it must not be sent (final, no attempt counted). ``error``: preparing it raised;
    that counts as an attempt, and only repeated errors end ``failed``. Otherwise its recipients'
    deliveries decide: any still waiting sends it back to ``pending`` after a back-off (the
    provider's ``retry_after`` when it gave one) while attempts remain. A reminder that reached
    someone is ``sent``, whatever happened to the others.
    """
    waiting = [view for view in views if view.state in (SENDING, RETRY)]
    attempt = reminder.attempts + (0 if reason else 1)
    values = {"b_id": reminder.id, "attempts": attempt, "next_attempt_at": reminder.next_attempt_at,
              "is_sent": False, "sent_time": None}
    if reason is None and (waiting or error) and attempt < settings.max_attempts:
        delay = (dt.timedelta(seconds=retry_after) if retry_after is not None
                 else settings.retry_delay * 2 ** (attempt - 1))
        plan_text = f"{_minutes(delay)} 分钟后重试"
        headline = (f"第 {attempt} 次尝试出错：{error}，{plan_text}" if error
                    else f"第 {attempt} 次尝试未全部送达，{plan_text}")
        values.update(state=PENDING, next_attempt_at=now + delay, send_result=describe(headline, views, notes))
        return "retrying", values, []
    for view in waiting:
        view.state = SKIPPED if reason else FAILED
        view.detail = reason if reason else f"{view.detail}；{attempt} 次尝试后放弃"
    states = {view.state for view in views}
    state = SENT if SENT in states else FAILED if (FAILED in states or error) else SKIPPED
    headline = reason or (f"内部错误：{error}（{attempt} 次尝试后放弃）" if error else None)
    values.update(state=state, is_sent=state == SENT,
                  sent_time=max((view.sent_time for view in views if view.sent_time), default=None),
                  send_result=describe(headline, views, notes))
    return state, values, waiting


def write_settlements(dbsession, token: str, now: dt.datetime, settlements: list, report: DispatchReport) -> None:
    """Write settled reminders (still claimed by ``token``) and their changed deliveries, a statement each."""
    if not settlements:
        return
    dbsession.execute(
        update(reminders).where(reminders.c.id == bindparam("b_id"), reminders.c.claimed_by == token,
                                reminders.c.state == CLAIMED)
        .values(claimed_by=None, claimed_until=None), [values for _, values, _ in settlements])
    changed = [{"b_id": view.id, "b_state": view.state, "b_detail": view.detail[:500]}
               for _, _, views in settlements for view in views]
    if changed:
        dbsession.execute(update(deliveries).where(deliveries.c.id == bindparam("b_id")).values(
            state=bindparam("b_state"), detail=bindparam("b_detail"), update_datetime=now), changed)
    for outcome, values, _ in settlements:
        report.settled(outcome, values)


def publish_outcomes(registry, dbsession, settled) -> None:
    """``reminder.sent`` / ``reminder.failed`` for each reminder that reached either, in the transaction recording it."""
    for reminder, (_outcome, values, _changed) in settled:
        if values["state"] in (SENT, FAILED):
            publish_event(registry, dbsession, f"reminder.{values['state']}", {
                "reminder_id": reminder.id, "schedule_id": reminder.schedule_id,
                "occurrence_start": isoformat_local(registry, reminder.occurrence_start),
                "remind_method": reminder.remind_method, "send_result": values["send_result"]})


def describe(headline: str | None, views: list[DeliveryView], notes) -> str:
    """``send_result``: a headline, then one line per recipient saying what happened."""
    lines = [headline] if headline else []
    lines += [f"{d.recipient_name} <{d.address}>: {d.state}（{d.detail}，尝试 {d.attempts} 次）" for d in views]
    lines += notes
    return "\n".join(lines)


def _minutes(delta: dt.timedelta) -> str:
    return f"{delta.total_seconds() / 60:g}"
