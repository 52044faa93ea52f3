"""The reminder engine: reminder rows kept in step with schedules, and their exactly-once delivery.

The schedule plugin calls ``sync_reminders`` after every write of a schedule and shows
``reminders_json`` in its detail view; Huey tasks tick once a minute per site and send the
due reminders in batches (``tasks``, ``dispatch``). See docs/reminders.md.
"""
from __future__ import annotations

from sqlalchemy import select

from core.toolkit import isoformat_local
from plugins.schedule.reminders.materialise import sync_reminders
from plugins.schedule.reminders.models import ScheduleReminder
from plugins.schedule.reminders.tasks import DISPATCH_TASK, TICK_TASK, dispatch, tick
from plugins.schedule.reminders.views import upcoming

__all__ = ["includeme", "reminders_json", "sync_reminders"]


def includeme(config) -> None:
    config.add_periodic_task(tick, name=TICK_TASK, minute="*")
    config.add_task(dispatch, name=DISPATCH_TASK)
    config.add_cornice_service(upcoming)


def reminders_json(dbsession, registry, schedule) -> list[dict]:
    """The schedule's reminder rows, sent history included, in reminding order."""
    rows = dbsession.scalars(select(ScheduleReminder).where(ScheduleReminder.schedule_id == schedule.id)
                             .order_by(ScheduleReminder.remind_time, ScheduleReminder.id))
    return [{"id": row.id, "remind_time": isoformat_local(registry, row.remind_time),
             "remind_method": row.remind_method, "is_sent": row.is_sent,
             "sent_time": isoformat_local(registry, row.sent_time), "send_result": row.send_result}
            for row in rows]
