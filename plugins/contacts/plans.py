"""Follow-up plans with customers, and what the schedule plugin may know about customers.

Nothing here imports the schedule plugin: a plan asks for its schedule through
``tessera_create_plan_schedule``, and a customer's upcoming schedules come from
``tessera_related_schedules``. Without the schedule plugin both answer nothing.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.toolkit import User
from plugins.contacts.access import get_visible_customer, visible_customers
from plugins.contacts.models import Customer, CustomerPlan

UPCOMING_SCHEDULES = 5


def create_plan(dbsession: Session, user: User, customer: Customer, title: str, plan_time: dt.datetime,
                description: str, reminder_minutes: int, schedule_id: int | None = None) -> CustomerPlan:
    plan = CustomerPlan(customer_id=customer.id, title=title, plan_time=plan_time, description=description,
                        reminder_minutes=reminder_minutes, schedule_id=schedule_id, creator_id=user.id)
    dbsession.add(plan)
    dbsession.flush()
    return plan


def create_plan_with_schedule(registry, dbsession: Session, user: User, customer: Customer, **fields) -> CustomerPlan:
    """A plan made through the contacts API: the schedule plugin, when enabled, adds its schedule."""
    plan = create_plan(dbsession, user, customer, **fields)
    plan.schedule_id = registry.tessera_plugin_manager.hook.tessera_create_plan_schedule(
        registry=registry, dbsession=dbsession, user=user, plan_id=plan.id, customer_id=customer.id, title=plan.title,
        plan_time=plan.plan_time, description=plan.description, reminder_minutes=plan.reminder_minutes)
    return plan


def create_plan_for_schedule(dbsession: Session, user: User, customer_id: int, title: str, plan_time: dt.datetime,
                             description: str | None, reminder_minutes: int | None, schedule_id: int) -> int:
    """A plan whose schedule the schedule plugin already made; NotFound when ``user`` may not see the customer."""
    customer = get_visible_customer(dbsession, user, customer_id)
    plan = create_plan(dbsession, user, customer, title, plan_time, description or "",
                       30 if reminder_minutes is None else reminder_minutes, schedule_id)
    return plan.id


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
            .where(CustomerPlan.id == related_id, visible_customers(user))).first()
        if row is None:
            return None
        plan, customer = row
        return {"id": plan.id, "name": customer.name, "contact_person": customer.contact,
                "customer_id": customer.id, "title": plan.title}
    return None


def upcoming_schedules(registry, dbsession: Session, user: User, customer: Customer) -> list[dict]:
    """The next schedules about a customer or its plans, soonest first (empty without the schedule plugin)."""
    plan_ids = list(dbsession.scalars(select(CustomerPlan.id).where(CustomerPlan.customer_id == customer.id)))
    found: list[dict] = []
    hook = registry.tessera_plugin_manager.hook.tessera_related_schedules
    for related_type, ids in (("customer", [customer.id]), ("customer_plan", plan_ids)):
        if ids:
            for answer in hook(registry=registry, dbsession=dbsession, user=user, related_type=related_type, related_ids=ids,
                               limit=UPCOMING_SCHEDULES):
                found.extend(answer or ())
    found.sort(key=lambda schedule: schedule["start_time"])
    return found[:UPCOMING_SCHEDULES]
