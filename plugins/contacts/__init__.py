"""The contacts plugin: engineers' status, customers with their devices, tasks and follow-up plans.

Serves the contacts API under ``/api/v1/contacts`` (``{"code", "message",
"data"}`` with the HTTP status as code; see docs/contacts.md). It stands alone;
with the schedule plugin enabled, a customer's follow-up plans get schedules,
schedules can show the customer they are about and tasks' owners are reminded
of their deadlines — through hooks only: the
ones contacts calls are declared in ``hookspecs.py``; the schedule plugin's that
it answers are optional hooks, so contacts starts without it.
"""
from __future__ import annotations

from core.toolkit import HTTP_CODE_ENVELOPE, Manifest, Setting, as_list, as_non_negative_int, as_positive_int, hookimpl
from plugins.contacts import access, deadlines, demo, hookspecs, plans, presence, work
from plugins.contacts.access import ADMIN, CUSTOMERS_PERMISSION, ENGINEER, SALES, get_visible_customer
from plugins.contacts.events import EVENT_TYPES
from plugins.contacts.notices import TASK_NAME, send_assignment_notices

manifest = Manifest(
    name="contacts",
    requires_core=">=1.0,<2",
    summary="Engineers' status, customers, their devices, tasks and follow-up plans",
    settings=(
        Setting("tessera.contacts.idle_minutes", 60, as_positive_int,
                "an engineer idle this many minutes shows offline whatever status they set"),
        Setting("tessera.contacts.assignment_channels", "system", as_list,
                "channels that tell people they were assigned to a customer or a task (system = the in-app inbox)"),
        Setting("tessera.contacts.deadline_reminder_minutes", 60, as_non_negative_int,
                "a task's owner is reminded this many minutes before its deadline (0: never; needs the schedule plugin)"),
        Setting("tessera.contacts.deadline_reminder_channels", "system", as_list,
                "channels of the deadline reminders (empty: none are sent)"),
    ),
    hookspecs=hookspecs,
)


def includeme(config) -> None:
    config.add_api_prefix("/api/v1/contacts", HTTP_CODE_ENVELOPE)
    config.declare_permission(CUSTOMERS_PERMISSION, default_roles=[ADMIN, SALES, ENGINEER])
    config.include("plugins.contacts.views")
    config.add_task(send_assignment_notices, name=TASK_NAME)
    config.add_periodic_task(deadlines.follow_unfollowed_deadlines, minute="*/10")


@hookimpl
def tessera_authenticated_request(request, user):
    presence.record_activity(request, user)


@hookimpl
def tessera_event_types():
    return EVENT_TYPES


@hookimpl(optionalhook=True)
def tessera_schedule_readers(dbsession, user):
    return access.schedule_team_reads(dbsession, user)


@hookimpl(optionalhook=True)
def tessera_related_schedule_changed(registry, dbsession, change, related_type, related_id, schedule_id, title,
                                     start_time, description, reminder_minutes, status):
    if related_type == "customer_plan":
        plans.follow_schedule(registry, dbsession, change, related_id, schedule_id, title, start_time, description,
                              reminder_minutes, status)


@hookimpl(optionalhook=True)
def tessera_related_parts(dbsession, related_type, related_id):
    return plans.plan_parts(dbsession, related_type, related_id)


@hookimpl(optionalhook=True)
def tessera_calendar_items(dbsession, user, start, end):
    return work.calendar_items(dbsession, user, start, end)


@hookimpl(optionalhook=True)
def tessera_related_info(dbsession, related_type, related_id, user):
    return plans.related_info(dbsession, user, related_type, related_id)


@hookimpl(optionalhook=True)
def tessera_create_customer_plan(registry, dbsession, user, customer_id, title, plan_time, description,
                                 reminder_minutes):
    customer = get_visible_customer(dbsession, user, customer_id)
    plan = plans.create_plan(registry, dbsession, user, customer, title, plan_time, description, reminder_minutes)
    return {"plan_id": plan.id, "schedule_id": plan.schedule_id}


@hookimpl
def tessera_demo_data(registry, dbsession, rng, scale, progress):
    demo.add_demo_contacts(registry, dbsession, rng, scale, progress)
