"""The JSON shapes of schedules and occurrences, as the spec prints them."""
from __future__ import annotations

from sqlalchemy import bindparam, select

from core.toolkit import User, isoformat_local

from .models import Schedule
from .recurrence import Occurrence
from .reminders import reminders_json
from .sharing import attendees_json

#: the columns a schedule's JSON is made of, in the spec's order: read-only lists select these rows, not ORM objects
LIST_FIELDS = ("id", "title", "description", "schedule_type", "start_time", "end_time", "location", "participants",
               "status", "priority", "is_all_day", "reminder_enabled", "reminder_time", "reminder_method",
               "more_reminders", "related_type", "related_id", "recurrence_rule", "series_id", "recurrence_id",
               "attachments", "remark", "create_datetime", "update_datetime", "creator_id")
LIST_COLUMNS = tuple(getattr(Schedule, name) for name in LIST_FIELDS)
#: the rows of the schedules with the ids ``keys`` (a page of a list: see ``PageQuery``), with their creators' briefs
LIST_ROWS = (select(*LIST_COLUMNS, User.username.label("creator_username"), User.name.label("creator_name"))
             .join_from(Schedule, User, User.id == Schedule.creator_id)
             .where(Schedule.id.in_(bindparam("keys", expanding=True))))
_TIME_FIELDS = ("start_time", "end_time", "recurrence_id", "create_datetime", "update_datetime")


def schedule_json(registry, schedule: Schedule) -> dict:
    return schedule_values_json(registry, {name: getattr(schedule, name) for name in LIST_FIELDS},
                                schedule.creator.brief())


def schedule_values_json(registry, values: dict, creator: dict) -> dict:
    """A schedule's ``LIST_FIELDS`` (a dict this changes) and its creator's brief, as the spec prints them."""
    for name in _TIME_FIELDS:
        values[name] = isoformat_local(registry, values[name])
    values["participants"] = values["participants"] or []
    values["attachments"] = values["attachments"] or []
    values["reminder_leads"] = [{"minutes": values["reminder_time"], "method": values["reminder_method"]},
                                *(values.pop("more_reminders") or [])]
    del values["creator_id"]
    values["creator"] = creator
    return values


_BRIEFS = select(User.id, User.username, User.name).where(User.id.in_(bindparam("ids", expanding=True)))


def creator_briefs(dbsession, rows) -> dict[int, dict]:
    """{creator_id: brief} for the creators of ``rows`` (anything with ``creator_id``), in one query."""
    creator_ids = list({row.creator_id for row in rows})
    if not creator_ids:
        return {}
    return {user.id: user._asdict() for user in dbsession.connection().execute(_BRIEFS, {"ids": creator_ids})}


def schedule_rows_json(registry, rows) -> list[dict]:
    """Rows of ``LIST_ROWS`` as the spec prints them."""
    return [schedule_values_json(registry, dict(zip(LIST_FIELDS, row)),
                                 {"id": row.creator_id, "username": row.creator_username, "name": row.creator_name})
            for row in rows]


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
    data.update(_occurrence_times(registry, occurrence))
    return data


def _occurrence_times(registry, occurrence: Occurrence) -> dict:
    start = isoformat_local(registry, occurrence.start)
    original = occurrence.original_start
    return {"start_time": start, "end_time": isoformat_local(registry, occurrence.end),
            "occurrence": start if original is occurrence.start else isoformat_local(registry, original)}


class OccurrenceShapes:
    """``occurrence_json`` for the many occurrences of a window's rows (``windows.WindowRow``):
    each schedule's own fields and owner are shaped once, each occurrence only adds its times."""

    def __init__(self, dbsession, registry, pairs):
        self.registry = registry
        self.owners = creator_briefs(dbsession, [schedule for schedule, _ in pairs])
        self.shaped: dict[int, dict] = {}

    def __call__(self, schedule, occurrence: Occurrence) -> dict:
        own = self.shaped.get(schedule.id)
        if own is None:
            own = self.shaped[schedule.id] = {"id": schedule.id, "owner": self.owners[schedule.creator_id],
                                              **{name: getattr(schedule, name) for name in OCCURRENCE_FIELDS}}
        data = own.copy()
        data["start_time"] = start = isoformat_local(self.registry, occurrence.start)
        data["end_time"] = isoformat_local(self.registry, occurrence.end)
        original = occurrence.original_start
        data["occurrence"] = start if original is occurrence.start else isoformat_local(self.registry, original)
        return data


def item_json(registry, item: dict, span: Occurrence) -> dict:
    """Another plugin's calendar item (``tessera_calendar_items``): its own fields, its times shown as schedules' are."""
    data = {name: value for name, value in item.items() if name not in ("start", "end")}
    data.update(start_time=isoformat_local(registry, span.start), end_time=isoformat_local(registry, span.end))
    return data
