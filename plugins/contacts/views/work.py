"""A customer's devices and tasks: the spec's two lists, and managing them (our addition)."""
from __future__ import annotations

from core.toolkit import api_service, current_user, ok, paginate, path_id
from plugins.contacts import work as service
from plugins.contacts.access import CUSTOMERS_PERMISSION, get_visible_customer
from plugins.contacts.deadlines import follow_deadline
from plugins.contacts.events import task_changed
from plugins.contacts.notices import task_assigned
from plugins.contacts.schemas import (
    CreateDeviceRequest,
    CreateTaskRequest,
    ListDevicesRequest,
    ListTasksRequest,
    TaskStatusRequest,
    UpdateDeviceRequest,
    UpdateTaskRequest,
)
from plugins.contacts.shapes import device_with_tasks_json, task_json
from plugins.contacts.views.edge import api_field_names, snake_case

CUSTOMER = "/api/v1/contacts/customers/{customerId:\\d+}"
customer_devices = api_service(name="contacts.customer_devices", path=CUSTOMER + "/devices",
                               description="A customer's devices with their recent tasks; add one.")
device = api_service(name="contacts.device", path="/api/v1/contacts/devices/{deviceId:\\d+}",
                     description="Change or delete a device.")
customer_tasks = api_service(name="contacts.customer_tasks", path=CUSTOMER + "/tasks",
                             description="A customer's tasks; add one.")
task = api_service(name="contacts.task", path="/api/v1/contacts/tasks/{taskId}", description="One task: show or change it.")
task_status = api_service(name="contacts.task_status", path="/api/v1/contacts/tasks/{taskId}/status",
                          description="Move a task to another status.")


def _customer(request):
    return get_visible_customer(request.dbsession, current_user(request), path_id(request, "customerId", "客户不存在"))


def _device(request):
    return service.get_visible_device(request.dbsession, current_user(request), path_id(request, "deviceId", "设备不存在"))


def _task(request, engineers_on_it_too: bool = False):
    return service.get_visible_task(request.dbsession, current_user(request), request.matchdict["taskId"],
                                    engineers_on_it_too)


@customer_devices.get(schema=ListDevicesRequest(), permission=CUSTOMERS_PERMISSION)
def list_devices(request):
    query = request.validated["querystring"]
    page = paginate(request.dbsession, service.device_search(_customer(request).id, query["keyword"]),
                    query["page"], query["size"])
    recent = service.recent_tasks_by_device(request.dbsession, [d.id for d in page.items])
    return ok(request, page.as_total_pages([device_with_tasks_json(d, recent.get(d.id, [])) for d in page.items]),
              "获取成功")


@customer_devices.post(schema=CreateDeviceRequest(), permission=CUSTOMERS_PERMISSION)
def create_device(request):
    created = service.create_device(request.dbsession, request.registry.clock, _customer(request),
                                    snake_case(request.validated["body"]))
    return ok(request, device_with_tasks_json(created, []), "添加成功")


@device.put(schema=UpdateDeviceRequest(), permission=CUSTOMERS_PERMISSION)
def update_device(request):
    found = _device(request)
    service.update_device(found, snake_case(request.validated["body"]))
    return ok(request, device_with_tasks_json(found, service.recent_tasks_by_device(
        request.dbsession, [found.id]).get(found.id, [])), "修改成功")


@device.delete(permission=CUSTOMERS_PERMISSION)
def delete_device(request):
    _device(request).is_deleted = True
    return ok(request, None, "删除成功")


@customer_tasks.get(schema=ListTasksRequest(), permission=CUSTOMERS_PERMISSION)
def list_tasks(request):
    query = request.validated["querystring"]
    statement = service.task_search(_customer(request).id, query["status"], query["taskType"])
    page = paginate(request.dbsession, statement, query["page"], query["size"])
    return ok(request, page.as_total_pages([task_json(t) for t in page.items]), "获取成功")


@customer_tasks.post(schema=CreateTaskRequest(), permission=CUSTOMERS_PERMISSION)
def create_task(request):
    with api_field_names():
        created = service.create_task(request.dbsession, request.registry, _customer(request),
                                      snake_case(request.validated["body"]))
    task_changed(request.registry, request.dbsession, created, "created")
    follow_deadline(request.registry, request.dbsession, current_user(request), created)
    task_assigned(request, created, [link.engineer_id for link in created.engineer_links])
    return ok(request, task_json(created), "添加成功")


@task.get(permission=CUSTOMERS_PERMISSION)
def get_task(request):
    return ok(request, task_json(_task(request, engineers_on_it_too=True)), "获取成功")


@task.put(schema=UpdateTaskRequest(), permission=CUSTOMERS_PERMISSION)
def update_task(request):
    found = _task(request)
    before = {link.engineer_id for link in found.engineer_links}
    with api_field_names():
        service.update_task(request.dbsession, request.registry, found, snake_case(request.validated["body"]))
    task_changed(request.registry, request.dbsession, found, "updated")
    follow_deadline(request.registry, request.dbsession, current_user(request), found)
    task_assigned(request, found, [link.engineer_id for link in found.engineer_links if link.engineer_id not in before])
    return ok(request, task_json(found), "修改成功")


@task_status.post(schema=TaskStatusRequest(), permission=CUSTOMERS_PERMISSION)
def post_task_status(request):
    found = _task(request, engineers_on_it_too=True)
    service.set_task_status(found, request.registry.clock, request.validated["body"]["status"])
    task_changed(request.registry, request.dbsession, found, "status_changed")
    follow_deadline(request.registry, request.dbsession, current_user(request), found)
    return ok(request, task_json(found), "状态更新成功")


SERVICES = (customer_devices, device, customer_tasks, task, task_status)
