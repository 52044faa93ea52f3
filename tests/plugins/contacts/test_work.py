"""A customer's devices and tasks: the spec's lists, and managing them."""
from __future__ import annotations

import datetime as dt
import threading

import pytest

from core.toolkit import transaction_scope
from plugins.contacts.models import Device, Task, TaskEngineer
from plugins.contacts.work import next_task_code

pytestmark = pytest.mark.plugins("contacts")


def test_customer_tasks_as_in_the_spec(world, spec_customer):
    gc, lc = spec_customer["devices"]
    data = world.call("GET", f"{spec_customer['path']}/tasks", world.zhangsan)["data"]
    assert {k: data[k] for k in ("total", "pages", "current", "size")} == {"total": 2, "pages": 1, "current": 1, "size": 10}
    customer_id = spec_customer["customer"]["customerId"]
    customer = {"customerName": "上海医疗器械有限公司", "customerAddress": "上海市浦东新区张江高科技园区",
                "customerContact": "张经理", "customerPhone": "13800138001"}
    assert data["list"] == [
        {"taskId": "RP-2024-001", "title": "气相色谱仪维修", "taskType": "repair", "status": "in_progress",
         "priority": "high", "deviceName": "气相色谱仪", "customerId": customer_id, "deviceId": gc["deviceId"],
         "deviceModel": "GC-2000", "startDate": "2024-06-08T09:00:00.000Z", "deadline": "2024-06-15T18:00:00.000Z",
         "completedDate": None, "engineers": [{"userId": world.zhangsan.id, "name": "张三", "isOwner": True},
                                              {"userId": world.lisi.id, "name": "李四", "isOwner": False}],
         **customer},
        {"taskId": "MT-2024-001", "title": "液相色谱仪保养", "taskType": "maintenance", "status": "pending",
         "priority": "normal", "deviceName": "液相色谱仪", "customerId": customer_id, "deviceId": lc["deviceId"],
         "deviceModel": "LC-3000", "startDate": None, "deadline": "2024-07-10T18:00:00.000Z", "completedDate": None,
         "engineers": [{"userId": world.lisi.id, "name": "李四", "isOwner": True}], **customer},
    ]


def test_customer_tasks_filter_by_status_and_type(world, spec_customer):
    path = f"{spec_customer['path']}/tasks"
    ids = lambda query: [t["taskId"] for t in world.call("GET", f"{path}?{query}", world.admin)["data"]["list"]]  # noqa: E731
    assert ids("status=pending") == ["MT-2024-001"]
    assert ids("taskType=repair") == ["RP-2024-001"]
    assert ids("status=pending&taskType=repair") == []
    assert "status" in world.call("GET", f"{path}?status=done", world.admin, status=400)["data"]
    assert "taskType" in world.call("GET", path, world.admin, status=400, taskType="party")["data"]


def test_customer_devices_with_recent_tasks(world, spec_customer):
    gc, lc = spec_customer["devices"]
    data = world.call("GET", f"{spec_customer['path']}/devices", world.zhangsan)["data"]
    assert {k: data[k] for k in ("total", "pages", "current", "size")} == {"total": 2, "pages": 1, "current": 1, "size": 10}
    assert data["list"] == [
        {"deviceId": gc["deviceId"], "deviceName": "气相色谱仪", "deviceType": "分析仪器", "brand": "Agilent",
         "model": "GC-2000", "serialNumber": "SN20240001", "quantity": 1,
         "recentTasks": [{"taskId": "RP-2024-001", "title": "气相色谱仪维修", "taskType": "repair", "status": "in_progress"}]},
        {"deviceId": lc["deviceId"], "deviceName": "液相色谱仪", "deviceType": "分析仪器", "brand": "Waters",
         "model": "LC-3000", "serialNumber": "SN20240002", "quantity": 1,
         "recentTasks": [{"taskId": "MT-2024-001", "title": "液相色谱仪保养", "taskType": "maintenance", "status": "pending"}]},
    ]


def test_recent_tasks_are_the_newest_three(world, spec_customer):
    gc = spec_customer["devices"][0]
    for title in ("一", "二", "三"):
        world.call("POST", f"{spec_customer['path']}/tasks", world.admin,
                   {"title": title, "taskType": "inspection", "deviceId": gc["deviceId"]})
    devices = world.call("GET", f"{spec_customer['path']}/devices", world.admin)["data"]["list"]
    assert [t["taskId"] for t in devices[0]["recentTasks"]] == ["IS-2024-003", "IS-2024-002", "IS-2024-001"]


def test_customer_devices_search(world, spec_customer):
    path = f"{spec_customer['path']}/devices"
    for keyword, names in (("Waters", ["液相色谱仪"]), ("GC-", ["气相色谱仪"]), ("SN2024", ["气相色谱仪", "液相色谱仪"]),
                           ("分析", ["气相色谱仪", "液相色谱仪"]), ("气相", ["气相色谱仪"]), ("显微镜", [])):
        assert [d["deviceName"] for d in world.call("GET", path, world.admin, keyword=keyword)["data"]["list"]] == names
    page = world.call("GET", path, world.admin, size=1, page=2)["data"]
    assert (page["total"], page["pages"], [d["deviceName"] for d in page["list"]]) == (2, 2, ["液相色谱仪"])


