"""``GET /api/customer/schedules/upcoming_reminders/``: the caller's reminders due in the next hours."""
from __future__ import annotations

import datetime as dt
import math

import colander
from sqlalchemy import select

from core.api import api_service, colander_validator, ok
from core.auth import current_user
from core.timefmt import isoformat_local
from plugins.schedule.models import Schedule
from plugins.schedule.reminders.models import CLAIMED, PENDING, ScheduleReminder
from plugins.schedule.reminders.settings import ReminderSettings

upcoming = api_service(
    name="schedule.upcoming_reminders", path="/api/customer/schedules/upcoming_reminders/",
    description="The caller's own reminders due within the next `hours` (admins too see only their own).")


class UpcomingQuery(colander.MappingSchema):
    querystring = colander.SchemaNode(
        colander.Mapping(),
        colander.SchemaNode(colander.Integer(), name="hours", missing=24, validator=colander.Range(min=1, max=720),
                            description="未来多少小时内的提醒，默认24，1–720"))


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


@upcoming.get(schema=UpcomingQuery(), validators=(colander_validator,), permission="authenticated")
def upcoming_reminders(request):
    registry = request.registry
    now = registry.clock.now()
    hours = request.validated["querystring"]["hours"]
    grace = ReminderSettings.of(registry).grace
    rows = request.dbsession.execute(
        select(ScheduleReminder, Schedule.title).join(Schedule, Schedule.id == ScheduleReminder.schedule_id)
        .where(Schedule.creator_id == current_user(request).id, Schedule.is_deleted.is_(False),
               Schedule.status.not_in(("cancelled", "completed")), Schedule.reminder_enabled.is_(True),
               ScheduleReminder.state.in_((PENDING, CLAIMED)),
               ScheduleReminder.remind_method.in_(list(registry.tessera_channels)),
               # what the dispatcher would skip as stale is not "upcoming"
               ScheduleReminder.next_attempt_at >= now - grace,
               ScheduleReminder.next_attempt_at < now + dt.timedelta(hours=hours))
        .order_by(ScheduleReminder.next_attempt_at, ScheduleReminder.schedule_id, ScheduleReminder.occurrence_start))
    items, seen = [], set()
    for reminder, title in rows:
        occurrence = (reminder.schedule_id, reminder.occurrence_start)
        if occurrence in seen:  # one item per occurrence, whatever the number of methods
            continue
        seen.add(occurrence)
        items.append({
            "schedule_id": reminder.schedule_id, "schedule_title": title,
            "start_time": isoformat_local(registry, reminder.occurrence_start),
            "remind_time": isoformat_local(registry, reminder.remind_time),
            "time_until_remind": time_until(reminder.next_attempt_at - now),
        })
    return ok(request, {"count": len(items), "reminders": items}, "获取成功")
