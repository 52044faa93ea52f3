"""Being assigned to a customer or a task puts a notice in the person's inbox, after the change commits."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.plugins("contacts")


@pytest.fixture
def site_settings():
    return {"huey.immediate": "true"}  # the notice task runs as soon as it is queued: after the commit


def messages(world, user) -> list[dict]:
    return world.site.get("/api/notifications", headers=world.site.headers(user)).json["data"]["results"]


def inbox(world, user) -> list[str]:
    return [message["title"] for message in messages(world, user)]


def test_assigned_engineers_and_sales_are_told_and_the_assigner_is_not(world):
    customer = world.create_customer(world.admin, name="上海医疗器械有限公司", salesId=world.zhaoliu.id,
                                     engineerIds=[world.zhangsan.id])
    assert inbox(world, world.zhangsan) == ["客户分配：上海医疗器械有限公司"]
    assert inbox(world, world.zhaoliu) == ["客户分配：上海医疗器械有限公司"]
    assert inbox(world, world.admin) == []

    path = f"customers/{customer['customerId']}"
    world.call("POST", f"{path}/assign-engineers", world.zhaoliu, {"engineerIds": [world.zhangsan.id, world.lisi.id]})
    assert len(inbox(world, world.zhangsan)) == 1  # already assigned: not told again
    assert inbox(world, world.lisi) == ["客户分配：上海医疗器械有限公司"]

    task = world.call("POST", f"{path}/tasks", world.zhaoliu, {
        "title": "气相色谱仪维修", "taskType": "repair", "deadline": "2024-06-15T18:00:00+08:00",
        "engineerIds": [world.lisi.id]})["data"]
    assert inbox(world, world.lisi)[0] == f"任务分配：{task['taskId']} 气相色谱仪维修"
    world.call("PUT", f"tasks/{task['taskId']}", world.zhaoliu, {"engineerIds": [world.lisi.id, world.wangwu.id]})
    assert inbox(world, world.wangwu) == [f"任务分配：{task['taskId']} 气相色谱仪维修"]
    assert len(inbox(world, world.lisi)) == 2
    [message] = messages(world, world.wangwu)
    assert "上海医疗器械有限公司" in message["content"] and "2024-06-15 18:00" in message["content"]


def test_a_refused_assignment_tells_nobody(world):
    customer = world.create_customer(world.zhaoliu)
    world.call("POST", f"customers/{customer['customerId']}/assign-engineers", world.zhaoliu,
               {"engineerIds": [world.zhangsan.id, 99999]}, status=400)
    assert inbox(world, world.zhangsan) == []