def test_create_update_and_delete_a_device(world, spec_customer):
    created = world.call("POST", f"{spec_customer['path']}/devices", world.zhangsan,
                         {"deviceName": "质谱仪", "brand": "Thermo"})
    assert created["message"] == "添加成功"
    device = created["data"]
    assert device == {"deviceId": device["deviceId"], "deviceName": "质谱仪", "deviceType": "", "brand": "Thermo",
                      "model": "", "serialNumber": "", "quantity": 1, "recentTasks": []}
    changed = world.call("PUT", f"devices/{device['deviceId']}", world.zhangsan, {"model": "Q-500", "quantity": 2})["data"]
    assert (changed["deviceName"], changed["brand"], changed["model"], changed["quantity"]) == ("质谱仪", "Thermo", "Q-500", 2)
    assert "quantity" in world.call("PUT", f"devices/{device['deviceId']}", world.zhangsan, {"quantity": 0}, status=400)["data"]
    deleted = world.call("DELETE", f"devices/{device['deviceId']}", world.zhangsan)
    assert (deleted["message"], deleted["data"]) == ("删除成功", None)
    names = [d["deviceName"] for d in world.call("GET", f"{spec_customer['path']}/devices", world.admin)["data"]["list"]]
    assert names == ["气相色谱仪", "液相色谱仪"]
    world.call("PUT", f"devices/{device['deviceId']}", world.admin, {"model": "X"}, status=404)


@pytest.mark.parametrize("body, field", [({}, "deviceName"), ({"deviceName": ""}, "deviceName"),
                                         ({"deviceName": "x", "quantity": -1}, "quantity"),
                                         ({"deviceName": "x", "brand": "b" * 101}, "brand")])
def test_create_device_refuses_bad_fields(world, spec_customer, body, field):
    assert field in world.call("POST", f"{spec_customer['path']}/devices", world.admin, body, status=400)["data"]
    assert world.count(Device) == 2


def test_task_ids_count_per_type_and_year(world, spec_customer):
    path = f"{spec_customer['path']}/tasks"
    make = lambda task_type: world.call("POST", path, world.admin, {"title": "t", "taskType": task_type})["data"]["taskId"]  # noqa: E731
    assert [make("repair"), make("training"), make("installation"), make("other")] == \
        ["RP-2024-002", "TR-2024-001", "IN-2024-001", "OT-2024-001"]
    world.clock.set(dt.datetime(2024, 12, 31, 16, 30, tzinfo=dt.timezone.utc))  # 2025-01-01 00:30 in Shanghai
    assert make("repair") == "RP-2025-001"


def test_task_ids_stay_unique_when_created_concurrently(site):
    """Two transactions asking for the next number at once: the counter row serialises them."""
    codes: list[str] = []
    barrier = threading.Barrier(4)

    def take():
        barrier.wait()
        with transaction_scope(site.registry) as dbsession:
            codes.append(next_task_code(dbsession, "repair", 2030))

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == ["RP-2030-001", "RP-2030-002", "RP-2030-003", "RP-2030-004"]


def test_create_a_task(world, spec_customer):
    gc = spec_customer["devices"][0]
    answer = world.call("POST", f"{spec_customer['path']}/tasks", world.zhangsan, {
        "title": "年度巡检", "taskType": "inspection", "priority": "urgent", "deviceId": gc["deviceId"],
        "startDate": "2024-06-20T09:00:00", "deadline": "2024-06-21T18:00:00+08:00",
        "engineerIds": [world.wangwu.id, world.zhangsan.id], "ownerId": world.zhangsan.id})
    assert answer["message"] == "添加成功"
    assert answer["data"] == {
        "taskId": "IS-2024-001", "title": "年度巡检", "taskType": "inspection", "status": "pending",
        "priority": "urgent", "deviceName": "气相色谱仪", "customerId": spec_customer["customer"]["customerId"],
        "customerName": "上海医疗器械有限公司", "customerAddress": "上海市浦东新区张江高科技园区",
        "customerContact": "张经理", "customerPhone": "13800138001",
        "deviceId": gc["deviceId"], "deviceModel": "GC-2000",
        "startDate": "2024-06-20T01:00:00.000Z",  # a time without offset is Shanghai's
        "deadline": "2024-06-21T10:00:00.000Z", "completedDate": None,
        "engineers": [{"userId": world.zhangsan.id, "name": "张三", "isOwner": True},
                      {"userId": world.wangwu.id, "name": "王五", "isOwner": False}],
    }
    assert world.call("GET", "tasks/IS-2024-001", world.zhangsan)["data"] == answer["data"]


