"""The hooks the schedule plugin calls, for plugins that own what schedules are about or what fills a calendar.

A schedule may be about another plugin's object: ``related_type`` names the kind
(``customer``, ``customer_plan``, …), ``related_id`` its id; the plugin that owns
that kind answers the hooks about it and the others return ``None``. The schedule
plugin may be disabled: implement these with ``@hookimpl(optionalhook=True)``.
"""
from __future__ import annotations

from core.toolkit import hookspec


@hookspec
def tessera_schedule_readers(registry, dbsession, user):
    """Say which objects' schedules ``user`` may read besides their own: they are on that object's team.

    Return a list of ``(related_type, ids)`` (``ids`` a list of ints): schedules whose
    ``related_type`` is that type and whose ``related_id`` is among ``ids`` become readable to
    ``user`` — in the schedule list, a schedule's detail, ``by_related`` and an object's upcoming
    schedules — but not editable, and not added to their own calendar views (today, week, month,
    statistics, feed). The contacts plugin answers ``customer`` and ``customer_plan`` for a
    customer's sales person and assigned engineers. Return ``None`` or ``[]`` when the user is on
    no team: their reads then stay on the schedule indexes. Not called for admins (they read
    everything). Keep it cheap — an indexed query or two: it runs on every such read. Every answer counts.
    """


@hookspec
def tessera_calendar_items(registry, dbsession, user, start, end):
    """Return what your plugin puts on ``user``'s own calendar between ``start`` and ``end`` (aware, UTC).

    A list of dicts, each ``{"kind", "id", "title", "status", "start", "end"}`` plus any JSON-able
    fields a client needs to open it (a ``url``): ``kind`` names what it is (``task``), ``id`` its id
    in your API, ``start``/``end`` aware datetimes (``end`` may be None); include every item whose
    span touches the window. The schedule plugin shows them in today, this_week, calendar_view and
    range under ``items`` (times in the site's zone), apart from the schedules. Every answer counts.
    """


@hookspec
def tessera_related_schedule_changed(registry, dbsession, change, related_type, related_id, schedule_id, title,
                                     start_time, description, reminder_minutes, status):
    """Follow a change of a schedule about one of your objects (a customer plan keeps its schedule's time).

    ``change`` is ``updated`` or ``deleted``; the other arguments are the schedule as it now is
    (``start_time`` aware UTC, ``reminder_minutes`` its first reminder's lead, ``status`` one of
    pending/in_progress/completed/cancelled). Called inside the transaction of the change, after
    any change made through the schedule plugin — but not for a change your own plugin asked for
    through one of its hooks, so following it never echoes back. Ignore ``related_type`` values
    you do not own; write with ``dbsession``, never commit it. Every implementation is called.
    """


@hookspec
def tessera_related_parts(registry, dbsession, related_type, related_id):
    """Name the objects that are part of one of yours, whose schedules count as about it too.

    ``by_related`` for a customer then also lists the schedules of its plans: return a list of
    ``(related_type, ids)`` such as ``[("customer_plan", [3, 7])]``, or ``None`` for a type you do
    not own. Every answer counts.
    """


@hookspec(firstresult=True)
def tessera_related_info(registry, dbsession, related_type, related_id, user):
    """Describe the object a schedule is related to, for the schedule's detail (``related_info``).

    The plugin that owns ``related_type`` returns a JSON-able dict, at least
    ``{"id", "name"}`` (contacts adds ``contact_person``); a plugin that does not own
    the type returns ``None``. Return ``None`` too when the object does not exist or
    ``user`` may not see it (``user`` may be ``None``: answer ``None`` then). First result.
    """


@hookspec(firstresult=True)
def tessera_create_customer_plan(registry, dbsession, user, customer_id, title, plan_time, description,
                                 reminder_minutes):
    """Create a follow-up plan for a customer, with its schedule, and return ``{"plan_id", "schedule_id"}``.

    Called by ``POST /api/customer/schedules/create_from_customer_plan/``, which then
    answers with the schedule ``schedule_id``. The plugin that owns customer plans
    creates the plan and has its schedule made exactly as for a plan made through its
    own API (the contacts plugin asks back through its ``tessera_create_plan_schedule``),
    so a plan and its schedule are paired in one place. ``plan_time`` is timezone-aware;
    ``description`` is a string (maybe empty); ``reminder_minutes`` an int. Raise
    ``core.toolkit.NotFound`` when the customer does not exist or ``user`` may not see it.
    Plugins that own no customer plans return ``None``. First result.
    """
