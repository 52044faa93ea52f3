"""A plan and its schedule stay in step: a change or a deletion on either side reaches the other, once."""
from __future__ import annotations

import pytest
from sqlalchemy import column, func, select, table

from core.toolkit import transaction_scope

SCHEDULES = "/api/customer/schedules"
PLAN = {"title": "回访客户A", "planTime": "2024-06-12T10:00:00+08:00", "description": "定期回访", "reminderMinutes": 60}
# read as plain tables: contacts' tests never import the schedule or webhooks plugins
REMINDERS = table("schedule_reminder", column("schedule_id"), column("state"), column("send_result"))
OUTBOX = table("webhooks_delivery", column("event_type"))


def schedule_of(world, schedule_id: int, user, status: int = 200) -> dict:
    return world.site.get(f"{SCHEDULES}/{schedule_id}/", headers=world.site.headers(user), status=status).json["data"]


def reminders_of(world, schedule_id: int) -> list[tuple[str, str]]:
    with transaction_scope(world.site.registry) as dbsession:
        return [tuple(row) for row in dbsession.execute(
            select(REMINDERS.c.state, REMINDERS.c.send_result).where(REMINDERS.c.schedule_id == schedule_id))]


def events_written(world) -> dict[str, int]:
    with transaction_scope(world.site.registry) as dbsession:
        return dict(dbsession.execute(select(OUTBOX.c.event_type, func.count()).group_by(OUTBOX.c.event_type)).all())


def listen(world) -> None:
    """An endpoint subscribed to both sides' events, so the outbox counts every change each side makes."""
    world.site.post_json("/api/webhooks/endpoints", {"url": "https://example.com/hook",
                                                     "event_types": ["plan.changed", "schedule.updated"]},
                         headers=world.site.headers(world.admin))


def test_a_plan_changed_through_contacts_moves_its_schedule_once(world, spec_customer):
    plan = world.call("POST", f"{spec_customer['path']}/plans", world.zhangsan, PLAN)["data"]
    listen(world)
    changed = world.call("PUT", f"plans/{plan['planId']}", world.zhaoliu, {
        "planTime": "2024-06-14T15:30:00+08:00", "title": "回访改期", "reminderMinutes": 30})["data"]
    assert (changed["planTime"], changed["title"], changed["reminderMinutes"]) == \
        ("2024-06-14T07:30:00.000Z", "回访改期", 30)
    schedule = schedule_of(world, plan["scheduleId"], world.zhangsan)
    assert (schedule["start_time"], schedule["title"], schedule["reminder_time"]) == \
        ("2024-06-14T15:30:00+08:00", "回访改期", 30)
    assert [r["remind_time"] for r in schedule["reminders"]] == ["2024-06-14T15:00:00+08:00"]
    assert events_written(world) == {"plan.changed": 1, "schedule.updated": 1}  # once each: no echo

    world.call("PUT", f"plans/{plan['planId']}", world.zhaoliu, {"status": "completed"})
    assert schedule_of(world, plan["scheduleId"], world.zhangsan)["status"] == "completed"
    answer = world.call("PUT", f"plans/{plan['planId']}", world.zhaoliu, {"status": "in_progress"}, status=400)
    assert "status" in answer["data"]  # the schedule's state machine holds for its plan
    assert world.call("GET", f"plans/{plan['planId']}", world.zhaoliu)["data"]["status"] == "completed"


def test_a_schedule_changed_through_the_schedule_api_moves_its_plan_once(world, spec_customer):
    plan = world.call("POST", f"{spec_customer['path']}/plans", world.zhangsan, PLAN)["data"]
    listen(world)
    world.site.patch_json(f"{SCHEDULES}/{plan['scheduleId']}/", {
        "start_time": "2024-06-13T09:00:00+08:00", "title": "提前回访"}, headers=world.site.headers(world.zhangsan))
    moved = world.call("GET", f"plans/{plan['planId']}", world.zhaoliu)["data"]
    assert (moved["planTime"], moved["title"]) == ("2024-06-13T01:00:00.000Z", "提前回访")
    assert events_written(world) == {"plan.changed": 1, "schedule.updated": 1}

    world.site.post_json(f"{SCHEDULES}/{plan['scheduleId']}/update_status/", {"status": "in_progress"},
                         headers=world.site.headers(world.zhangsan))
    assert world.call("GET", f"plans/{plan['planId']}", world.zhaoliu)["data"]["status"] == "in_progress"

    world.site.delete(f"{SCHEDULES}/{plan['scheduleId']}/", headers=world.site.headers(world.zhangsan))
    world.call("GET", f"plans/{plan['planId']}", world.zhaoliu, status=404)
    assert world.call("GET", f"{spec_customer['path']}/plans", world.zhaoliu)["data"]["list"] == []


