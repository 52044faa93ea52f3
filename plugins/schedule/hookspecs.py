"""The hooks the schedule plugin calls, for plugins that own what schedules are about or what fills a calendar.

The schedule plugin may be disabled: implement these with ``@hookimpl(optionalhook=True)``.
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
