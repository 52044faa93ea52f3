"""The contacts plugin's share of ``tessera demo-data``: customers with engineers, devices and tasks.

Each customer belongs to a salesperson, is served by one to three engineers,
owns one to three devices and has one or two tasks (numbered as the API numbers
them, with the counters left where the API continues). Engineers get a presence.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select

from core.toolkit import User

from .access import ENGINEER, SALES
from .models import (
    CUSTOMER_LEVELS,
    ENGINEER_STATUSES,
    TASK_PRIORITIES,
    TASK_STATUSES,
    TASK_TYPE_PREFIXES,
    Customer,
    CustomerEngineer,
    Device,
    EngineerPresence,
    Task,
    TaskCounter,
    TaskEngineer,
)

DEVICES = (("气相色谱仪", "Agilent", "7890B"), ("液相色谱仪", "Waters", "e2695"), ("质谱仪", "Thermo", "TSQ"),
           ("离心机", "Eppendorf", "5810R"))


#: customers on a demo site unless ``tessera demo-data --size customers=N`` says otherwise
DEMO_CUSTOMERS = 1000


def add_demo_contacts(registry, dbsession, rng, scale, progress) -> None:
    people = dbsession.execute(select(User.id, User.role).order_by(User.id)).all()
    engineers = [user_id for user_id, role in people if role == ENGINEER]
    sellers = [user_id for user_id, role in people if role == SALES]
    customer_count = scale.size("customers", DEMO_CUSTOMERS)
    if not engineers or not sellers or not customer_count:
        return
    now = registry.clock.now()
    dbsession.execute(insert(EngineerPresence), [
        {"user_id": user_id, "status": rng.choice(ENGINEER_STATUSES),
         "last_active_time": now - dt.timedelta(minutes=rng.randint(0, 600))} for user_id in engineers])
    customers, links, devices = [], [], []
    for number in range(1, customer_count + 1):
        seller = rng.choice(sellers)
        customers.append({
            "id": number, "name": f"演示客户{number}", "level": rng.choice(CUSTOMER_LEVELS), "contact": f"联系人{number}",
            "phone": f"021{number:08d}", "address": f"上海市演示路{number}号", "email": f"customer{number}@example.com",
            "department": "实验室", "position": "主任", "creator_id": seller, "sales_id": seller, "is_deleted": False,
            "created_at": now, "updated_at": now})
        links += [{"customer_id": number, "engineer_id": engineer, "created_by_id": seller, "created_at": now}
                  for engineer in rng.sample(engineers, min(len(engineers), rng.randint(1, 3)))]
        for _ in range(rng.randint(1, 3)):
            name, brand, model = rng.choice(DEVICES)
            devices.append({"id": len(devices) + 1, "customer_id": number, "name": name, "device_type": "分析仪器",
                            "brand": brand, "model": model, "serial_number": f"SN{len(devices) + 1:07d}",
                            "quantity": 1, "is_deleted": False, "created_at": now})
    dbsession.execute(insert(Customer), customers)
    dbsession.execute(insert(CustomerEngineer), links)
    dbsession.execute(insert(Device), devices)
    progress("customers and devices", customer_count, customer_count)
    add_demo_tasks(dbsession, rng, now, devices, links)
    progress("tasks", 1, 1)


def add_demo_tasks(dbsession, rng, now: dt.datetime, devices: list[dict], links: list[dict]) -> None:
    engineers_of: dict[int, list[int]] = {}
    for link in links:
        engineers_of.setdefault(link["customer_id"], []).append(link["engineer_id"])
    counters: dict[str, int] = {}
    tasks, assignments = [], []
    for device in devices:
        if rng.random() < 0.4:
            continue
        task_type = rng.choice(list(TASK_TYPE_PREFIXES))
        prefix = TASK_TYPE_PREFIXES[task_type]
        counters[prefix] = counters.get(prefix, 0) + 1
        task_id = len(tasks) + 1
        status = rng.choice(TASK_STATUSES)
        start = now + dt.timedelta(days=rng.randint(-60, 30))
        tasks.append({"id": task_id, "task_code": f"{prefix}-{now.year}-{counters[prefix]:03d}",
                      "customer_id": device["customer_id"], "device_id": device["id"], "title": f"{device['name']}服务",
                      "task_type": task_type, "status": status, "priority": rng.choice(TASK_PRIORITIES),
                      "start_date": start, "deadline": start + dt.timedelta(days=rng.randint(1, 14)),
                      "completed_date": start + dt.timedelta(days=1) if status == "completed" else None,
                      "is_deleted": False, "created_at": now})
        team = engineers_of[device["customer_id"]]
        assignments += [{"task_id": task_id, "engineer_id": engineer, "is_owner": index == 0}
                        for index, engineer in enumerate(team)]
    if tasks:
        dbsession.execute(insert(Task), tasks)
        dbsession.execute(insert(TaskEngineer), assignments)
        dbsession.execute(insert(TaskCounter), [{"prefix": prefix, "year": now.year, "last_number": last}
                                                for prefix, last in counters.items()])
