"""A customer's devices and tasks: creating and changing them, task ids, and the queries lists share."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from core.toolkit import BadRequest, NotFound, User, contains_text, site_aware
from plugins.contacts.access import ENGINEER, active_users, visible_customers
from plugins.contacts.models import TASK_TYPE_PREFIXES, Customer, Device, Task, TaskCounter, TaskEngineer

#: field -> column, for the fields a client writes directly
DEVICE_FIELDS = {"device_name": "name", "device_type": "device_type", "brand": "brand", "model": "model",
                 "serial_number": "serial_number", "quantity": "quantity"}
RECENT_TASKS_PER_DEVICE = 3


# --- devices -----------------------------------------------------------------------

def create_device(dbsession: Session, clock, customer: Customer, fields: dict) -> Device:
    device = Device(customer_id=customer.id, created_at=clock.now(),
                    **{column: fields[name] for name, column in DEVICE_FIELDS.items() if name in fields})
    dbsession.add(device)
    dbsession.flush()
    return device


def update_device(device: Device, fields: dict) -> None:
    for name, column in DEVICE_FIELDS.items():
        if name in fields:
            setattr(device, column, fields[name])


def get_visible_device(dbsession: Session, user: User, device_id: int) -> Device:
    device = dbsession.scalar(
        select(Device).join(Customer, Customer.id == Device.customer_id)
        .where(Device.id == device_id, Device.is_deleted.is_(False), visible_customers(user)))
    if device is None:
        raise NotFound("设备不存在")
    return device


def recent_tasks_by_device(dbsession: Session, device_ids: list[int]) -> dict[int, list[Task]]:
    """The newest few live tasks of each device, in one query (a window function)."""
    if not device_ids:
        return {}
    rank = func.row_number().over(partition_by=Task.device_id, order_by=Task.id.desc()).label("rank")
    ranked = (select(Task.id, rank).where(Task.device_id.in_(device_ids), Task.is_deleted.is_(False))
              .subquery())
    tasks = dbsession.scalars(
        select(Task).join(ranked, ranked.c.id == Task.id).where(ranked.c.rank <= RECENT_TASKS_PER_DEVICE)
        .order_by(Task.id.desc()))
    grouped: dict[int, list[Task]] = {}
    for task in tasks:
        grouped.setdefault(task.device_id, []).append(task)
    return grouped


def device_search(customer_id: int, keyword: str | None):
    statement = select(Device).where(Device.customer_id == customer_id, Device.is_deleted.is_(False))
    if keyword:
        statement = statement.where(contains_text(keyword, Device.name, Device.device_type, Device.brand, Device.model,
                                                  Device.serial_number))
    return statement.order_by(Device.id)


# --- tasks ---------------------------------------------------------------------------

def next_task_code(dbsession: Session, task_type: str, year: int) -> str:
    """``RP-2024-001``: the next number of this type's prefix in this year.

    The counter row is bumped with an UPDATE, which locks it until the
    transaction ends, so concurrent creators get different numbers; the first
    of a year inserts the row in a savepoint and retries if another did first.
    """
    prefix = TASK_TYPE_PREFIXES[task_type]
    where = (TaskCounter.prefix == prefix, TaskCounter.year == year)
    for _attempt in range(3):
        bumped = dbsession.execute(
            update(TaskCounter).where(*where).values(last_number=TaskCounter.last_number + 1)
            .execution_options(synchronize_session=False))
        if bumped.rowcount:
            break
        try:
            with dbsession.begin_nested():
                dbsession.execute(insert(TaskCounter).values(prefix=prefix, year=year, last_number=1))
            break
        except IntegrityError:
            continue
    else:
        raise RuntimeError(f"could not number a task {prefix}-{year}: its counter row keeps conflicting")
    number = dbsession.scalar(select(TaskCounter.last_number).where(*where))
    return f"{prefix}-{year}-{number:03d}"


def _task_device(dbsession: Session, customer: Customer, device_id: int | None) -> int | None:
    if device_id is None:
        return None
    found = dbsession.scalar(select(Device.id).where(
        Device.id == device_id, Device.customer_id == customer.id, Device.is_deleted.is_(False)))
    if found is None:
        raise BadRequest.field("device_id", "设备不存在或不属于该客户")
    return found


def _task_engineers(dbsession: Session, engineer_ids: list[int], owner_id: int | None) -> list[TaskEngineer]:
    """The task's engineers; the owner must be one of them (the first one when none is named)."""
    engineers = active_users(dbsession, engineer_ids, ENGINEER, "engineer_ids")
    if owner_id is not None and owner_id not in engineers:
        raise BadRequest.field("owner_id", "负责人必须是任务的工程师之一")
    owner_id = owner_id if owner_id is not None else next(iter(engineers), None)
    return [TaskEngineer(engineer_id=i, is_owner=i == owner_id) for i in engineers]


def _times(registry, fields: dict) -> dict:
    return {column: site_aware(registry, fields[column]) if fields[column] else None
            for column in ("start_date", "deadline") if column in fields}


