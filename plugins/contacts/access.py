"""Who may see which customer, and the roles the contacts API distinguishes.

Admins see every customer; a sales user the customers they are the sales of or
created; anyone else (engineers, and roles a site grants ``contacts.customers``)
the customers they are assigned to or created. A customer the caller may not
see does not exist for them: every customer endpoint answers 404.
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import and_, bindparam, exists, literal, or_, select, true, union_all
from sqlalchemy.orm import Session

from core.toolkit import BadRequest, Forbidden, NotFound, User
from plugins.contacts.models import Customer, CustomerEngineer, CustomerPlan

ADMIN, SALES, ENGINEER = "admin", "sales", "engineer"
#: the permission of every customer, device, task and plan endpoint
CUSTOMERS_PERMISSION = "contacts.customers"


def visible_customers(user: User):
    """A WHERE clause: the live customers ``user`` may see."""
    if user.is_admin:
        rule = true()
    elif user.role == SALES:
        rule = or_(Customer.sales_id == user.id, Customer.creator_id == user.id)
    else:
        assigned = exists().where(CustomerEngineer.customer_id == Customer.id, CustomerEngineer.engineer_id == user.id)
        rule = or_(Customer.creator_id == user.id, assigned)
    return and_(Customer.is_deleted.is_(False), rule)


_TEAM_CUSTOMERS = select(Customer.id).where(
    Customer.is_deleted.is_(False),
    or_(Customer.sales_id == bindparam("user_id"), Customer.id.in_(
        select(CustomerEngineer.customer_id).where(CustomerEngineer.engineer_id == bindparam("user_id")))))
# a customer's and its plans' ids in one round trip, built once: every list and detail of schedules asks
_TEAM_OBJECTS = union_all(
    select(literal("customer"), _TEAM_CUSTOMERS.subquery().c.id),
    select(literal("customer_plan"), CustomerPlan.id).where(CustomerPlan.customer_id.in_(_TEAM_CUSTOMERS)))


def schedule_team_reads(dbsession: Session, user: User) -> list[tuple[str, list[int]]]:
    """The objects whose schedules ``user`` reads as one of their customer's team (its sales, its assigned
    engineers): those customers and their plans (``tessera_schedule_readers``)."""
    found: dict[str, list[int]] = {"customer": [], "customer_plan": []}
    for kind, object_id in dbsession.connection().execute(_TEAM_OBJECTS, {"user_id": user.id}).all():
        found[kind].append(object_id)
    return list(found.items()) if found["customer"] else []


def relation_type(user: User) -> str:
    """How the caller is related to the customers they see (the spec's ``relationType``)."""
    if user.is_admin:
        return ADMIN
    if user.role in (SALES, ENGINEER):
        return user.role
    return "creator"


def get_visible_customer(dbsession: Session, user: User, customer_id: int, *options) -> Customer:
    customer = dbsession.scalar(
        select(Customer).where(Customer.id == customer_id, visible_customers(user)).options(*options))
    if customer is None:
        raise NotFound("客户不存在")
    return customer


def require_role(user: User, roles: Iterable[str], message: str) -> None:
    if not user.is_admin and user.role not in roles:
        raise Forbidden(message)


def active_users(dbsession: Session, ids: Iterable[int], role: str, field: str) -> dict[int, User]:
    """The active users of ``role`` with these ids, by id; 400 naming ``field`` when one is not."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    found = {u.id: u for u in dbsession.scalars(
        select(User).where(User.id.in_(wanted), User.role == role, User.is_active.is_(True)))}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise BadRequest.field(field, f"用户 {', '.join(map(str, missing))} 不是有效的{_ROLE_NAMES[role]}")
    return {i: found[i] for i in wanted}


_ROLE_NAMES = {SALES: "销售", ENGINEER: "工程师"}
