"""The schedule plugin: calendar entries with recurrence, conflicts, reminders and an iCalendar feed.

Serves endpoints 1–14 of the schedule spec under ``/api/customer/schedules/``
(the calendar view also under ``/api/schedule/schedules/``, where the spec
prints it) in the ``{"code", "msg", "data"}`` envelope. Reminder rows and their
delivery live in ``reminders/``. The hooks this plugin calls are declared in
``hookspecs.py``; it answers the contacts plugin's ``tessera_create_plan_schedule``
and ``tessera_related_schedules``, and carries its tasks' deadline reminders (``kept.py``) — optional
hooks: contacts may be disabled.
"""
from __future__ import annotations

from core.toolkit import BUSINESS_CODE_ENVELOPE, Manifest, Setting, as_positive_int, hookimpl

from . import calendar, demo, feeds, hookspecs, ical, ics_import, kept, notices, outside, plans, sharing_views, views
from .reminders.settings import REMINDER_SETTINGS
from .windows import upcoming_related

SETTINGS = (
    Setting("tessera.schedule.conflict_horizon_days", 365, as_positive_int,
            "how far ahead a series is checked, occurrence by occurrence, for overlaps"),
    Setting("tessera.schedule.max_participants", 100, as_positive_int,
            "participants one schedule may list (each may be sent its reminders)"),
)

#: what the schedule plugin publishes through ``publish_event``; a schedule's ``data`` is the schedule as the list shows it
EVENT_TYPES = {
    "schedule.created": "a schedule was created",
    "schedule.updated": "a schedule was changed (time, title, status…)",
    "schedule.deleted": "a schedule was deleted",
    "reminder.sent": "a reminder reached at least one of its recipients (data: reminder_id, schedule_id, "
                     "occurrence_start, remind_method, send_result)",
    "reminder.failed": "a reminder reached nobody after its last attempt (same data)",
}

manifest = Manifest(
    name="schedule",
    requires_core=">=1.0,<2",
    summary="Schedules (meetings, court dates, deadlines) with recurrence, conflict checks, reminders and iCalendar export",
    settings=SETTINGS + REMINDER_SETTINGS,
    hookspecs=hookspecs,
)


def includeme(config):
    config.add_api_prefix("/api/customer/schedules", BUSINESS_CODE_ENVELOPE, trailing_slash=True)
    config.add_api_prefix("/api/schedule/schedules", BUSINESS_CODE_ENVELOPE, trailing_slash=True)
    config.declare_permission(outside.REMIND_EXTERNAL, default_roles=outside.DEFAULT_ROLES)
    config.add_notification_source("schedule")  # reminders link to their schedule
    config.include(".reminders")
    config.registry.schedule_event_cache = ical.EventCache()
    config.add_task(notices.send_change_notices, name=notices.TASK_NAME)
    for module in (ical, feeds, ics_import, calendar, sharing_views, views):
        for service in module.SERVICES:
            config.add_cornice_service(service)


@hookimpl(optionalhook=True)
def tessera_create_plan_schedule(registry, dbsession, user, plan_id, title, plan_time, description, reminder_minutes):
    return plans.create_plan_schedule(dbsession, registry, user, plan_id, title, plan_time, description,
                                      reminder_minutes).id


@hookimpl(optionalhook=True)
def tessera_change_plan_schedule(registry, dbsession, user, plan_id, schedule_id, title, plan_time, description,
                                 reminder_minutes, status):
    return plans.change_plan_schedule(dbsession, registry, user, plan_id, schedule_id, title, plan_time, description,
                                      reminder_minutes, status)


@hookimpl(optionalhook=True)
def tessera_remove_plan_schedule(registry, dbsession, user, plan_id, schedule_id, reason):
    return plans.remove_plan_schedule(dbsession, registry, user, plan_id, schedule_id, reason)


@hookimpl(optionalhook=True)
def tessera_keep_deadline_reminder(registry, dbsession, user, related_type, related_id, owner_id, title, text, deadline,
                                   lead_minutes, methods):
    return kept.keep_reminder(dbsession, registry, user, "contacts", related_type, related_id, owner_id, title, text,
                              deadline, lead_minutes, methods).id


@hookimpl(optionalhook=True)
def tessera_drop_deadline_reminder(registry, dbsession, user, related_type, related_id, reason):
    return kept.drop_reminder(dbsession, registry, user, "contacts", related_type, related_id, reason)


@hookimpl
def tessera_event_types():
    return EVENT_TYPES


@hookimpl(optionalhook=True)
def tessera_related_schedules(registry, dbsession, user, related_type, related_ids, limit):
    return upcoming_related(dbsession, registry, user, related_type, list(related_ids), limit)


@hookimpl
def tessera_demo_data(registry, dbsession, rng, scale, progress):
    demo.add_demo_schedules(registry, dbsession, rng, scale, progress)