def create_task(dbsession: Session, registry, customer: Customer, fields: dict) -> Task:
    now = registry.clock.now()
    year = now.astimezone(registry.site_timezone).year
    task = Task(customer=customer, title=fields["title"], task_type=fields["task_type"],
                priority=fields["priority"], status="pending", created_at=now,
                device_id=_task_device(dbsession, customer, fields.get("device_id")), **_times(registry, fields))
    task.engineer_links = _task_engineers(dbsession, fields.get("engineer_ids") or [], fields.get("owner_id"))
    task.task_code = next_task_code(dbsession, task.task_type, year)
    dbsession.add(task)
    dbsession.flush()
    return task


def update_task(dbsession: Session, registry, task: Task, fields: dict) -> None:
    """Changes what was given; the type is fixed, since it names the task id."""
    for name in ("title", "priority"):
        if name in fields:
            setattr(task, name, fields[name])
    if "device_id" in fields:
        task.device_id = _task_device(dbsession, task.customer, fields["device_id"])
    for column, value in _times(registry, fields).items():
        setattr(task, column, value)
    if "engineer_ids" in fields or "owner_id" in fields:
        engineer_ids = fields.get("engineer_ids", [link.engineer_id for link in task.engineer_links])
        task.engineer_links = _task_engineers(dbsession, engineer_ids, fields.get("owner_id"))
        dbsession.flush()


def set_task_status(task: Task, clock, status: str) -> None:
    """Completing stamps ``completed_date``; leaving ``completed`` clears it; starting stamps a missing start."""
    now = clock.now()
    if status == "completed" and task.status != "completed":
        task.completed_date = now
    elif status != "completed":
        task.completed_date = None
    if status == "in_progress" and task.start_date is None:
        task.start_date = now
    if status != task.status:
        task.status_changed_at = now
    task.status = status


def get_visible_task(dbsession: Session, user: User, task_code: str, engineers_on_it_too: bool = False) -> Task:
    """The task if ``user`` sees its customer, or — with ``engineers_on_it_too`` — is one of its engineers."""
    access = visible_customers(user)
    if engineers_on_it_too:
        on_it = exists().where(TaskEngineer.task_id == Task.id, TaskEngineer.engineer_id == user.id)
        access = or_(access, and_(Customer.is_deleted.is_(False), on_it))
    task = dbsession.scalar(
        select(Task).join(Customer, Customer.id == Task.customer_id)
        .where(Task.task_code == task_code, Task.is_deleted.is_(False), access)
        .options(contains_eager(Task.customer), selectinload(Task.engineer_links).joinedload(TaskEngineer.engineer)))
    if task is None:
        raise NotFound("任务不存在")
    return task


def task_search(customer_id: int, status: str | None, task_type: str | None):
    statement = (select(Task).where(Task.customer_id == customer_id, Task.is_deleted.is_(False))
                 .options(*task_loads()).order_by(Task.id))
    if status:
        statement = statement.where(Task.status == status)
    if task_type:
        statement = statement.where(Task.task_type == task_type)
    return statement


def task_loads():
    """What showing a task needs, loaded eagerly: its customer, its device and its engineers."""
    return (joinedload(Task.customer), joinedload(Task.device),
            selectinload(Task.engineer_links).joinedload(TaskEngineer.engineer))


#: what the engineers' status board shows of each one's tasks in progress
BOARD_TASK_COLUMNS = (Task.task_code, Task.title, Task.status_since.label("status_since"))


def engineer_tasks(dbsession: Session, engineer_ids: list[int], status: str, limit: int | None = None,
                   columns: tuple = (Task,)):
    """Live tasks of live customers in ``status`` that these engineers work on, newest first: rows of the
    engineer's id and the task (or only the task's ``columns``: the status board reads a hundred engineers')."""
    statement = (select(TaskEngineer.engineer_id, *columns).join(Task, Task.id == TaskEngineer.task_id)
                 .join(Customer, Customer.id == Task.customer_id)
                 .where(TaskEngineer.engineer_id.in_(engineer_ids), Task.status == status,
                        Task.is_deleted.is_(False), Customer.is_deleted.is_(False))
                 .order_by(Task.id.desc()))
    if limit:
        statement = statement.limit(limit)
    return dbsession.execute(statement).all() if engineer_ids else []


def calendar_items(dbsession: Session, user: User, start: dt.datetime, end: dt.datetime) -> list[dict]:
    """The tasks ``user`` works on that span part of [start, end) from their start date to their deadline
    (cancelled ones and those without both dates stay off calendars): ``tessera_calendar_items``."""
    # rows, not objects: every today, week and month view asks, for people with tasks or without
    tasks = dbsession.connection().execute(
        select(Task.task_code, Task.title, Task.status, Task.start_date, Task.deadline, Customer.name, Customer.address)
        .join(TaskEngineer, TaskEngineer.task_id == Task.id).join(Customer, Customer.id == Task.customer_id)
        .where(TaskEngineer.engineer_id == user.id, Task.is_deleted.is_(False), Customer.is_deleted.is_(False),
               Task.status != "cancelled", Task.start_date < end, Task.deadline >= start)
        .order_by(Task.start_date, Task.id))
    return [{"kind": "task", "id": code, "title": title, "status": status, "start": start_date, "end": deadline,
             "customer_name": customer_name, "customer_address": address, "url": f"/api/v1/contacts/tasks/{code}"}
            for code, title, status, start_date, deadline, customer_name, address in tasks]
