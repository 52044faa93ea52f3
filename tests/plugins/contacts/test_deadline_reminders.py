"""A task's owner is reminded before its deadline, in their inbox, by the schedule plugin's reminder engine.

Sales (赵六) gives a customer a task for engineers 张三 (its owner) and 李四; the clock stands at
2024-06-10 10:30Z and the deadline is 14:00Z (22:00 in Shanghai), so with the default lead of 60
minutes the reminder falls due at 13:00Z.
"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import column, select, table

from core.toolkit import hookimpl, transaction_scope

UTC = dt.timezone.utc
SCHEDULES = "/api/customer/schedules"
DEADLINE_TITLE = "任务截止：压缩机更换"


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2024, 6, 10, hour, minute, tzinfo=UTC)


def new_task(world, **fields) -> dict:
    customer = world.create_customer(world.zhaoliu, name="华东制冷设备厂", address="上海市闵行区",
                                     engineerIds=[world.zhangsan.id, world.lisi.id])
    body = {"title": "压缩机更换", "taskType": "repair", "startDate": "2024-06-10T09:00:00.000Z",
            "deadline": "2024-06-10T14:00:00.000Z", "engineerIds": [world.zhangsan.id, world.lisi.id],
            "ownerId": world.zhangsan.id, **fields}
    task = world.call("POST", f"customers/{customer['customerId']}/tasks", world.zhaoliu, body)["data"]
    return dict(task, path=f"customers/{customer['customerId']}")


def deadline_notices(world, user) -> list[dict]:
    """The deadline reminders in ``user``'s inbox (their assignment notices are there too)."""
    inbox = world.site.get("/api/notifications", params={"limit": 100}, headers=world.site.headers(user)).json["data"]
    return [message for message in inbox["results"] if message["title"].startswith("任务截止")]


def tick_at(world, moment: dt.datetime) -> None:
    world.clock.set(moment)
    world.site.run_periodic_tasks()


def reminder_states(world) -> list[tuple[str, str]]:
    """(state, send_result) of every reminder row, read as a plain table: contacts' tests never import the schedule plugin."""
    rows = table("schedule_reminder", column("state"), column("send_result"))
    with transaction_scope(world.site.registry) as dbsession:
        return [tuple(row) for row in dbsession.execute(select(rows.c.state, rows.c.send_result))]


def test_the_owner_gets_one_deadline_reminder_in_the_inbox_at_the_lead_time(world):
    task = new_task(world)
    tick_at(world, at(10, 30))
    tick_at(world, at(12, 59))
    assert deadline_notices(world, world.zhangsan) == []

    tick_at(world, at(13, 0))
    tick_at(world, at(13, 1))  # a later tick sends nothing twice

    [notice] = deadline_notices(world, world.zhangsan)
    assert notice["title"] == DEADLINE_TITLE
    assert notice["content"] == (f"您负责的任务 {task['taskId']}「压缩机更换」将于 2024-06-10 22:00 截止，"
                                 "客户「华东制冷设备厂」（上海市闵行区）。")
    assert notice["is_read"] is False
    assert notice["source"] is None and notice["schedule_id"] is None  # nothing unlisted to lead to
    assert deadline_notices(world, world.lisi) == []  # on the task, not its owner
    assert deadline_notices(world, world.zhaoliu) == [] and deadline_notices(world, world.admin) == []


def test_moving_the_deadline_moves_the_reminder(world):
    task = new_task(world)
    world.call("PUT", f"tasks/{task['taskId']}", world.zhaoliu, {"deadline": "2024-06-10T16:00:00.000Z"})

    tick_at(world, at(13, 0))
    assert deadline_notices(world, world.zhangsan) == []
    tick_at(world, at(15, 0))
    [notice] = deadline_notices(world, world.zhangsan)
    assert "将于 2024-06-11 00:00 截止" in notice["content"]


def test_a_new_owner_or_title_is_reminded_instead(world):
    task = new_task(world)
    world.call("PUT", f"tasks/{task['taskId']}", world.zhaoliu, {"ownerId": world.lisi.id, "title": "压缩机检修"})

    tick_at(world, at(13, 0))
    assert deadline_notices(world, world.zhangsan) == []
    assert [notice["title"] for notice in deadline_notices(world, world.lisi)] == ["任务截止：压缩机检修"]


@pytest.mark.parametrize("status, reason", [("completed", "任务已完成"), ("cancelled", "任务已取消")])
def test_a_task_finished_before_the_time_reminds_nobody(world, status, reason):
    task = new_task(world)
    world.call("POST", f"tasks/{task['taskId']}/status", world.zhangsan, {"status": status})

    tick_at(world, at(13, 0))
    assert deadline_notices(world, world.zhangsan) == []
    assert reminder_states(world) == [("cancelled", reason)]


def test_reopening_a_task_brings_its_reminder_back_once(world):
    task = new_task(world)
    tick_at(world, at(13, 0))  # sent
    world.call("POST", f"tasks/{task['taskId']}/status", world.zhangsan, {"status": "completed"})
    world.call("POST", f"tasks/{task['taskId']}/status", world.zhangsan, {"status": "pending"})

    tick_at(world, at(13, 30))
    assert len(deadline_notices(world, world.zhangsan)) == 1  # that deadline was already reminded of


def test_taking_the_deadline_away_cancels_its_reminder(world):
    task = new_task(world)
    changed = world.call("PUT", f"tasks/{task['taskId']}", world.zhaoliu, {"deadline": None})["data"]
    assert changed["deadline"] is None and changed["startDate"] == task["startDate"]  # only what was given changes

    tick_at(world, at(13, 0))
    assert deadline_notices(world, world.zhangsan) == []
    assert reminder_states(world) == [("cancelled", "任务没有截止时间")]


