"""The JSON shapes of schedules and occurrences, as the spec prints them."""
from __future__ import annotations

from core.toolkit import isoformat_local

from .models import Schedule
from .recurrence import Occurrence
from .reminders import reminders_json
from .sharing import attendees_json


def schedule_json(registry, schedule: Schedule) -> dict:
    local = lambda value: isoformat_local(registry, value)  # noqa: E731
    return {
        "id": schedule.id, "title": schedule.title, "description": schedule.description,
        "schedule_type": schedule.schedule_type, "start_time": local(schedule.start_time),
        "end_time": local(schedule.end_time), "location": schedule.location,
        "participants": schedule.participants or [], "status": schedule.status, "priority": schedule.priority,
        "is_all_day": schedule.is_all_day, "reminder_enabled": schedule.reminder_enabled,
        "reminder_time": schedule.reminder_time, "reminder_method": schedule.reminder_method,
        "reminder_leads": [{"minutes": schedule.reminder_time, "method": schedule.reminder_method},
                           *(schedule.more_reminders or [])],
        "related_type": schedule.related_type, "related_id": schedule.related_id,
        "recurrence_rule": schedule.recurrence_rule, "attachments": schedule.attachments or [],
        "remark": schedule.remark, "create_datetime": local(schedule.create_datetime),
        "update_datetime": local(schedule.update_datetime), "creator": schedule.creator.brief(),
    }


def schedule_detail_json(request, schedule: Schedule) -> dict:
    data = schedule_json(request.registry, schedule)
    related_info = None
    if schedule.related_type is not None:
        related_info = request.registry.tessera_plugin_manager.hook.tessera_related_info(
            registry=request.registry, dbsession=request.dbsession, related_type=schedule.related_type,
            related_id=schedule.related_id, user=request.identity)
    data["related_info"] = related_info
    data["reminders"] = reminders_json(request.dbsession, request.registry, schedule)
    data["attendees"] = attendees_json(request.registry, schedule)
    data["modifier"] = schedule.modifier.brief() if schedule.modifier else None
    return data


OCCURRENCE_FIELDS = ("title", "schedule_type", "status", "priority", "is_all_day", "location")


def occurrence_json(registry, schedule: Schedule, occurrence: Occurrence, fields=OCCURRENCE_FIELDS,
                    with_owner: bool = True) -> dict:
    """One occurrence in a list: the series ``id``, its own times, ``occurrence`` (original start, or null)
    and ``owner``, whose calendar it is in (calendars show several people's)."""
    data = {"id": schedule.id}
    if with_owner:
        data["owner"] = schedule.creator.brief()
    data.update({name: getattr(schedule, name) for name in fields})
    data.update({
        "start_time": isoformat_local(registry, occurrence.start),
        "end_time": isoformat_local(registry, occurrence.end),
        "occurrence": isoformat_local(registry, occurrence.original_start),
    })
    return data
