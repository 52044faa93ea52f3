"""The schedule plugin's share of ``tessera demo-data``: one-offs and series for every user, with reminders.

Schedules are spread a year either side of now; one in twenty is a series
(daily, weekly on working days, monthly; endless, counted or with an end date).
Reminder rows are not written here: every schedule that should remind gets a
horizon at "now", and the reminder engine's next tick writes the rows of the
coming window exactly as it does for schedules made through the API.
"""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from sqlalchemy import insert, literal, or_, select

from core.toolkit import User

from .models import ACTIVE_STATUSES, PRIORITIES, SCHEDULE_TYPES, STATUSES, Schedule
from .recurrence import series_end
from .reminders.models import ReminderHorizon

CHUNK = 5000
TITLES = ("客户拜访", "项目例会", "开庭", "合同审查", "设备巡检", "培训", "电话回访", "提交材料")
PLACES = ("上海市浦东新区", "北京市朝阳区", "广州市天河区", "会议室A", "线上会议", "")
RULES = (
    {"frequency": "daily"},
    {"frequency": "weekly", "by_weekday": [1, 2, 3, 4, 5]},
    {"frequency": "weekly", "interval": 2, "count": 26},
    {"frequency": "monthly", "by_monthday": [1, -1]},
    {"frequency": "daily", "interval": 3, "end_date": None},  # end_date filled per series
)


def schedule_rows(registry, rng, owners: list[int], total: int, now: dt.datetime):
    """``total`` schedule rows, owners in turn, drawn from ``rng`` in a fixed order."""
    tz = registry.site_timezone
    midnight = dt.datetime.combine(now.astimezone(tz).date(), dt.time(0), tzinfo=tz)  # the same seed, the same day: the same site
    for number in range(total):
        start = (midnight + dt.timedelta(minutes=30 * rng.randint(-17520, 17520))).astimezone(dt.timezone.utc)
        end = start + dt.timedelta(minutes=30 * rng.randint(1, 6)) if rng.random() < 0.9 else None
        rule = None
        if rng.random() < 0.05:
            rule = dict(rng.choice(RULES))
            if "end_date" in rule:
                rule["end_date"] = (start + dt.timedelta(days=rng.randint(30, 400))).astimezone(tz).date().isoformat()
        shape = SimpleNamespace(start_time=start, end_time=end, recurrence_rule=rule)
        yield {
            "title": f"{rng.choice(TITLES)} {number}", "description": "演示数据", "schedule_type": rng.choice(SCHEDULE_TYPES),
            "start_time": start, "end_time": end, "series_end": series_end(shape, tz),
            "location": rng.choice(PLACES), "participants": [], "status": rng.choice(STATUSES),
            "priority": rng.choice(PRIORITIES), "is_all_day": False, "reminder_enabled": rng.random() < 0.7,
            "reminder_time": rng.choice((15, 30, 60)), "reminder_method": "system", "related_type": None,
            "related_id": None, "recurrence_rule": rule, "attachments": [], "remark": "", "sequence": 0,
            "create_datetime": midnight, "update_datetime": midnight, "creator_id": owners[number % len(owners)],
            "modifier_id": None, "is_deleted": rng.random() < 0.02,
        }


#: schedules on a demo site unless ``tessera demo-data --size schedules=N`` says otherwise
DEMO_SCHEDULES = 100_000


def add_demo_schedules(registry, dbsession, rng, scale, progress) -> None:
    owners = list(dbsession.scalars(select(User.id).order_by(User.id)))
    schedule_count = scale.size("schedules", DEMO_SCHEDULES)
    if not owners or not schedule_count:
        return
    now = registry.clock.now()
    chunk: list[dict] = []
    for done, row in enumerate(schedule_rows(registry, rng, owners, schedule_count, now), start=1):
        chunk.append(row)
        if len(chunk) == CHUNK or done == schedule_count:
            dbsession.execute(insert(Schedule), chunk)
            chunk = []
            progress("schedules", done, schedule_count)
    # every schedule that will still remind gets a horizon at now: the engine's next tick writes its rows
    dbsession.execute(insert(ReminderHorizon).from_select(
        ["schedule_id", "reminders_until"],
        select(Schedule.id, literal(now, ReminderHorizon.reminders_until.type)).where(
            Schedule.reminder_enabled.is_(True), Schedule.is_deleted.is_(False), Schedule.status.in_(ACTIVE_STATUSES),
            or_(Schedule.series_end.is_(None), Schedule.series_end >= now))))
    progress("reminder horizons", 1, 1)
