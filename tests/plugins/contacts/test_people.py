"""Engineers' status and detail, other contacts, and the presence the core's hook keeps fresh."""
from __future__ import annotations

import datetime as dt

import pytest

from core.toolkit import transaction_scope
from plugins.contacts.models import EngineerPresence

pytestmark = pytest.mark.plugins("contacts")
UTC = dt.timezone.utc


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def last_active(site, user) -> dt.datetime | None:
    with transaction_scope(site.registry) as dbsession:
        presence = dbsession.get(EngineerPresence, user.id)
        return presence and presence.last_active_time


def test_engineers_status_grouped_by_location_as_in_the_spec(world, spec_customer):
    clock = world.clock
    clock.set(at(2024, 6, 9, 18, 20))
    world.call("GET", "other", world.wangwu)
    world.call("PUT", "engineers/status", world.wangwu, {"status": "offline"})
    clock.set(at(2024, 6, 10, 9, 45))
    world.call("PUT", "engineers/status", world.lisi, {"status": "busy"})
    world.call("POST", f"tasks/{spec_customer['tasks'][1]['taskId']}/status", world.zhaoliu, {"status": "in_progress"})
    clock.set(at(2024, 6, 10, 10, 30))
    world.call("PUT", "engineers/status", world.zhangsan, {"status": "online"})  # chosen after the task started
    data = world.call("GET", "engineers/status", world.zhangsan)
    assert data["message"] == "获取成功"
    assert data["data"] == {"locations": [
        {"location": "上海市", "engineers": [
            {"userId": world.zhangsan.id, "workId": "RYL001", "name": "张三",
             "avatar": "https://example.com/avatars/zhangsan.png", "status": "online",
             "currentTaskId": "RP-2024-001", "currentTaskName": "气相色谱仪维修",
             "lastActiveTime": "2024-06-10T10:30:00.000Z"},
            {"userId": world.lisi.id, "workId": "RYL004", "name": "李四",
             "avatar": "https://example.com/avatars/lisi.png", "status": "busy",
             "currentTaskId": "MT-2024-001", "currentTaskName": "液相色谱仪保养",
             "lastActiveTime": "2024-06-10T09:45:00.000Z"},
        ]},
        {"location": "北京市", "engineers": [
            {"userId": world.wangwu.id, "workId": "RYL002", "name": "王五",
             "avatar": "https://example.com/avatars/wangwu.png", "status": "offline",
             "currentTaskId": None, "currentTaskName": None, "lastActiveTime": "2024-06-09T18:20:00.000Z"},
        ]},
        {"location": "广州市", "engineers": [
            {"userId": world.other_engineer.id, "workId": "RYL007", "name": "周八", "avatar": None,
             "status": "offline", "currentTaskId": None, "currentTaskName": None, "lastActiveTime": None},
        ]},
    ]}


def test_requests_refresh_last_active_at_most_once_a_minute(world):
    clock = world.clock
    world.call("GET", "other", world.zhangsan)
    first = clock.now()
    assert last_active(world.site, world.zhangsan) == first
    clock.advance(seconds=59)
    world.call("GET", "other", world.zhangsan)
    assert last_active(world.site, world.zhangsan) == first
    clock.advance(seconds=1)
    world.call("GET", "other", world.zhangsan)
    assert last_active(world.site, world.zhangsan) == clock.now()
    world.call("GET", "other", world.zhaoliu)
    assert last_active(world.site, world.zhaoliu) is None  # presence is kept for engineers only


def shown(world, engineer) -> tuple[str, str | None]:
    listed = [person for group in world.call("GET", "engineers/status", world.admin)["data"]["locations"]
              for person in group["engineers"] if person["userId"] == engineer.id]
    detail = world.call("GET", f"engineers/{engineer.id}", world.admin)["data"]
    assert detail["status"] == listed[0]["status"]
    return listed[0]["status"], listed[0]["currentTaskId"]


def test_status_follows_work_unless_the_engineer_chose_later(world, spec_customer):
    lisi, clock = world.lisi, world.clock
    upkeep = spec_customer["tasks"][1]["taskId"]
    world.call("PUT", "engineers/status", lisi, {"status": "online"})
    clock.advance(minutes=1)
    world.call("POST", f"tasks/{upkeep}/status", world.zhaoliu, {"status": "in_progress"})
    assert shown(world, lisi) == ("busy", upkeep)  # the task started after they said online

    clock.advance(minutes=1)
    world.call("PUT", "engineers/status", lisi, {"status": "online"})
    assert shown(world, lisi) == ("online", upkeep)  # they said so after the task started

    clock.advance(minutes=1)
    repair = spec_customer["tasks"][0]["taskId"]  # 李四 is on it too; it was already in progress
    world.call("POST", f"tasks/{repair}/status", world.zhaoliu, {"status": "pending"})
    world.call("POST", f"tasks/{repair}/status", world.zhaoliu, {"status": "in_progress"})
    assert shown(world, lisi)[0] == "busy"  # more work started since

    world.call("POST", f"tasks/{repair}/status", world.zhaoliu, {"status": "completed"})
    world.call("POST", f"tasks/{upkeep}/status", world.zhaoliu, {"status": "completed"})
    assert shown(world, lisi) == ("online", None)  # no work in progress: what they chose

    clock.advance(minutes=61)
    assert shown(world, lisi) == ("offline", None)


def test_an_engineer_who_never_chose_shows_busy_while_working(world, spec_customer):
    world.call("GET", "other", world.zhangsan)  # seen, never chose a status; RP-2024-001 is in progress
    assert shown(world, world.zhangsan) == ("busy", spec_customer["tasks"][0]["taskId"])


