"""``GET /api/customer/schedules/export.ics``: the caller's own schedules as an iCalendar feed.

A series is one VEVENT with RRULE/EXDATE (calendar apps expand it); SEQUENCE
grows with every change so subscribers replace their copy; times carry the
site's TZID and the feed embeds that VTIMEZONE; all-day schedules are DATE values;
ORGANIZER is the owner, ATTENDEE every participant who is a user (with their answer)
or has an e-mail. ``calendar_body`` also serves the subscription feed (feeds.py).
"""
from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict

import icalendar
from pyramid.response import Response
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.toolkit import AUTHENTICATED, BadRequest, api_service, current_user

from . import schemas
from .models import LISTED, Schedule
from .recurrence import build_rrule, end_date_until, excluded_starts
from .views import PREFIX
from .windows import touching

export = api_service(name="schedule.export_ics", path=f"{PREFIX}/export.ics",
                     description="The caller's schedules touching [start, end) as text/calendar (default: 30 days ago to a year ahead).")
SERVICES = (export,)

_STATUS = {"pending": "TENTATIVE", "in_progress": "CONFIRMED", "completed": "CONFIRMED", "cancelled": "CANCELLED"}
_PRIORITY = {"urgent": 1, "high": 3, "medium": 5, "low": 9}
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@export.get(schema=schemas.ExportRequest(), permission=AUTHENTICATED)
def export_ics(request):
    registry = request.registry
    query = request.validated["querystring"]
    now = registry.clock.now()
    start = query["start"] or now - dt.timedelta(days=30)
    end = query["end"] or now + dt.timedelta(days=365)
    if end <= start:
        raise BadRequest.field("end", "结束时间须晚于开始时间")
    schedules = request.dbsession.scalars(select(Schedule).where(
        Schedule.creator_id == current_user(request).id, *LISTED, *touching(start, end))
        .options(selectinload(Schedule.attendees)).order_by(Schedule.start_time, Schedule.id)).all()
    response = Response(body=calendar_body(registry, schedules), content_type="text/calendar", charset="utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="schedules.ics"'
    return response


def calendar_body(registry, schedules, name: str | None = None) -> bytes:
    """The VCALENDAR of ``schedules`` (load their ``attendees`` with them), with the site's VTIMEZONE.

    ``name`` makes it a published calendar (``METHOD:PUBLISH``, a display name and a refresh hint).
    Each VEVENT's text comes from the site's ``EventCache``: serialising is most of a feed's cost,
    and a subscribed calendar is fetched again and again, mostly unchanged.
    """
    feed = icalendar.Calendar()
    feed.add("prodid", "-//Tessera//Schedules//ZH")
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("x-wr-timezone", str(registry.site_timezone))
    if name is not None:
        feed.add("method", "PUBLISH")
        feed.add("x-wr-calname", name)
        feed.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
        feed.add("x-published-ttl", "PT1H")
    cache = registry.schedule_event_cache
    feed.add_component(cache.timezone(str(registry.site_timezone)))
    head, end = feed.to_ical().rsplit(b"END:VCALENDAR", 1)
    by_id = {schedule.id: schedule for schedule in schedules}
    overridden: dict[int, set] = {}
    for schedule in schedules:
        if schedule.recurrence_id is not None and schedule.series_id in by_id:
            overridden.setdefault(schedule.series_id, set()).add(schedule.recurrence_id)
    events = []
    for schedule in schedules:
        mine = frozenset(overridden.get(schedule.id, ()))
        parent = by_id.get(schedule.series_id) if schedule.recurrence_id is not None else None
        key = (*event_key(schedule), mine, parent and (parent.id, parent.is_all_day))
        events.append(cache.event(key, lambda schedule=schedule, mine=mine, parent=parent:
                                  vevent(registry, schedule, mine, parent).to_ical()))
    return b"".join([head, *events, b"END:VCALENDAR", end])


def event_key(schedule: Schedule) -> tuple:
    """Everything a VEVENT is made of: any save bumps ``sequence``; answers and people's names do not."""
    owner = schedule.creator
    people = tuple((attendee.user_id, attendee.response, attendee.user.email, attendee.user.name, attendee.user.username)
                   for attendee in schedule.attendees)
    return schedule.id, schedule.sequence, schedule.update_datetime, people, owner.email, owner.name, owner.username


class EventCache:
    """Serialised VEVENTs by ``event_key`` (least recently used dropped past ``size``), and VTIMEZONEs by zone."""

    def __init__(self, size: int = 20000):
        self.size = size
        self._events: OrderedDict[tuple, bytes] = OrderedDict()
        self._timezones: dict[str, icalendar.Timezone] = {}
        self._lock = threading.Lock()

    def event(self, key: tuple, make) -> bytes:
        with self._lock:
            if key in self._events:
                self._events.move_to_end(key)
                return self._events[key]
        text = make()
        with self._lock:
            self._events[key] = text
            if len(self._events) > self.size:
                self._events.popitem(last=False)
        return text

    def timezone(self, tzid: str) -> icalendar.Timezone:
        if tzid not in self._timezones:
            self._timezones[tzid] = icalendar.Timezone.from_tzid(tzid)
        return self._timezones[tzid]


def vevent(registry, schedule: Schedule, overridden: frozenset = frozenset(),
           override_of: Schedule | None = None) -> icalendar.Event:
    """The VEVENT of a schedule. A series leaves out of its EXDATE the ``overridden`` starts (their
    schedules are in the same feed); an occurrence taken out of the series ``override_of`` (in the same
    feed) is that series' UID with a RECURRENCE-ID."""
    tz = registry.site_timezone
    event = icalendar.Event()
    event.add("uid", f"schedule-{(override_of or schedule).id}@tessera")
    if override_of is not None:
        event.add("recurrence-id", schedule.recurrence_id.astimezone(tz).date() if override_of.is_all_day
                  else schedule.recurrence_id.astimezone(tz))
    event.add("sequence", schedule.sequence or 0)
    event.add("dtstamp", schedule.update_datetime)
    event.add("created", schedule.create_datetime)
    event.add("last-modified", schedule.update_datetime)
    event.add("summary", schedule.title)
    if schedule.description:
        event.add("description", schedule.description)
    if schedule.location:
        event.add("location", schedule.location)
    event.add("status", _STATUS[schedule.status])
    event.add("priority", _PRIORITY[schedule.priority])
    event.add("categories", [schedule.schedule_type])
    add_people(event, schedule)
    local = (lambda value: value.astimezone(tz).date()) if schedule.is_all_day else (lambda value: value.astimezone(tz))
    event.add("dtstart", local(schedule.start_time))
    if schedule.end_time is not None:
        event.add("dtend", local(schedule.end_time))
    if schedule.recurrence_rule:
        event.add("rrule", rrule_value(schedule, tz))
        excluded = sorted(moment for moment in excluded_starts(schedule.recurrence_rule, schedule.start_time, tz)
                          if moment not in overridden)
        if excluded:
            event.add("exdate", [local(moment) for moment in excluded])
    if schedule.reminder_enabled:
        for minutes, methods in schedule.leads:
            event.add_component(valarm(registry, schedule, minutes, methods))
    return event


_PARTSTAT = {"needs_action": "NEEDS-ACTION", "accepted": "ACCEPTED", "declined": "DECLINED", "tentative": "TENTATIVE"}


def cal_address(user_id: int | None, email: str | None) -> str:
    """A calendar user address: their e-mail, else a stable URN for a site user without one."""
    return f"mailto:{email}" if email else f"urn:tessera:user:{user_id}"


def add_people(event: icalendar.Event, schedule: Schedule) -> None:
    owner = schedule.creator
    event.add("organizer", cal_address(owner.id, owner.email), parameters={"CN": owner.name or owner.username})
    for attendee in schedule.attendees:
        user = attendee.user
        event.add("attendee", cal_address(user.id, user.email), parameters={
            "CN": user.name or user.username, "ROLE": "REQ-PARTICIPANT", "CUTYPE": "INDIVIDUAL",
            "PARTSTAT": _PARTSTAT.get(attendee.response, "NEEDS-ACTION")})
    for participant in schedule.participants or ():
        if isinstance(participant, dict) and participant.get("user_id") is None and participant.get("email"):
            event.add("attendee", cal_address(None, participant["email"]), parameters={
                "CN": str(participant.get("name") or ""), "ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION"})


def rrule_value(schedule: Schedule, tz) -> dict:
    """RRULE parts. The spec allows both ``count`` and ``end_date``; RFC 5545 only one: then UNTIL is the last occurrence."""
    rule = schedule.recurrence_rule
    value: dict = {"freq": rule["frequency"].upper(), "interval": int(rule.get("interval") or 1)}
    if rule.get("by_weekday"):
        value["byday"] = [_BYDAY[int(day) - 1] for day in rule["by_weekday"]]
    if rule.get("by_monthday"):
        value["bymonthday"] = [int(day) for day in rule["by_monthday"]]
    if rule.get("end_date"):
        if rule.get("count"):
            until = ([*build_rrule(rule, schedule.start_time, tz)] or [schedule.start_time])[-1]
        else:
            until = end_date_until(rule, tz)
        value["until"] = until.date() if schedule.is_all_day else until.astimezone(dt.timezone.utc)
    elif rule.get("count"):
        value["count"] = int(rule["count"])
    return value


def valarm(registry, schedule: Schedule, minutes: int, methods: list[str]) -> icalendar.Alarm:
    """One alarm per lead (not per channel: a phone rings once); an all-day schedule's alarm counts back from
    the engine's local reminder time."""
    before = dt.timedelta(minutes=minutes)
    if schedule.is_all_day:
        hours, minutes = registry.settings["tessera.schedule.all_day_reminder_time"].split(":")
        before -= dt.timedelta(hours=int(hours), minutes=int(minutes))
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", schedule.title)
    alarm.add("trigger", -before)
    alarm.add("x-tessera-method", ",".join(methods))
    return alarm
