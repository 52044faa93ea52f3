"""Reminding a task's owner before its deadline, through a plugin that sends reminders.

Contacts decides whether a task wants a reminder and words it; the plugin that keeps schedules,
when enabled, carries it to the owner with its reminder engine (hooks ``tessera_keep_deadline_reminder``
and ``tessera_drop_deadline_reminder``, hookspecs.py). Without one the hooks answer nothing and tasks
work the same. How long before, and on which channels: ``tessera.contacts.deadline_reminder_minutes``
and ``tessera.contacts.deadline_reminder_channels`` (0 or none: no reminders). A task remembers the
deadline it was last reminded of (``deadline_reminder_for``): those never handed over — made before the
site had a plugin keeping reminders, or while they were switched off — are, every ten minutes.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager, selectinload

from core.toolkit import User, transaction_scope
from plugins.contacts.models import Customer, Task, TaskEngineer
from plugins.contacts.notices import local_minute
from plugins.contacts.plans import CUSTOMER_DELETED

#: what a deadline reminder is about, for the plugin keeping it (with the task's numeric id)
TASK_RELATED_TYPE = "task"
#: the statuses of a task still to be done by its deadline
OPEN_STATUSES = ("pending", "in_progress")


def _why_not(registry, task: Task) -> str | None:
    """Why the task wants no deadline reminder now (the text a pending one is cancelled with), or None."""
    if task.status == "completed":
        return "任务已完成"
    if task.status == "cancelled":
        return "任务已取消"
    if task.deadline is None:
        return "任务没有截止时间"
    if task.owner_id is None:
        return "任务没有负责人"
    if _switched_off(registry):
        return "截止提醒已关闭"
    return None


def _switched_off(registry) -> bool:
    return not (registry.settings["tessera.contacts.deadline_reminder_minutes"]
                and registry.settings["tessera.contacts.deadline_reminder_channels"])


def follow_deadline(registry, dbsession: Session, user: User, task: Task) -> None:
    """After ``user`` created or changed a task: its owner's deadline reminder follows it, or is dropped."""
    hook = registry.tessera_plugin_manager.hook
    # one change of a task's reminder at a time (PostgreSQL; SQLite's writers queue already): two
    # concurrent edits must not both find no reminder and each make one
    dbsession.execute(select(Task.id).where(Task.id == task.id).with_for_update())
    reason = _why_not(registry, task)
    if reason:
        hook.tessera_drop_deadline_reminder(registry=registry, dbsession=dbsession, user=user,
                                            related_type=TASK_RELATED_TYPE, related_id=task.id, reason=reason)
        task.deadline_reminder_for = None
        return
    customer = task.customer
    kept = hook.tessera_keep_deadline_reminder(
        registry=registry, dbsession=dbsession, user=user, related_type=TASK_RELATED_TYPE, related_id=task.id,
        owner_id=task.owner_id, title=f"任务截止：{task.title}",
        text=(f"您负责的任务 {task.task_code}「{task.title}」将于 {local_minute(registry, task.deadline)} 截止，"
              f"客户「{customer.name}」（{customer.address}）。"),
        deadline=task.deadline, lead_minutes=registry.settings["tessera.contacts.deadline_reminder_minutes"],
        methods=registry.settings["tessera.contacts.deadline_reminder_channels"])
    task.deadline_reminder_for = task.deadline if kept is not None else None


#: tasks handed over per run of ``follow_unfollowed_deadlines``
FOLLOWED_PER_RUN = 200


def follow_unfollowed_deadlines(registry) -> int:
    """Every ten minutes: open tasks with a deadline still ahead that no reminder plugin was asked about
    — made before the site had one, or while the reminders were switched off — get their reminder,
    a batch per run. Returns how many tasks were handed over (0 while no plugin keeps reminders)."""
    if _switched_off(registry):
        return 0
    with transaction_scope(registry) as dbsession:
        tasks = dbsession.scalars(
            select(Task).join(Customer, Customer.id == Task.customer_id)
            .where(Task.deadline_reminder_for.is_(None), Task.deadline > registry.clock.now(),
                   Task.status.in_(OPEN_STATUSES), Task.is_deleted.is_(False), Customer.is_deleted.is_(False),
                   Task.engineer_links.any(TaskEngineer.is_owner.is_(True)))
            .options(contains_eager(Task.customer), selectinload(Task.engineer_links).joinedload(TaskEngineer.engineer))
            .order_by(Task.deadline, Task.id).limit(FOLLOWED_PER_RUN)).all()
        for task in tasks:
            follow_deadline(registry, dbsession, task.owner, task)
        return sum(task.deadline_reminder_for is not None for task in tasks)


def drop_customer_deadlines(registry, dbsession: Session, user: User, customer: Customer) -> None:
    """A deleted customer's tasks went with it: their deadline reminders say so."""
    hook = registry.tessera_plugin_manager.hook
    for task_id in dbsession.scalars(select(Task.id).where(Task.customer_id == customer.id,
                                                           Task.deadline.is_not(None))):
        hook.tessera_drop_deadline_reminder(registry=registry, dbsession=dbsession, user=user,
                                            related_type=TASK_RELATED_TYPE, related_id=task_id,
                                            reason=CUSTOMER_DELETED)
