"""How the contacts API shows people, customers, devices, tasks and plans (the spec's field names)."""
from __future__ import annotations

from core.toolkit import User
from core.toolkit import isoformat_utc_ms as utc_ms
from plugins.contacts.models import Customer, CustomerPlan, Device, Task


def person_json(person: User) -> dict:
    return {"userId": person.id, "workId": person.work_id, "name": person.name, "mobile": person.mobile,
            "avatar": person.avatar}


def customer_summary_json(customer: Customer, user: User, relation: str, engineer_count: int) -> dict:
    return {
        "customerId": customer.id, "name": customer.name, "level": customer.level, "contact": customer.contact,
        "phone": customer.phone, "address": customer.address, "relationType": relation,
        "isCreator": customer.creator_id == user.id,
        "salesId": customer.sales_id, "salesName": customer.sales.name if customer.sales else None,
        "engineerCount": engineer_count,
    }


def customer_detail_json(customer: Customer, user: User, relation: str) -> dict:
    return {
        "customerId": customer.id, "name": customer.name, "level": customer.level, "contact": customer.contact,
        "phone": customer.phone, "address": customer.address, "email": customer.email,
        "department": customer.department, "position": customer.position, "relationType": relation,
        "isCreator": customer.creator_id == user.id,
        "sales": person_json(customer.sales) if customer.sales else None,
        "engineers": [dict(person_json(link.engineer), isCreator=link.engineer_id == customer.creator_id)
                      for link in customer.engineer_links],
    }


def device_json(device: Device) -> dict:
    return {"deviceId": device.id, "deviceName": device.name, "deviceType": device.device_type, "brand": device.brand,
            "model": device.model, "serialNumber": device.serial_number}


def device_with_tasks_json(device: Device, recent: list[Task]) -> dict:
    return dict(device_json(device), quantity=device.quantity, recentTasks=[
        {"taskId": t.task_code, "title": t.title, "taskType": t.task_type, "status": t.status} for t in recent])


def _task_core(task: Task) -> dict:
    return {"taskId": task.task_code, "title": task.title, "taskType": task.task_type, "status": task.status,
            "priority": task.priority, "deviceName": task.device.name if task.device else None}


def task_brief_json(task: Task) -> dict:
    """A task in a customer's detail: its owner's name only."""
    owner = task.owner
    return dict(_task_core(task), startDate=utc_ms(task.start_date), deadline=utc_ms(task.deadline),
                engineerName=owner.name if owner else None)


def task_json(task: Task) -> dict:
    """A task in lists and as created: its customer's name, address and contact; every engineer, the owner first."""
    customer = task.customer
    return dict(_task_core(task), customerId=task.customer_id, customerName=customer.name,
                customerAddress=customer.address, customerContact=customer.contact, customerPhone=customer.phone,
                deviceId=task.device_id, deviceModel=task.device.model if task.device else None,
                startDate=utc_ms(task.start_date), deadline=utc_ms(task.deadline),
                completedDate=utc_ms(task.completed_date),
                engineers=[{"userId": link.engineer_id, "name": link.engineer.name, "isOwner": link.is_owner}
                           for link in sorted(task.engineer_links, key=lambda each: (not each.is_owner, each.engineer_id))])


def engineer_task_json(task: Task) -> dict:
    return {"taskId": task.task_code, "taskName": task.title, "type": task.task_type, "status": task.status,
            "startTime": utc_ms(task.start_date), "endTime": utc_ms(task.completed_date)}


def plan_json(plan: CustomerPlan) -> dict:
    return {"planId": plan.id, "customerId": plan.customer_id, "title": plan.title, "planTime": utc_ms(plan.plan_time),
            "description": plan.description, "reminderMinutes": plan.reminder_minutes, "scheduleId": plan.schedule_id,
            "status": plan.status}