@pytest.mark.parametrize("change, field", [
    ({"title": ""}, "title"), ({"taskType": "party"}, "taskType"), ({"priority": "asap"}, "priority"),
    ({"startDate": "tomorrow"}, "startDate"), ({"deviceId": 9999}, "deviceId"),
    ({"engineerIds": [5]}, "engineerIds"), ({"engineerIds": [2], "ownerId": 3}, "ownerId"),
])
def test_create_task_refuses_bad_fields_and_writes_nothing(world, spec_customer, change, field):
    body = dict({"title": "检修", "taskType": "repair"}, **change)
    assert field in world.call("POST", f"{spec_customer['path']}/tasks", world.admin, body, status=400)["data"]
    assert world.count(Task) == 2 and world.count(TaskEngineer) == 3
    assert world.call("POST", f"{spec_customer['path']}/tasks", world.admin,
                      {"title": "检修", "taskType": "repair"})["data"]["taskId"] == "RP-2024-002"


def test_a_device_of_another_customer_is_refused(world, spec_customer):
    other = world.create_customer(world.admin)
    body = {"title": "检修", "taskType": "repair", "deviceId": spec_customer["devices"][0]["deviceId"]}
    assert "deviceId" in world.call("POST", f"customers/{other['customerId']}/tasks", world.admin, body, status=400)["data"]


def test_update_a_task(world, spec_customer):
    answer = world.call("PUT", "tasks/MT-2024-001", world.zhaoliu, {
        "title": "液相色谱仪年度保养", "priority": "high", "engineerIds": [world.lisi.id, world.wangwu.id],
        "ownerId": world.wangwu.id, "deadline": "2024-07-12T18:00:00.000Z", "deviceId": spec_customer["devices"][0]["deviceId"]})
    assert answer["message"] == "修改成功"
    task = answer["data"]
    assert (task["title"], task["priority"], task["deadline"], task["deviceName"], task["taskType"]) == \
        ("液相色谱仪年度保养", "high", "2024-07-12T18:00:00.000Z", "气相色谱仪", "maintenance")
    assert task["engineers"] == [{"userId": world.wangwu.id, "name": "王五", "isOwner": True},
                                 {"userId": world.lisi.id, "name": "李四", "isOwner": False}]
    owner_only = world.call("PUT", "tasks/MT-2024-001", world.zhaoliu, {"ownerId": world.lisi.id})["data"]
    assert [(e["name"], e["isOwner"]) for e in owner_only["engineers"]] == [("李四", True), ("王五", False)]
    assert "ownerId" in world.call("PUT", "tasks/MT-2024-001", world.zhaoliu, {"ownerId": world.zhangsan.id}, status=400)["data"]
    world.call("PUT", "tasks/XX-2024-001", world.zhaoliu, {"title": "x"}, status=404)


def test_task_status_moves_and_completion_dates(world, spec_customer):
    world.clock.set(dt.datetime(2024, 6, 12, 8, 0, tzinfo=dt.timezone.utc))
    started = world.call("POST", "tasks/MT-2024-001/status", world.zhangsan, {"status": "in_progress"})
    assert started["message"] == "状态更新成功"
    assert (started["data"]["status"], started["data"]["startDate"]) == ("in_progress", "2024-06-12T08:00:00.000Z")
    world.clock.advance(hours=3)
    done = world.call("POST", "tasks/MT-2024-001/status", world.zhangsan, {"status": "completed"})["data"]
    assert (done["status"], done["completedDate"], done["startDate"]) == \
        ("completed", "2024-06-12T11:00:00.000Z", "2024-06-12T08:00:00.000Z")
    reopened = world.call("POST", "tasks/MT-2024-001/status", world.zhangsan, {"status": "cancelled"})["data"]
    assert (reopened["status"], reopened["completedDate"]) == ("cancelled", None)
    assert "status" in world.call("POST", "tasks/MT-2024-001/status", world.zhangsan, {"status": "done"}, status=400)["data"]


def test_an_engineer_on_a_task_reads_it_and_moves_it_without_seeing_the_customer(world, spec_customer):
    lisi = world.lisi  # on both tasks, not assigned to the customer
    task = world.call("GET", "tasks/MT-2024-001", lisi)["data"]
    assert (task["customerName"], task["customerAddress"], task["customerContact"]) == \
        ("上海医疗器械有限公司", "上海市浦东新区张江高科技园区", "张经理")
    assert world.call("POST", "tasks/MT-2024-001/status", lisi, {"status": "in_progress"})["data"]["status"] == \
        "in_progress"
    world.call("PUT", "tasks/MT-2024-001", lisi, {"title": "改名"}, status=404)  # changing it is the customer team's
    world.call("GET", spec_customer["path"], lisi, status=404)
    world.call("GET", "tasks/MT-2024-001", world.wangwu, status=404)  # not on it
    world.call("POST", "tasks/MT-2024-001/status", world.wangwu, {"status": "completed"}, status=404)
    world.call("POST", f"{spec_customer['path']}/tasks", world.zhaoliu,
               {"title": "x", "taskType": "other", "engineerIds": [world.wangwu.id]})
    world.call("DELETE", spec_customer["path"], world.zhaoliu, {"password": "password123"})
    world.call("GET", "tasks/MT-2024-001", lisi, status=404)  # gone with its customer
