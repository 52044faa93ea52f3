"""Change notices: when a schedule with attendees is moved, cancelled or deleted, they are told once.

The notice goes out after the change commits (a rolled-back change tells nobody), from a
background task, in each attendee's inbox and on the schedule's other reminder channels at
their own addresses. Who made the change is not told; the owner is, when a delegate made it.
Attendees who declined are not told. One change is one notice per person and channel: its
idempotency key is the schedule's id and ``sequence`` (which every write bumps).
"""
from __future__ import annotations

import datetime as dt
import logging

from core.toolkit import Notification, current_user, enqueue_after_commit, send_to_users

from .models import Schedule
from .sharing_models import DECLINED
from .writes import TIME_FIELDS

log = logging.getLogger(__name__)

TEMPLATE = "schedule_change"
TASK_NAME = "schedule.send_change_notices"
MOVED, CANCELLED, DELETED = "moved", "cancelled", "deleted"
_VERBS = {MOVED: "时间已变更", CANCELLED: "已取消", DELETED: "已删除"}


def snapshot(schedule: Schedule) -> dict:
    """What a change notice compares: the time fields and the status, before a write."""
    return {name: getattr(schedule, name) for name in (*TIME_FIELDS, "status")}


def occurrence_snapshot(series_before: dict, occurrence: dt.datetime, part: Schedule) -> dict:
    """What attendees knew of one occurrence (or the first of a part) now held by ``part``."""
    duration = (series_before["end_time"] - series_before["start_time"]) if series_before["end_time"] else None
    return {**series_before, "start_time": occurrence, "end_time": duration and occurrence + duration,
            "recurrence_rule": part.recurrence_rule}


def change_of(before: dict, schedule: Schedule) -> str | None:
    """``deleted``, ``cancelled`` or ``moved`` when the write did that, else None."""
    if schedule.is_deleted:
        return DELETED
    if schedule.status == "cancelled" and before["status"] != "cancelled":
        return CANCELLED
    if any(before[name] != getattr(schedule, name) for name in TIME_FIELDS if name in before):
        return MOVED
    return None


def announce(request, schedule: Schedule, change: str | None, was: dt.datetime | None = None) -> None:
    """Queue the notice of ``change`` (if any) to the schedule's people, to go out after commit.
    ``was`` is the start the attendees knew (for a moved schedule or a single occurrence)."""
    if change is None:
        return
    actor = current_user(request).id
    people = [attendee.user_id for attendee in schedule.attendees if attendee.response != DECLINED]
    wanted = [user_id for user_id in dict.fromkeys([schedule.creator_id, *people]) if user_id != actor]
    if not wanted:
        return
    tz = request.registry.site_timezone
    shown = lambda moment: moment.astimezone(tz).strftime("%Y-%m-%d" if schedule.is_all_day else "%Y-%m-%d %H:%M")  # noqa: E731
    text = f"日程「{schedule.title}」（{shown(was or schedule.start_time)}）{_VERBS[change]}"
    if change == MOVED:
        text += f"：现为 {shown(schedule.start_time)}"
    if schedule.location:
        text += f"，地点：{schedule.location}"
    params = {"schedule_id": schedule.id, "change": change, "title": schedule.title,
              "start_time": schedule.start_time.astimezone(tz).isoformat()}
    channels = list(dict.fromkeys(["system", *schedule.methods]))
    key = f"schedule-change:{schedule.id}:{schedule.sequence}"
    enqueue_after_commit(request, TASK_NAME, wanted, channels, f"日程{_VERBS[change]}: {schedule.title}", text + "。",
                         params, key)


def send_change_notices(registry, user_ids: list[int], channels: list[str], subject: str, text: str, params: dict,
                        key: str) -> None:
    """The background task: one message per person and channel where they have an address."""
    notification = Notification(template=TEMPLATE, subject=subject, text=text, params=params,
                                source="schedule", source_id=params["schedule_id"])
    for user_id, channel, result in send_to_users(registry, user_ids, channels, notification, key):
        if not result.ok:
            log.warning("change notice to user %s via %s not sent: %s", user_id, channel, result.detail)