def test_an_idle_engineer_shows_offline(world):
    world.call("PUT", "engineers/status", world.zhangsan, {"status": "busy"})
    world.clock.advance(minutes=60)
    assert world.call("GET", f"engineers/{world.zhangsan.id}", world.admin)["data"]["status"] == "busy"
    world.clock.advance(minutes=1)
    assert world.call("GET", f"engineers/{world.zhangsan.id}", world.admin)["data"]["status"] == "offline"
    world.call("GET", "other", world.zhangsan)  # coming back restores the status they set
    assert world.call("GET", f"engineers/{world.zhangsan.id}", world.admin)["data"]["status"] == "busy"


def test_idle_minutes_is_a_setting(make_site):
    from core.toolkit import ConfigurationError

    with pytest.raises(ConfigurationError, match="tessera.contacts.idle_minutes"):
        make_site(plugins=("contacts",), settings={"tessera.contacts.idle_minutes": "0"})


def test_update_status_only_for_engineers_and_only_known_statuses(world):
    answer = world.call("PUT", "engineers/status", world.zhangsan, {"status": "busy"})
    assert (answer["message"], answer["data"]) == ("状态更新成功", None)
    assert world.call("GET", f"engineers/{world.zhangsan.id}", world.lisi)["data"]["status"] == "busy"
    assert "status" in world.call("PUT", "engineers/status", world.zhangsan, {"status": "away"}, status=400)["data"]
    assert "status" in world.call("PUT", "engineers/status", world.zhangsan, {}, status=400)["data"]
    assert world.call("GET", f"engineers/{world.zhangsan.id}", world.lisi)["data"]["status"] == "busy"
    for user in (world.admin, world.zhaoliu, world.clerk):
        world.call("PUT", "engineers/status", user, {"status": "busy"}, status=403)
    world.call("PUT", "engineers/status", None, {"status": "busy"}, status=401)


def test_engineer_detail_with_current_and_completed_tasks(world, spec_customer):
    path = spec_customer["path"]
    old = world.call("POST", f"{path}/tasks", world.zhaoliu, {
        "title": "质谱仪维修", "taskType": "repair", "startDate": "2024-06-01T09:00:00.000Z",
        "engineerIds": [world.zhangsan.id]})["data"]
    world.clock.set(at(2024, 6, 2, 15, 30))
    world.call("POST", f"tasks/{old['taskId']}/status", world.zhaoliu, {"status": "completed"})
    world.clock.set(at(2024, 6, 10, 10, 30))
    world.call("PUT", "engineers/status", world.zhangsan, {"status": "online"})  # chosen after RP-2024-001 started
    data = world.call("GET", f"engineers/{world.zhangsan.id}", world.clerk)["data"]
    assert data == {
        "userId": world.zhangsan.id, "workId": "RYL001", "name": "张三",
        "avatar": "https://example.com/avatars/zhangsan.png", "department": "技术部", "location": "上海市",
        "status": "online", "mobile": "13900139001",
        "currentTasks": [{"taskId": "RP-2024-001", "taskName": "气相色谱仪维修", "type": "repair",
                          "status": "in_progress", "startTime": "2024-06-08T09:00:00.000Z", "endTime": None}],
        "completedTasks": [{"taskId": "RP-2024-002", "taskName": "质谱仪维修", "type": "repair",
                            "status": "completed", "startTime": "2024-06-01T09:00:00.000Z",
                            "endTime": "2024-06-02T15:30:00.000Z"}],
    }


def test_engineer_detail_is_404_for_who_is_not_an_active_engineer(world):
    for user in (world.zhaoliu, world.admin):
        world.call("GET", f"engineers/{user.id}", world.admin, status=404)
    world.call("GET", "engineers/9999", world.admin, status=404)
    world.site.delete(f"/api/users/{world.wangwu.id}", headers=world.site.headers(world.admin))
    world.call("GET", f"engineers/{world.wangwu.id}", world.admin, status=404)
    names = [e["name"] for loc in world.call("GET", "engineers/status", world.admin)["data"]["locations"]
             for e in loc["engineers"]]
    assert "王五" not in names


def test_other_contacts_are_active_non_engineers_searchable(world):
    data = world.call("GET", "other", world.zhangsan)["data"]
    assert data["list"][:2] == [
        {"userId": world.admin.id, "workId": "admin", "name": "系统管理员",
         "avatar": "https://example.com/avatars/admin.png", "department": "系统部", "role": "admin",
         "mobile": "13800138000"},
        {"userId": world.zhaoliu.id, "workId": "RYL005", "name": "赵六",
         "avatar": "https://example.com/avatars/zhaoliu.png", "department": "销售部", "role": "sales",
         "mobile": "13900139006"},
    ]
    assert [p["name"] for p in data["list"]] == ["系统管理员", "赵六", "孙七", "吴九"]
    for keyword, names in (("赵", ["赵六"]), ("RYL00", ["赵六", "孙七", "吴九"]), ("财务", ["吴九"]),
                           ("13900139006", ["赵六"]), ("张三", [])):
        assert [p["name"] for p in world.call("GET", "other", world.clerk, keyword=keyword)["data"]["list"]] == names
    world.site.delete(f"/api/users/{world.other_sales.id}", headers=world.site.headers(world.admin))
    assert "孙七" not in [p["name"] for p in world.call("GET", "other", world.clerk)["data"]["list"]]