def test_deleting_a_plan_deletes_its_schedule_and_cancels_its_reminders(world, spec_customer):
    plan = world.call("POST", f"{spec_customer['path']}/plans", world.zhangsan, PLAN)["data"]
    assert reminders_of(world, plan["scheduleId"]) == [("pending", "")]
    world.call("DELETE", f"plans/{plan['planId']}", world.zhaoliu)
    schedule_of(world, plan["scheduleId"], world.zhangsan, status=404)
    assert reminders_of(world, plan["scheduleId"]) == [("cancelled", "计划已删除")]
    world.call("DELETE", f"plans/{plan['planId']}", world.zhaoliu, status=404)
    world.call("PUT", f"plans/{plan['planId']}", world.zhaoliu, {"title": "x"}, status=404)


def test_deleting_a_customer_cancels_its_plans_reminders_with_the_reason(world, spec_customer):
    first = world.call("POST", f"{spec_customer['path']}/plans", world.zhangsan, PLAN)["data"]
    second = world.call("POST", f"{spec_customer['path']}/plans", world.zhaoliu,
                        dict(PLAN, planTime="2024-06-20T10:00:00+08:00"))["data"]
    world.call("DELETE", spec_customer["path"], world.zhaoliu, {"password": "password123"})
    for plan in (first, second):
        assert reminders_of(world, plan["scheduleId"]) == [("cancelled", "客户已删除")]
        schedule_of(world, plan["scheduleId"], world.admin, status=404)


def test_by_related_for_a_customer_lists_its_plans_schedules_too(world, spec_customer):
    customer_id = spec_customer["customer"]["customerId"]
    plan = world.call("POST", f"{spec_customer['path']}/plans", world.zhangsan, PLAN)["data"]
    direct = world.site.post_json(f"{SCHEDULES}/", {
        "title": "上门拜访", "schedule_type": "meeting", "start_time": "2024-06-11T09:00:00+08:00",
        "related_type": "customer", "related_id": customer_id}, headers=world.site.headers(world.zhangsan)).json["data"]
    listed = world.site.get(f"{SCHEDULES}/by_related/", params={"related_type": "customer", "related_id": customer_id},
                            headers=world.site.headers(world.zhangsan)).json["data"]
    assert [(s["id"], s["related_type"]) for s in listed] == [(direct["id"], "customer"),
                                                               (plan["scheduleId"], "customer_plan")]


def test_create_from_customer_plan_answers_both_ids(world, spec_customer):
    customer_id = spec_customer["customer"]["customerId"]
    answer = world.site.post_json(f"{SCHEDULES}/create_from_customer_plan/", {
        "customer_id": customer_id, "plan_title": "年度回访", "plan_time": "2024-06-18T10:00:00+08:00"},
        headers=world.site.headers(world.zhangsan)).json["data"]
    [plan] = world.call("GET", f"{spec_customer['path']}/plans", world.zhangsan)["data"]["list"]
    assert (answer["plan_id"], answer["customer_id"]) == (plan["planId"], customer_id)
    assert (answer["related_type"], answer["related_id"]) == ("customer_plan", plan["planId"])


def test_plan_changes_are_checked_and_write_nothing_when_refused(world, spec_customer):
    plan = world.call("POST", f"{spec_customer['path']}/plans", world.zhangsan, PLAN)["data"]
    for body, field in (({"title": "x" * 201}, "title"), ({"planTime": "someday"}, "planTime"),
                        ({"reminderMinutes": -1}, "reminderMinutes"), ({"status": "done"}, "status")):
        assert field in world.call("PUT", f"plans/{plan['planId']}", world.zhaoliu, body, status=400)["data"]
    world.call("GET", f"plans/{plan['planId']}", world.other_sales, status=404)  # not their customer
    assert world.call("GET", f"plans/{plan['planId']}", world.zhaoliu)["data"] == dict(plan, status="pending")


@pytest.mark.plugins("contacts")
def test_plans_change_and_go_without_the_schedule_plugin(world, spec_customer):
    plan = world.call("POST", f"{spec_customer['path']}/plans", world.zhangsan, PLAN)["data"]
    assert plan["scheduleId"] is None
    assert world.call("PUT", f"plans/{plan['planId']}", world.zhangsan, {"status": "completed"})["data"]["status"] == \
        "completed"
    world.call("DELETE", spec_customer["path"], world.zhaoliu, {"password": "password123"})
    world.call("GET", f"plans/{plan['planId']}", world.admin, status=404)
