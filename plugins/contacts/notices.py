"""Telling people they were assigned to a customer or a task.

The notice goes out after the change commits (a rolled-back assignment tells
nobody), from a background task, through the channels of
``tessera.contacts.assignment_channels`` (the in-app inbox, ``system``, by default).
Whoever made the assignment is not told about it.
"""
from __future__ import annotations

import logging

from core.toolkit import Notification, current_user, enqueue_after_commit, send_to_users
from plugins.contacts.models import Customer, Task

log = logging.getLogger(__name__)

TEMPLATE = "contacts_assignment"
TASK_NAME = "contacts.send_assignment_notices"


def customer_assigned(request, customer: Customer, user_ids) -> None:
    subject = f"客户分配：{customer.name}"
    text = f"您已被分配负责客户「{customer.name}」（联系人：{customer.contact}，{customer.phone}，地址：{customer.address}）。"
    _notify_after_commit(request, user_ids, subject, text, {"kind": "customer", "customerId": customer.id,
                                                            "customerName": customer.name})


def task_assigned(request, task: Task, user_ids) -> None:
    customer = task.customer
    subject = f"任务分配：{task.task_code} {task.title}"
    lines = [f"您已被分配任务 {task.task_code}「{task.title}」，客户「{customer.name}」（{customer.address}）。"]
    if task.deadline is not None:
        lines.append(f"截止时间：{local_minute(request.registry, task.deadline)}")
    _notify_after_commit(request, user_ids, subject, "\n".join(lines), {
        "kind": "task", "taskId": task.task_code, "title": task.title, "customerId": customer.id,
        "customerName": customer.name})


def local_minute(registry, moment) -> str:
    """``2024-06-16 02:00``: an instant as the site's people read it in a message."""
    return moment.astimezone(registry.site_timezone).strftime("%Y-%m-%d %H:%M")


def _notify_after_commit(request, user_ids, subject: str, text: str, params: dict) -> None:
    actor = current_user(request).id
    wanted = [user_id for user_id in dict.fromkeys(user_ids) if user_id not in (None, actor)]
    if wanted:
        key = f"contacts-assignment:{params['kind']}:{request.request_id}"
        enqueue_after_commit(request, TASK_NAME, wanted, subject, text, params, key)


def send_assignment_notices(registry, user_ids: list[int], subject: str, text: str, params: dict, key: str) -> None:
    """The background task: one message per person and configured channel where they have an address."""
    channels = registry.settings["tessera.contacts.assignment_channels"]
    for name in channels:
        if name not in registry.tessera_channels:
            log.warning("assignment notices: channel %r is not enabled on this site; skipped", name)
    notification = Notification(template=TEMPLATE, subject=subject, text=text, params=params)
    for user_id, name, result in send_to_users(registry, user_ids, channels, notification, key):
        if not result.ok:
            log.warning("assignment notice to user %s via %s not sent: %s", user_id, name, result.detail)
