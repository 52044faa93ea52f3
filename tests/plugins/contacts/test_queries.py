"""Every list runs the same number of SQL queries whether it shows one row or fifteen."""
from __future__ import annotations

import pytest

from core.testing import count_queries

pytestmark = pytest.mark.plugins("contacts")


def queries(world, user, path, **params) -> int:
    with count_queries(world.site.registry) as counter:
        world.call("GET", path, user, **params)
    return counter.count


def grow(world, customer_path, index):
    """One more customer (with two engineers), device, task (two engineers, in progress) and plan."""
    world.create_customer(world.zhaoliu, name=f"客户{index}", engineerIds=[world.zhangsan.id, world.lisi.id])
    device = world.call("POST", f"{customer_path}/devices", world.admin, {"deviceName": f"设备{index}"})["data"]
    task = world.call("POST", f"{customer_path}/tasks", world.admin, {
        "title": f"任务{index}", "taskType": "repair", "deviceId": device["deviceId"],
        "engineerIds": [world.zhangsan.id, world.wangwu.id]})["data"]
    world.call("POST", f"tasks/{task['taskId']}/status", world.admin, {"status": "in_progress"})
    world.call("POST", f"{customer_path}/plans", world.admin, {"title": f"计划{index}", "planTime": "2024-07-01T10:00:00Z"})


LISTS = [
    ("customers", {"size": 20}, "zhangsan"),
    ("customers", {"size": 20, "keyword": "客户"}, "admin"),
    ("{customer}/tasks", {"size": 20}, "zhaoliu"),
    ("{customer}/devices", {"size": 20}, "zhaoliu"),
    ("{customer}/plans", {"size": 20}, "zhaoliu"),
    ("{customer}", {}, "zhaoliu"),
    ("engineers/status", {}, "zhaoliu"),
    ("engineers/{zhangsan}", {}, "zhaoliu"),
    ("other", {}, "zhangsan"),
]


def test_lists_run_a_fixed_number_of_queries(world):
    first = world.create_customer(world.zhaoliu, name="客户0", engineerIds=[world.zhangsan.id])
    customer_path = f"customers/{first['customerId']}"

    def measure():
        return {f"{path} {params}": queries(world, getattr(world, user),
                                            path.format(customer=customer_path, zhangsan=world.zhangsan.id), **params)
                for path, params, user in LISTS}

    grow(world, customer_path, 1)
    measure()  # the first requests also record the engineers' presence
    with_one = measure()
    for index in range(2, 16):
        grow(world, customer_path, index)
        world.site.create_user(f"colleague{index}", "sales", name=f"同事{index}", work_id=f"X{index}")
        world.site.create_user(f"engineer{index}", "engineer", name=f"工程师{index}", location=f"城市{index % 4}")
    assert world.call("GET", "customers", world.zhangsan, size=20)["data"]["total"] == 16
    assert len(world.call("GET", f"{customer_path}/tasks", world.zhaoliu, size=20)["data"]["list"]) == 15
    assert measure() == with_one
    # a handful each: the core resolves the caller (user, and presence for engineers) once per permission check
    assert max(with_one.values()) <= 10, with_one
