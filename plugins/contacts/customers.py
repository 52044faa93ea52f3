"""Creating, changing and deleting customers, and who is assigned to them."""
from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.toolkit import BadRequest, Forbidden, NotFound, User, verify_password
from plugins.contacts.access import ENGINEER, SALES, active_users, require_role
from plugins.contacts.models import Customer, CustomerEngineer, Device, Task

#: the columns a client writes directly
CUSTOMER_FIELDS = ("name", "level", "contact", "phone", "address", "email", "department", "position")


def create_customer(dbsession: Session, clock, user: User, fields: dict) -> Customer:
    """An engineer must name the sales (and is assigned); a sales user is the sales; an admin may name both."""
    sales_id, engineer_ids = fields.get("sales_id"), fields.get("engineer_ids") or []
    if user.role == ENGINEER:
        if sales_id is None:
            raise BadRequest.field("sales_id", "工程师新增客户时必须指定销售")
        if engineer_ids:
            raise Forbidden("只有管理员和销售可以分配工程师")
        engineer_ids = [user.id]
    elif user.role == SALES:
        if sales_id not in (None, user.id):
            raise BadRequest.field("sales_id", "销售新增的客户由自己负责")
        sales_id = user.id
    elif not user.is_admin and (sales_id is not None or engineer_ids):
        raise Forbidden("只有管理员、销售和工程师可以指定销售或工程师")
    if sales_id is not None:
        active_users(dbsession, [sales_id], SALES, "sales_id")
    engineers = active_users(dbsession, engineer_ids, ENGINEER, "engineer_ids")
    now = clock.now()
    customer = Customer(creator_id=user.id, sales_id=sales_id, created_at=now, updated_at=now,
                        **{column: fields.get(column) for column in CUSTOMER_FIELDS})
    customer.engineer_links = [CustomerEngineer(engineer_id=i, created_by_id=user.id, created_at=now) for i in engineers]
    dbsession.add(customer)
    dbsession.flush()
    return customer


def update_customer(customer: Customer, clock, fields: dict) -> None:
    for column in CUSTOMER_FIELDS:
        if column in fields:
            setattr(customer, column, fields[column])
    customer.updated_at = clock.now()


def delete_customer(dbsession: Session, user: User, customer: Customer, password: str) -> None:
    """Admins, the creator and the customer's sales may delete, confirming with their own password.

    The customer's devices and tasks are hidden with it.
    """
    if not (user.is_admin or user.id in (customer.creator_id, customer.sales_id)):
        raise Forbidden("只有管理员、创建者和负责销售可以删除客户")
    if not verify_password(user.password_hash, password):
        raise Forbidden("密码错误")
    customer.is_deleted = True
    for model in (Device, Task):
        dbsession.execute(update(model).where(model.customer_id == customer.id).values(is_deleted=True))


def assign_sales(dbsession: Session, user: User, customer: Customer, sales_id: int) -> None:
    require_role(user, (ENGINEER,), "只有管理员和工程师可以分配销售")
    active_users(dbsession, [sales_id], SALES, "sales_id")
    customer.sales_id = sales_id


def assign_engineers(dbsession: Session, clock, user: User, customer: Customer, engineer_ids: list[int]) -> None:
    """Adds the engineers; those already assigned keep their original assignment."""
    require_role(user, (SALES,), "只有管理员和销售可以分配工程师")
    engineers = active_users(dbsession, engineer_ids, ENGINEER, "engineer_ids")
    assigned = {link.engineer_id for link in customer.engineer_links}
    now = clock.now()
    customer.engineer_links.extend(
        CustomerEngineer(engineer_id=i, created_by_id=user.id, created_at=now) for i in engineers if i not in assigned)


def remove_engineer(user: User, customer: Customer, engineer_id: int) -> None:
    require_role(user, (SALES,), "只有管理员和销售可以移除工程师")
    link = next((link for link in customer.engineer_links if link.engineer_id == engineer_id), None)
    if link is None:
        raise NotFound("该工程师未负责此客户")
    customer.engineer_links.remove(link)


def engineer_counts(dbsession: Session, customer_ids: list[int]) -> dict[int, int]:
    """Assigned engineers per customer, in one grouped query."""
    if not customer_ids:
        return {}
    rows = dbsession.execute(
        select(CustomerEngineer.customer_id, func.count()).where(CustomerEngineer.customer_id.in_(customer_ids))
        .group_by(CustomerEngineer.customer_id))
    return dict(rows.all())
