"""Sending due reminders: claim a batch, send to each recipient, record each outcome.

Every step is its own short transaction, so what a worker did survives it being killed:

1. **claim** — one indexed query finds due ``pending`` rows (and ``claimed`` rows whose lease ran
   out: their worker died); a conditional UPDATE marks them ``claimed`` by this run's token
   until now + lease. ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite.
2. **begin** — per recipient: renew the lease (fails if another worker took the claim over) and
   write the delivery row as ``sending`` under its UNIQUE (schedule, occurrence, method, address).
3. **send** through the channel, outside any transaction.
4. **record** the outcome on the delivery row: ``sent``, ``failed`` or ``retry``.
5. **finish** — the reminder becomes ``sent`` / ``failed`` / ``skipped``, or ``pending`` again
   with an exponential back-off when a recipient failed transiently and attempts remain.

A takeover re-sends to recipients whose delivery is still ``sending``: the old worker died
between writing that row and recording the provider's answer. That is the one case where a
recipient may get a message twice (if the provider had accepted it); we prefer that to a
court date nobody was reminded of. The window is a single message per killed worker.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import socket
import uuid

from sqlalchemy import select, update

from core.toolkit import Channel, Notification, Recipient, SendResult, isoformat_local, transaction_scope
from plugins.schedule.models import Schedule
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


@dataclasses.dataclass
class DispatchReport:
    """What one run did. ``lost`` counts reminders another worker took over mid-way."""

    extended: int = 0
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    retrying: int = 0
    lost: int = 0


def dispatch_due(registry, worker: str | None = None) -> DispatchReport:
    """Extend the schedules' rolling windows, then send every reminder that is due, batch by batch."""
    settings = ReminderSettings.of(registry)
    token = (worker or f"{uuid.uuid4().hex}:{os.getpid()}:{socket.gethostname()}")[:64]
    report = DispatchReport(extended=extend_horizons(registry))
    while True:
        claimed = claim_batch(registry, settings, token)
        report.claimed += len(claimed)
        for reminder_id in claimed:
            try:
                outcome = deliver(registry, settings, token, reminder_id)
            except Exception as exc:  # a bug or bad data in one reminder must not hold up the others
                log.exception("reminder %s could not be delivered", reminder_id)
                outcome = give_up(registry, token, reminder_id, exc)
            setattr(report, outcome, getattr(report, outcome) + 1)
        if len(claimed) < settings.batch_size:
            return report


def claim_batch(registry, settings: ReminderSettings, token: str) -> list[int]:
    """Claim up to a batch of due or abandoned reminders for ``token``; returns their ids."""
    with transaction_scope(registry) as dbsession:
        now = registry.clock.now()
        due = (ScheduleReminder.state == PENDING) & (ScheduleReminder.next_attempt_at <= now)
        abandoned = (ScheduleReminder.state == CLAIMED) & (ScheduleReminder.claimed_until < now)
        ids: list[int] = []
        for condition in (abandoned, due):
            room = settings.batch_size - len(ids)
            if room:
                ids += dbsession.scalars(
                    select(ScheduleReminder.id).where(condition).order_by(ScheduleReminder.next_attempt_at)
                    .limit(room).with_for_update(skip_locked=True)).all()
        if not ids:
            return []
        dbsession.execute(
            update(ScheduleReminder).where(ScheduleReminder.id.in_(ids), due | abandoned)
            .values(state=CLAIMED, claimed_by=token, claimed_until=now + settings.lease)
            .execution_options(synchronize_session=False))
        return list(dbsession.scalars(
            select(ScheduleReminder.id).where(ScheduleReminder.id.in_(ids), ScheduleReminder.claimed_by == token)
            .order_by(ScheduleReminder.next_attempt_at, ScheduleReminder.id)))


def deliver(registry, settings: ReminderSettings, token: str, reminder_id: int) -> str:
    """Send one claimed reminder to whoever has not got it yet; returns the outcome's report field."""
    with transaction_scope(registry) as dbsession:
        reminder = dbsession.get(ScheduleReminder, reminder_id)
        if reminder is None or reminder.claimed_by != token:  # None: its schedule was removed for good
            return "lost"
        schedule = dbsession.get(Schedule, reminder.schedule_id)
        channel = registry.tessera_channels.get(reminder.remind_method)
        reason = skip_reason(registry, settings, schedule, reminder, channel)
        reachable, unreachable = ([], []) if reason else reach(schedule, channel)
        if reason is None and not reachable:
            reason = f"没有收件人有 {reminder.remind_method} 地址"
        done = set(dbsession.scalars(select(ReminderDelivery.address).where(
            ReminderDelivery.reminder_id == reminder_id, ReminderDelivery.state.not_in((SENDING, RETRY)))))
        notification = reminder_notification(registry, schedule, reminder.occurrence_start)
    if reason is None:
        for recipient, address in reachable:
            if address not in done and begin_delivery(registry, settings, token, reminder, recipient, address):
                record_delivery(registry, token, reminder_id, address, send_safely(channel, notification, recipient, address))
    return finish(registry, settings, token, reminder_id, reason, unreachable)


def skip_reason(registry, settings, schedule: Schedule, reminder: ScheduleReminder, channel) -> str | None:
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
    lines = [f"您的日程「{schedule.title}」将于 {time_text} 开始。"]
    if schedule.location:
        lines.append(f"地点：{schedule.location}")
    if schedule.description:
        lines.append(schedule.description)
    return Notification(
        template=TEMPLATE, subject=f"日程提醒: {schedule.title}", text="\n".join(lines),
        params={"title": schedule.title, "time": time_text, "description": schedule.description or "",
                "location": schedule.location or "", "schedule_id": schedule.id,
                "start_time": isoformat_local(registry, occurrence_start)})


