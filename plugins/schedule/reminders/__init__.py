"""The reminder engine: reminder rows kept in step with schedules, and their exactly-once delivery.

The schedule plugin calls ``sync_reminders`` after every write of a schedule and shows
``reminders_json`` in its detail view; a Huey task claims and sends the due reminders
every minute (``dispatch.dispatch_due``). See docs/reminders.md.
"""
from __future__ import annotations

import logging

from sqlalchemy import select

from core.toolkit import isoformat_local
from plugins.schedule.reminders.dispatch import dispatch_due
from plugins.schedule.reminders.materialise import sync_reminders
from plugins.schedule.reminders.models import ScheduleReminder
from plugins.schedule.reminders.views import upcoming

__all__ = ["includeme", "reminders_json", "sync_reminders"]

log = logging.getLogger(__name__)


def includeme(config) -> None:
    config.add_periodic_task(tick, name="schedule.reminders.tick", minute="*")
    config.add_cornice_service(upcoming)


def tick(registry) -> None:
    """Every minute: extend rolling windows, send what fell due (including what a pause left behind)."""
    report = dispatch_due(registry)
    if report.claimed or report.extended:
        log.info("reminders: %s", report)


def reminders_json(dbsession, registry, schedule) -> list[dict]:
    """The schedule's reminder rows, sent history included, in reminding order."""
    rows = dbsession.scalars(select(ScheduleReminder).where(ScheduleReminder.schedule_id == schedule.id)
                             .order_by(ScheduleReminder.remind_time, ScheduleReminder.id))
    return [{"id": row.id, "remind_time": isoformat_local(registry, row.remind_time),
             "remind_method": row.remind_method, "is_sent": row.is_sent,
             "sent_time": isoformat_local(registry, row.sent_time), "send_result": row.send_result}
            for row in rows]
