"""Importing an iCalendar file: each VEVENT becomes a schedule of the caller's, series included.

What the schedule model cannot hold is skipped and reported, never half-imported: a rule
part we do not have (BYSETPOS, BYMONTH, "the first Monday"), a frequency finer than a day,
times outside the supported years. An occurrence overriding one of a series in the file
(RECURRENCE-ID) is taken out of that series, as ``scope=this`` does. Alarms with a time before the start become reminder
leads (up to five); without an alarm the schedule does not remind. Attendees become
free-text participants (an import invites nobody). Overlaps are allowed: a calendar being
moved in must not be refused piece by piece.
"""
from __future__ import annotations

import datetime as dt

import colander
import icalendar
from sqlalchemy.orm import Session

from core.toolkit import AUTHENTICATED, ApiError, BadRequest, User, api_service, current_user, ok

from .exceptions import change_occurrences
from .models import SCHEDULE_TYPES, Schedule
from .recurrence import FREQUENCIES
from .schemas import MAX_LEADS, MAX_REMINDER_MINUTES
from .views import PREFIX
from .writes import save_schedule

import_service = api_service(name="schedule.import_ics", path=f"{PREFIX}/import/",
                             description="Create schedules from an iCalendar file's text; answers what was created "
                                         "and what was skipped, and why.")
SERVICES = (import_service,)

MAX_ICS_CHARACTERS = 2_000_000
MAX_EVENTS = 1000
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_RULE_PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "WKST"}


class Skip(Exception):
    """Why one event is not imported."""


class ImportRequest(colander.MappingSchema):
    body = colander.SchemaNode(
        colander.Mapping(),
        colander.SchemaNode(colander.String(), name="ics", validator=colander.Length(1, MAX_ICS_CHARACTERS),
                            description="the .ics file's text (BEGIN:VCALENDAR …)"))


def import_calendar(dbsession: Session, registry, user: User, text: str) -> dict:
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except (ValueError, IndexError, KeyError) as exc:
        raise BadRequest.field("ics", f"不是有效的 iCalendar 文件: {exc}"[:300])
    events = calendar.walk("VEVENT")
    if len(events) > MAX_EVENTS:
        raise BadRequest.field("ics", f"最多导入 {MAX_EVENTS} 个日程")
    created, skipped, by_uid = [], [], {}
    # the series first, then the occurrences that override one of theirs (RECURRENCE-ID)
    for event in sorted(events, key=lambda event: event.get("recurrence-id") is not None):
        uid, summary = str(event.get("uid", "")), str(event.get("summary", ""))
        try:
            values = schedule_values(registry, event)
            with dbsession.begin_nested():
                if event.get("recurrence-id") is None:
                    schedule = by_uid[uid] = save_schedule(dbsession, registry, user, Schedule(), values,
                                                           allow_conflict=True)
                else:
                    schedule = _override(dbsession, registry, user, by_uid.get(uid), event, values)
            created.append(schedule.id)
        except (Skip, ApiError, ValueError, TypeError, KeyError) as exc:
            skipped.append({"uid": uid, "summary": summary, "reason": str(exc)[:300]})
    return {"created_count": len(created), "created": created, "skipped": skipped}


def _override(dbsession: Session, registry, user: User, series: Schedule | None, event, values: dict) -> Schedule:
    """An occurrence of an imported series changed on its own: taken out of the series, as ``scope=this`` does."""
    if series is None or not series.recurrence_rule:
        raise Skip("RECURRENCE-ID 指向的重复日程不在此文件中（或未能导入）")
    original = _instant(event.decoded("recurrence-id"), registry.site_timezone)
    return change_occurrences(dbsession, registry, user, series, "this", original, values, allow_conflict=True)


def schedule_values(registry, event) -> dict:
    tz = registry.site_timezone
    start = event.decoded("dtstart", None)
    if start is None:
        raise Skip("缺少 DTSTART")
    is_all_day = not isinstance(start, dt.datetime)
    end = event.decoded("dtend", None)
    if end is None and event.get("duration") is not None:
        end = start + event.decoded("duration")
    values = {
        "title": (str(event.get("summary") or "").strip() or "（无标题）")[:200],
        "description": str(event.get("description") or ""),
        "location": str(event.get("location") or "")[:500],
        "schedule_type": _schedule_type(event), "priority": _priority(event),
        "status": "cancelled" if str(event.get("status", "")).upper() == "CANCELLED" else "pending",
        "is_all_day": is_all_day, "start_time": _instant(start, tz), "end_time": None if end is None else _instant(end, tz),
        "participants": _participants(event), "recurrence_rule": None,
    }
    if event.get("rrule") is not None:
        values["recurrence_rule"] = _rule(event, tz)
    leads = _leads(registry, event, is_all_day)
    values["reminder_enabled"] = bool(leads)
    if leads:
        values["reminder_leads"] = leads
    return values


