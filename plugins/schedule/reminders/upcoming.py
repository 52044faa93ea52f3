"""What the caller will be reminded of in the next hours (endpoint 13, ``upcoming_reminders``)."""
from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.toolkit import User, isoformat_local
from plugins.schedule.models import ACTIVE_STATUSES, LISTED, Schedule
from plugins.schedule.reminders.models import CLAIMED, PENDING, ScheduleReminder
from plugins.schedule.reminders.settings import ReminderSettings
from plugins.schedule.visibility import own_calendar


def time_until(delta: dt.timedelta) -> str:
    """Two units at most: ``2天3小时``, ``1天45分钟``, ``7小时30分钟``, ``45分钟``; ``即将提醒`` once due."""
    minutes = math.ceil(delta.total_seconds() / 60)
    if minutes <= 0:
        return "即将提醒"
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    units = [(days, "天"), (hours, "小时"), (minutes, "分钟")]
    while not units[0][0]:
        units.pop(0)
    shown = [units[0]] + [unit for unit in units[1:] if unit[0]][:1]  # the largest unit and the next one that is not 0
    return "".join(f"{number}{name}" for number, name in shown)


def upcoming_for(dbsession: Session, registry, user: User, hours: int) -> list[dict]:
    """The user's own reminders (of their schedules and those they attend, not declined) due within ``hours``,
    one item per occurrence and lead, soonest first (one query)."""
    now = registry.clock.now()
    grace = ReminderSettings.of(registry).grace
    rows = dbsession.execute(
        select(ScheduleReminder, Schedule.title).join(Schedule, Schedule.id == ScheduleReminder.schedule_id)
        .where(own_calendar(user.id), *LISTED,
               Schedule.status.in_(ACTIVE_STATUSES), Schedule.reminder_enabled.is_(True),
               ScheduleReminder.state.in_((PENDING, CLAIMED)),
               ScheduleReminder.remind_method.in_(list(registry.tessera_channels)),
               # what the dispatcher would skip as stale is not "upcoming"
               ScheduleReminder.next_attempt_at >= now - grace,
               ScheduleReminder.next_attempt_at < now + dt.timedelta(hours=hours))
        .order_by(ScheduleReminder.next_attempt_at, ScheduleReminder.schedule_id, ScheduleReminder.occurrence_start))
    items, seen = [], set()
    for reminder, title in rows:
        occurrence = (reminder.schedule_id, reminder.occurrence_start, reminder.lead_minutes)
        if occurrence in seen:  # one item per occurrence and lead, whatever the number of methods
            continue
        seen.add(occurrence)
        items.append({
            "schedule_id": reminder.schedule_id, "schedule_title": title,
            "start_time": isoformat_local(registry, reminder.occurrence_start),
            "remind_time": isoformat_local(registry, reminder.remind_time),
            "time_until_remind": time_until(reminder.next_attempt_at - now),
        })
    return items
