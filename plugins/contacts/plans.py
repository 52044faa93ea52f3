"""Follow-up plans with customers, and what the schedule plugin may know about customers.

Nothing here imports the schedule plugin: a plan asks for its schedule through
``tessera_create_plan_schedule``, and a customer's upcoming schedules come from
``tessera_related_schedules`` (both declared in hookspecs.py). Without the schedule
plugin both answer nothing.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.toolkit import NotFound, User
from plugins.contacts.access import visible_customers
from plugins.contacts.events import plan_changed
from plugins.contacts.models import Customer, CustomerPlan

UPCOMING_SCHEDULES = 5


def create_plan(registry, dbsession: Session, user: User, customer: Customer, title: str, plan_time: dt.datetime,
                description: str, reminder_minutes: int) -> CustomerPlan:
    """Every plan is made here, whichever API asked: the plan, then the schedule that follows it, when a plugin keeps schedules."""
    plan = CustomerPlan(customer_id=customer.id, title=title, plan_time=plan_time, description=description,
                        reminder_minutes=reminder_minutes, creator_id=user.id)
    dbsession.add(plan)
    dbsession.flush()
    plan.schedule_id = registry.tessera_plugin_manager.hook.tessera_create_plan_schedule(
        registry=registry, dbsession=dbsession, user=user, plan_id=plan.id, customer_id=customer.id, title=title,
        plan_time=plan_time, description=description, reminder_minutes=reminder_minutes)
    plan_changed(registry, dbsession, plan, "created")
    return plan


#: the plan columns a client changes
PLAN_FIELDS = ("title", "plan_time", "description", "reminder_minutes", "status")
CUSTOMER_DELETED = "客户已删除"
PLAN_DELETED = "计划已删除"


def get_visible_plan(dbsession: Session, user: User, plan_id: int) -> CustomerPlan:
    plan = dbsession.scalar(select(CustomerPlan).join(Customer, Customer.id == CustomerPlan.customer_id).where(
        CustomerPlan.id == plan_id, CustomerPlan.is_deleted.is_(False), visible_customers(user)))
    if plan is None:
        raise NotFound("计划不存在")
    return plan


def update_plan(registry, dbsession: Session, user: User, plan: CustomerPlan, fields: dict) -> None:
    """Change the plan; its schedule, when it has one, follows once (``tessera_change_plan_schedule``)."""
    for column in PLAN_FIELDS:
        if column in fields:
            setattr(plan, column, fields[column])
    if plan.schedule_id is not None:
        registry.tessera_plugin_manager.hook.tessera_change_plan_schedule(
            registry=registry, dbsession=dbsession, user=user, plan_id=plan.id, schedule_id=plan.schedule_id,
            title=plan.title, plan_time=plan.plan_time, description=plan.description,
            reminder_minutes=plan.reminder_minutes, status=plan.status)
    plan_changed(registry, dbsession, plan, "updated")


def delete_plan(registry, dbsession: Session, user: User, plan: CustomerPlan, reason: str = PLAN_DELETED) -> None:
    """Delete the plan and its schedule, whose pending reminders are cancelled saying ``reason``."""
    plan.is_deleted = True
    if plan.schedule_id is not None:
        registry.tessera_plugin_manager.hook.tessera_remove_plan_schedule(
            registry=registry, dbsession=dbsession, user=user, plan_id=plan.id, schedule_id=plan.schedule_id,
            reason=reason)
    plan_changed(registry, dbsession, plan, "deleted")


def delete_customer_plans(registry, dbsession: Session, user: User, customer: Customer) -> None:
    """A deleted customer's plans go with it, and their schedules' reminders say so."""
    for plan in dbsession.scalars(select(CustomerPlan).where(CustomerPlan.customer_id == customer.id,
                                                             CustomerPlan.is_deleted.is_(False))):
        delete_plan(registry, dbsession, user, plan, CUSTOMER_DELETED)


def related_info(dbsession: Session, user: User, related_type: str, related_id: int) -> dict | None:
    """``customer`` -> the customer; ``customer_plan`` -> the plan's customer, with the plan's id and title."""
    if user is None:
        return None
    if related_type == "customer":
        customer = dbsession.scalar(select(Customer).where(Customer.id == related_id, visible_customers(user)))
        return customer and {"id": customer.id, "name": customer.name, "contact_person": customer.contact}
    if related_type == "customer_plan":
        row = dbsession.execute(
            select(CustomerPlan, Customer).join(Customer, Customer.id == CustomerPlan.customer_id)
            .where(CustomerPlan.id == related_id, CustomerPlan.is_deleted.is_(False), visible_customers(user))).first()
        if row is None:
            return None
        plan, customer = row
        return {"id": plan.id, "name": customer.name, "contact_person": customer.contact,
                "customer_id": customer.id, "title": plan.title}
    return None


def upcoming_schedules(registry, dbsession: Session, user: User, customer: Customer) -> list[dict]:
    """The next schedules about a customer or its plans, soonest first (empty without the schedule plugin)."""
    plan_ids = list(dbsession.scalars(select(CustomerPlan.id).where(CustomerPlan.customer_id == customer.id,
                                                                    CustomerPlan.is_deleted.is_(False))))
    found: list[dict] = []
    hook = registry.tessera_plugin_manager.hook.tessera_related_schedules
    for related_type, ids in (("customer", [customer.id]), ("customer_plan", plan_ids)):
        if ids:
            for answer in hook(registry=registry, dbsession=dbsession, user=user, related_type=related_type, related_ids=ids,
                               limit=UPCOMING_SCHEDULES):
                found.extend(answer or ())
    found.sort(key=lambda schedule: schedule["start_time"])
    return found[:UPCOMING_SCHEDULES]


def follow_schedule(registry, dbsession: Session, change: str, plan_id: int, schedule_id: int, title: str,
                    start_time: dt.datetime, description: str, reminder_minutes: int, status: str) -> None:
    """A plan's schedule was changed or deleted through the schedule API: the plan takes the same time,
    title, description, reminder and status, or goes with it (``tessera_related_schedule_changed``)."""
    plan = dbsession.scalar(select(CustomerPlan).where(CustomerPlan.id == plan_id, CustomerPlan.schedule_id == schedule_id,
                                                       CustomerPlan.is_deleted.is_(False)))
    if plan is None:
        return
    if change == "deleted":
        plan.is_deleted = True
    else:
        plan.title, plan.plan_time, plan.description = title, start_time, description
        plan.reminder_minutes, plan.status = reminder_minutes, status
    plan_changed(registry, dbsession, plan, change)


def plan_parts(dbsession: Session, related_type: str, related_id: int) -> list[tuple[str, list[int]]] | None:
    """A customer's live plans are part of it: ``by_related`` for the customer lists their schedules too."""
    if related_type != "customer":
        return None
    return [("customer_plan", list(dbsession.scalars(select(CustomerPlan.id).where(
        CustomerPlan.customer_id == related_id, CustomerPlan.is_deleted.is_(False)))))]
