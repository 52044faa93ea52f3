"""The business events the contacts plugin publishes (``core.toolkit.publish_event``).

Each carries ``action`` (what happened) and the object as it now is; listeners such
as the webhooks plugin pass them on. The types are listed by ``tessera_event_types``.
"""
from __future__ import annotations

from core.toolkit import isoformat_utc_ms, publish_event
from plugins.contacts.models import Customer, CustomerPlan, Task
from plugins.contacts.shapes import plan_json, task_json

EVENT_TYPES = {
    "customer.changed": "a customer was created, changed, deleted, or its sales or engineers changed "
                        "(action: created/updated/deleted/sales_assigned/engineers_assigned/engineer_removed)",
    "task.changed": "a task was created, changed or moved to another status (action: created/updated/status_changed)",
    "plan.changed": "a follow-up plan was created, changed or deleted, through the contacts API or by its schedule "
                    "(action: created/updated/deleted)",
}


def customer_changed(registry, dbsession, customer: Customer, action: str) -> None:
    dbsession.flush()
    publish_event(registry, dbsession, "customer.changed", {"action": action, "customer": {
        "customerId": customer.id, "name": customer.name, "level": customer.level, "contact": customer.contact,
        "phone": customer.phone, "address": customer.address, "email": customer.email,
        "department": customer.department, "position": customer.position, "salesId": customer.sales_id,
        "engineerIds": [link.engineer_id for link in customer.engineer_links], "isDeleted": customer.is_deleted,
        "updatedAt": isoformat_utc_ms(customer.updated_at)}})


def task_changed(registry, dbsession, task: Task, action: str) -> None:
    dbsession.flush()
    publish_event(registry, dbsession, "task.changed", {"action": action, "task": task_json(task)})


def plan_changed(registry, dbsession, plan: CustomerPlan, action: str) -> None:
    dbsession.flush()
    publish_event(registry, dbsession, "plan.changed", {"action": action, "plan": plan_json(plan)})