def test_deleting_the_customer_deletes_its_tasks_and_their_reminders(world, password):
    task = new_task(world)
    world.call("DELETE", task["path"], world.zhaoliu, {"password": password})

    tick_at(world, at(13, 0))
    assert deadline_notices(world, world.zhangsan) == []
    assert reminder_states(world) == [("cancelled", "客户已删除")]


def test_a_task_without_a_deadline_is_reminded_once_it_gets_one(world):
    task = new_task(world, deadline=None)
    tick_at(world, at(13, 0))
    assert deadline_notices(world, world.zhangsan) == [] and reminder_states(world) == []

    world.call("PUT", f"tasks/{task['taskId']}", world.zhaoliu, {"deadline": "2024-06-10T15:00:00.000Z"})
    tick_at(world, at(14, 0))
    assert len(deadline_notices(world, world.zhangsan)) == 1


def test_the_reminder_is_not_listed_as_a_schedule(world):
    new_task(world)
    headers = world.site.headers(world.zhangsan)

    def schedules(path: str, **params) -> dict:
        return world.site.get(f"{SCHEDULES}/{path}", params=params, headers=headers).json["data"]

    today = schedules("today/")
    assert (today["total_count"], today["schedules"]) == (0, [])
    assert [item["id"] for item in today["items"]] == ["RP-2024-001"]  # the task is its own calendar item
    week = schedules("this_week/")
    assert week["total_count"] == 0 and [item["id"] for item in week["items"]] == ["RP-2024-001"]
    assert schedules("")["count"] == 0
    month = schedules("calendar_view/", year=2024, month=6)["days"]
    assert [day["schedules"] for day in month if day["schedules"]] == []
    assert schedules("upcoming_reminders/")["count"] == 0
    with transaction_scope(world.site.registry) as dbsession:
        [kept_id] = dbsession.scalars(select(column("id")).select_from(table("schedule_schedule")))
    world.site.get(f"{SCHEDULES}/{kept_id}/", headers=headers, status=404)
    world.site.patch_json(f"{SCHEDULES}/{kept_id}/", {"title": "改"}, headers=headers, status=404)
    world.site.get(f"{SCHEDULES}/{kept_id}/", headers=world.site.headers(world.admin), status=404)


@pytest.mark.plugins("contacts")
def test_without_the_schedule_plugin_tasks_work_and_nothing_reminds(world):
    task = new_task(world)
    world.call("PUT", f"tasks/{task['taskId']}", world.zhaoliu, {"deadline": "2024-06-10T16:00:00.000Z"})
    world.call("POST", f"tasks/{task['taskId']}/status", world.zhangsan, {"status": "completed"})

    tick_at(world, at(15, 0))
    assert deadline_notices(world, world.zhangsan) == []


def site_with_a_task(make_site, clock, **site_options):
    """Another site (own settings or hook listeners): an engineer on a task due at 14:00Z; the engineer's headers."""
    site = make_site(**site_options)
    clock.set(at(10, 30))
    _, _, sales = site.user_with_token("sales", role="sales")
    engineer, _, engineer_headers = site.user_with_token("engineer")
    customer = site.post_json("/api/v1/contacts/customers", {
        "name": "客户", "level": "B", "contact": "钱经理", "phone": "13800000000", "address": "上海市",
        "engineerIds": [engineer.id]}, headers=sales).json["data"]
    site.post_json(f"/api/v1/contacts/customers/{customer['customerId']}/tasks", {
        "title": "巡检", "taskType": "inspection", "deadline": "2024-06-10T14:00:00.000Z",
        "engineerIds": [engineer.id]}, headers=sales)
    return site, engineer_headers


@pytest.mark.parametrize("setting, value", [("deadline_reminder_minutes", "0"), ("deadline_reminder_channels", "")])
def test_the_reminder_can_be_switched_off(make_site, clock, setting, value):
    site, engineer_headers = site_with_a_task(make_site, clock, settings={f"tessera.contacts.{setting}": value})

    clock.set(at(13, 0))
    site.run_periodic_tasks()
    inbox = site.get("/api/notifications", headers=engineer_headers).json["data"]["results"]
    assert [message["title"] for message in inbox] == ["任务分配：IS-2024-001 巡检", "客户分配：客户"]  # newest first


class EventListener:
    def __init__(self):
        self.types: list[str] = []

    @hookimpl
    def tessera_event(self, registry, dbsession, event):
        self.types.append(event.type)


def test_listeners_hear_of_the_task_and_its_reminder_not_of_a_schedule(make_site, clock):
    listener = EventListener()
    site, _ = site_with_a_task(make_site, clock, hookimpls=[listener])
    clock.set(at(13, 0))
    site.run_periodic_tasks()
    assert listener.types == ["customer.changed", "task.changed", "reminder.sent"]


def test_tasks_made_before_the_site_kept_reminders_are_reminded_once_it_does(make_site, clock):
    """A site upgraded to deadline reminders, or enabling the schedule plugin later, reminds of the tasks it has."""
    _, engineer_headers = site_with_a_task(make_site, clock, plugins=("contacts",))
    upgraded = make_site(plugins=("contacts", "schedule"))

    clock.set(at(10, 40))
    assert upgraded.run_periodic_tasks()["plugins.contacts.deadlines.follow_unfollowed_deadlines"] == 1
    assert upgraded.run_periodic_tasks()["plugins.contacts.deadlines.follow_unfollowed_deadlines"] == 0
    clock.set(at(13, 0))
    upgraded.run_periodic_tasks()
    clock.set(at(13, 1))
    upgraded.run_periodic_tasks()
    inbox = upgraded.get("/api/notifications", headers=engineer_headers).json["data"]["results"]
    assert [message["title"] for message in inbox if message["title"].startswith("任务截止")] == ["任务截止：巡检"]