def _instant(value, tz) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(0))
    if value.tzinfo is None:  # a floating time is the site's wall clock
        value = value.replace(tzinfo=tz)
    if not 1900 <= value.year <= 2200:
        raise Skip(f"时间超出支持的年份: {value.isoformat()}")
    return value.astimezone(dt.timezone.utc)


def _priority(event) -> str:
    """RFC 5545: 1–4 high (1 the highest), 5 medium, 6–9 low, 0 undefined."""
    number = int(event.get("priority") or 0)
    return "urgent" if number == 1 else "high" if 2 <= number <= 4 else "low" if number >= 6 else "medium"


def _schedule_type(event) -> str:
    categories = event.get("categories")
    names = []
    for item in categories if isinstance(categories, list) else [categories] if categories is not None else []:
        names += [str(name).lower() for name in item.cats]
    return next((name for name in names if name in SCHEDULE_TYPES), "other")


def _participants(event) -> list[dict]:
    attendees = event.get("attendee") or []
    people = []
    for attendee in attendees if isinstance(attendees, list) else [attendees]:
        address = str(attendee)
        email = address[7:] if address.lower().startswith("mailto:") else ""
        name = str(attendee.params.get("CN") or email or address)[:100]
        people.append({"name": name, **({"email": email} if "@" in email else {})})
    return people


def _rule(event, tz) -> dict:
    rules = event.get("rrule")
    if isinstance(rules, list):
        if len(rules) > 1:
            raise Skip("多条 RRULE 不支持")
        rules = rules[0]
    unsupported = set(rules) - _RULE_PARTS
    if unsupported:
        raise Skip(f"不支持的重复规则部分: {', '.join(sorted(unsupported))}")
    frequency = str(rules["FREQ"][0]).lower()
    if frequency not in FREQUENCIES:
        raise Skip(f"不支持的重复频率: {frequency.upper()}")
    rule: dict = {"frequency": frequency, "interval": int(rules.get("INTERVAL", [1])[0])}
    if not 1 <= rule["interval"] <= 1000:
        raise Skip("重复间隔须为 1–1000")
    if "COUNT" in rules:
        rule["count"] = int(rules["COUNT"][0])
        if not 1 <= rule["count"] <= 10000:
            raise Skip("重复次数须为 1–10000")
    if "UNTIL" in rules:
        until = rules["UNTIL"][0]
        rule["end_date"] = (until.astimezone(tz).date() if isinstance(until, dt.datetime) and until.tzinfo
                            else until if not isinstance(until, dt.datetime) else until.date()).isoformat()
    if "BYDAY" in rules:
        days = [str(day) for day in rules["BYDAY"]]
        if any(day not in _WEEKDAYS for day in days):
            raise Skip(f"不支持带序号的 BYDAY: {','.join(days)}")
        rule["by_weekday"] = [_WEEKDAYS.index(day) + 1 for day in days]
    if "BYMONTHDAY" in rules:
        monthdays = [int(day) for day in rules["BYMONTHDAY"]]
        if any(not (1 <= day <= 31 or day == -1) for day in monthdays):
            raise Skip("BYMONTHDAY 只支持 1–31 和 -1")
        rule["by_monthday"] = monthdays
    excluded = []
    for exdate in _list(event.get("exdate")):
        for moment in exdate.dts:
            value = moment.dt
            excluded.append(value.isoformat() if not isinstance(value, dt.datetime)
                            else (value if value.tzinfo else value.replace(tzinfo=tz)).astimezone(tz).isoformat())
    if excluded:
        rule["exdates"] = excluded
    return rule


def _leads(registry, event, is_all_day: bool) -> list[dict]:
    """Alarms relative to the start, as reminder leads: minutes before the start (all-day: before the
    engine's local reminder time, as the export writes them)."""
    channels = registry.tessera_channels
    leads: dict[int, str] = {}
    for alarm in event.walk("VALARM"):
        trigger = alarm.decoded("trigger", None)
        if not isinstance(trigger, dt.timedelta):
            continue
        minutes = int(-trigger.total_seconds() // 60)
        if is_all_day:
            hours, mins = registry.settings["tessera.schedule.all_day_reminder_time"].split(":")
            minutes += int(hours) * 60 + int(mins)
        methods = [m for m in str(alarm.get("x-tessera-method", "system")).split(",") if m.strip() in channels]
        if 0 <= minutes <= MAX_REMINDER_MINUTES and minutes not in leads:
            leads[minutes] = ",".join(methods) or "system"
    return [{"minutes": minutes, "method": method} for minutes, method in list(leads.items())[:MAX_LEADS]]


def _list(value) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


@import_service.post(schema=ImportRequest(), permission=AUTHENTICATED)
def import_ics(request):
    report = import_calendar(request.dbsession, request.registry, current_user(request),
                             request.validated["body"]["ics"])
    return ok(request, report, f"导入 {report['created_count']} 个日程，跳过 {len(report['skipped'])} 个")
