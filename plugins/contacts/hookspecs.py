"""The hooks the contacts plugin calls, for a plugin that keeps schedules.

With such a plugin enabled, a customer's follow-up plan is followed by a schedule, kept in
step with it, a customer's detail shows what is planned for it, and a task's owner is reminded
before its deadline. Contacts works without
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


@hookspec(firstresult=True)
def tessera_keep_deadline_reminder(registry, dbsession, user, related_type, related_id, owner_id, title, text, deadline,
                                   lead_minutes, methods):
    """Remind ``owner_id`` (a user id) ``lead_minutes`` before ``deadline`` (aware) on the channels ``methods``.

    Called when a task (``related_type`` ``task``, ``related_id`` its numeric id) with a deadline and an
    owner is created or changed while it is pending or in progress; ``user`` made the change. Keep one
    reminder per object: a second call moves it, rewords it, gives it another owner or other channels, and
    a call after ``tessera_drop_deadline_reminder`` brings it back. The reminder says ``title`` (its subject,
    e.g. ``任务截止：…``) and ``text`` (its body, naming the deadline). It should reach its owner as a
    schedule's reminder does: once, retried while a channel fails transiently; the object already shows on
    its people's calendars, so what carries the reminder must not be listed a second time. Return an id of
    what carries it, None when no plugin sends reminders. First result.
    """


@hookspec(firstresult=True)
def tessera_drop_deadline_reminder(registry, dbsession, user, related_type, related_id, reason):
    """Stop reminding of an object's deadline: it was completed, cancelled, deleted, or lost its deadline or owner.

    A reminder not yet sent is cancelled saying ``reason`` (``任务已完成``, ``客户已删除``…); one already
    sent stays sent. Return True when a reminder was dropped, None when there was none. First result.
    """