def begin_delivery(registry, settings, token: str, reminder: ScheduleReminder, recipient: Recipient, address: str) -> bool:
    """Renew the claim and write the delivery as ``sending``; False when the claim was taken over."""
    with transaction_scope(registry) as dbsession:
        now = registry.clock.now()
        renewed = dbsession.execute(
            update(ScheduleReminder)
            .where(ScheduleReminder.id == reminder.id, ScheduleReminder.claimed_by == token,
                   ScheduleReminder.state == CLAIMED)
            .values(claimed_until=now + settings.lease).execution_options(synchronize_session=False)).rowcount
        if not renewed:
            return False
        delivery = dbsession.scalar(select(ReminderDelivery).where(
            ReminderDelivery.reminder_id == reminder.id, ReminderDelivery.address == address))
        if delivery is None:
            delivery = ReminderDelivery(
                reminder_id=reminder.id, schedule_id=reminder.schedule_id, occurrence_start=reminder.occurrence_start,
                method=reminder.remind_method, address=address, recipient_name=recipient.name[:150], attempts=0)
            dbsession.add(delivery)
        delivery.state, delivery.claimed_by, delivery.update_datetime = SENDING, token, now
        delivery.attempts += 1
        return True


def send_safely(channel: Channel, notification: Notification, recipient: Recipient, address: str) -> SendResult:
    """The channel's answer; a channel that raises (against its contract) counts as a transient failure."""
    try:
        return channel.send(notification, recipient, address)
    except Exception as exc:
        log.exception("channel %s raised while sending to %s", channel.name, recipient.name)
        return SendResult.retry_later(f"{type(exc).__name__}: {exc}"[:300])


def record_delivery(registry, token: str, reminder_id: int, address: str, result: SendResult) -> None:
    with transaction_scope(registry) as dbsession:
        now = registry.clock.now()
        state = SENT if result.ok else RETRY if result.transient else FAILED
        dbsession.execute(
            update(ReminderDelivery)
            .where(ReminderDelivery.reminder_id == reminder_id, ReminderDelivery.address == address,
                   ReminderDelivery.claimed_by == token, ReminderDelivery.state == SENDING)
            .values(state=state, detail=result.detail[:500], sent_time=now if result.ok else None, update_datetime=now)
            .execution_options(synchronize_session=False))


def finish(registry, settings, token: str, reminder_id: int, reason: str | None, unreachable: list[str]) -> str:
    """Settle the reminder after a pass: final state, or back to pending for a retry."""
    with transaction_scope(registry) as dbsession:
        reminder = dbsession.scalar(select(ScheduleReminder).where(ScheduleReminder.id == reminder_id).with_for_update())
        if reminder is None or reminder.claimed_by != token or reminder.state != CLAIMED:
            return "lost"
        now = registry.clock.now()
        deliveries = dbsession.scalars(select(ReminderDelivery).where(ReminderDelivery.reminder_id == reminder_id)
                                       .order_by(ReminderDelivery.id)).all()
        waiting = [d for d in deliveries if d.state in (SENDING, RETRY)]
        attempt = reminder.attempts + (0 if reason else 1)
        reminder.claimed_by, reminder.claimed_until, reminder.attempts = None, None, attempt
        if reason is None and waiting and attempt < settings.max_attempts:
            delay = settings.retry_delay * 2 ** (attempt - 1)
            reminder.state, reminder.next_attempt_at = PENDING, now + delay
            reminder.send_result = describe(f"第 {attempt} 次尝试未全部送达，{_minutes(delay)} 分钟后重试",
                                            deliveries, unreachable, reminder.remind_method)
            return "retrying"
        for delivery in waiting:
            delivery.state, delivery.update_datetime = (SKIPPED, now) if reason else (FAILED, now)
            delivery.detail = reason if reason else f"{delivery.detail}；{attempt} 次尝试后放弃"
        states = {d.state for d in deliveries}
        reminder.state = SENT if SENT in states else FAILED if FAILED in states else SKIPPED
        reminder.is_sent = reminder.state == SENT
        reminder.sent_time = max((d.sent_time for d in deliveries if d.sent_time), default=None)
        reminder.send_result = describe(reason, deliveries, unreachable, reminder.remind_method)
        return reminder.state


def give_up(registry, token: str, reminder_id: int, exc: Exception) -> str:
    """Settle a reminder that raised an unexpected error as ``failed``, saying which error."""
    with transaction_scope(registry) as dbsession:
        reminder = dbsession.get(ScheduleReminder, reminder_id)
        if reminder is None or reminder.claimed_by != token or reminder.state != CLAIMED:
            return "lost"
        reminder.state, reminder.claimed_by, reminder.claimed_until = FAILED, None, None
        reminder.send_result = f"内部错误：{type(exc).__name__}: {exc}"[:500]
        return FAILED


def describe(headline: str | None, deliveries, unreachable: list[str], method: str) -> str:
    """``send_result``: a headline, then one line per recipient saying what happened."""
    lines = [headline] if headline else []
    lines += [f"{d.recipient_name} <{d.address}>: {d.state}（{d.detail}，尝试 {d.attempts} 次）" for d in deliveries]
    lines += [f"{name}: skipped（没有 {method} 地址）" for name in unreachable]
    return "\n".join(lines)


def _minutes(delta: dt.timedelta) -> str:
    return f"{delta.total_seconds() / 60:g}"
