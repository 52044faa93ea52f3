"""The hooks the contacts plugin calls, for a plugin that keeps schedules.

With such a plugin enabled, a customer's follow-up plan is followed by a schedule, kept in
step with it, and a customer's detail shows what is planned for it. Contacts works without
it: the hooks then answer nothing. The contacts plugin may be disabled: implement these with
``@hookimpl(optionalhook=True)``.
"""
from __future__ import annotations

from core.toolkit import hookspec


@hookspec(firstresult=True)
def tessera_change_plan_schedule(registry, dbsession, user, plan_id, schedule_id, title, plan_time, description,
                                 reminder_minutes, status):
    """Bring the schedule that follows a plan in line with the plan, which ``user`` just changed.

    The schedule ``schedule_id`` (about ``customer_plan`` ``plan_id``) takes ``title``,
    ``plan_time`` (aware) as its start, ``description``, a first reminder ``reminder_minutes``
    before, and ``status`` (pending/in_progress/completed/cancelled; a change its rules forbid
    raises ``core.toolkit.BadRequest`` naming ``status``). The change must not be told back to
    contacts (no echo). Return True when done, None when there is no such live schedule or
    you keep no schedules. First result.
    """


@hookspec(firstresult=True)
def tessera_remove_plan_schedule(registry, dbsession, user, plan_id, schedule_id, reason):
    """Remove the schedule that follows a plan that was deleted (alone, or with its customer).

    Its pending reminders are cancelled saying ``reason`` (``客户已删除``); it is not told back
    to contacts. Return True when done, None when there is no such live schedule. First result.
    """


@hookspec(firstresult=True)
def tessera_create_plan_schedule(registry, dbsession, user, plan_id, customer_id, title, plan_time, description,
                                 reminder_minutes):
    """Create the schedule that follows a new customer plan and return the schedule's id.

    Called once per plan, right after the plan is written, whichever API created it.
    The schedule should be a reminder owned by ``user`` at ``plan_time`` (timezone-aware)
    with a reminder ``reminder_minutes`` before it, about ``related_type``
    ``customer_plan`` and ``related_id`` ``plan_id``; ``customer_id`` is the plan's
    customer. ``title`` and ``description`` are strings (``description`` maybe empty).
    The plugin keeping schedules answers; without one the hook returns ``None`` and the
    plan has no schedule. First result.
    """


@hookspec
def tessera_related_schedules(registry, dbsession, user, related_type, related_ids, limit):
    """Return upcoming schedules related to some objects, as a list of JSON-able dicts.

    Lets a customer's detail show what is planned for it (``related_type`` ``customer``
    or ``customer_plan``, ``related_ids`` a list of ids). Each dict has ``id``,
    ``title``, ``start_time`` (ISO 8601), ``status``, ``related_type`` and
    ``related_id``; at most ``limit`` per object, only what ``user`` may see. Plugins
    that keep no schedules return ``None`` or an empty list. Every answer is used.
    """
