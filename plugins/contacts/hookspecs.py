"""The hooks the contacts plugin calls, for a plugin that keeps schedules.

With such a plugin enabled, a customer's follow-up plan is followed by a schedule, kept in
step with it. Contacts works without it: the hooks then answer nothing. The contacts plugin
may be disabled: implement these with ``@hookimpl(optionalhook=True)``.
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
