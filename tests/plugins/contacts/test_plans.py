"""Customer plans alone, and the links with the schedule plugin that exist only when both are enabled."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, table

from core.toolkit import transaction_scope
from plugins.contacts.models import CustomerPlan

SCHEDULES = "/api/customer/schedules"
PLAN = {"title": "回访客户A", "planTime": "2024-06-12T10:00:00+08:00", "description": "定期回访，了解客户需求",
        "reminderMinutes": 60}


def plans_written(site) -> int:
    with transaction_scope(site.registry) as dbsession:
        return dbsession.scalar(select(func.count()).select_from(CustomerPlan))


def schedules_written(site) -> int:
    with transaction_scope(site.registry) as dbsession:
        # read as a plain table: contacts' tests never import the schedule plugin
        return dbsession.scalar(select(func.count()).select_from(table("schedule_schedule")))


# --- contacts alone ----------------------------------------------------------------------

@pytest.mark.plugins("contacts")
def test_plans_without_the_schedule_plugin(world, spec_customer):
    path = f"{spec_customer['path']}/plans"
    answer = world.call("POST", path, world.zhangsan, PLAN)
    assert answer["message"] == "添加成功"
    plan = answer["data"]
    assert plan == {"planId": plan["planId"], "customerId": spec_customer["customer"]["customerId"], "title": "回访客户A",
                    "planTime": "2024-06-12T02:00:00.000Z", "description": "定期回访，了解客户需求",
                    "reminderMinutes": 60, "scheduleId": None, "status": "pending"}
    later = world.call("POST", path, world.zhangsan, {"title": "再次回访", "planTime": "2024-07-01T09:00:00"})["data"]
    assert (later["reminderMinutes"], later["description"], later["planTime"]) == (30, "", "2024-07-01T01:00:00.000Z")
    listed = world.call("GET", path, world.zhaoliu, size=1)["data"]
    assert (listed["total"], listed["pages"], listed["current"], listed["size"]) == (2, 2, 1, 1)
    assert listed["list"] == [plan]
    assert world.call("GET", spec_customer["path"], world.zhangsan)["data"]["upcomingSchedules"] == []
    world.site.get(f"{SCHEDULES}/", headers=world.site.headers(world.admin), status=404)


@pytest.mark.plugins("contacts")
@pytest.mark.parametrize("change, field", [({"title": ""}, "title"), ({"planTime": "soon"}, "planTime"),
                                           ({"planTime": "0001-01-01T00:00:00+08:00"}, "planTime"),
                                           ({"reminderMinutes": -1}, "reminderMinutes"), ({"planTime": None}, "planTime")])
def test_plans_refuse_bad_fields(world, spec_customer, change, field):
    body = {k: v for k, v in dict(PLAN, **change).items() if v is not None}
    assert field in world.call("POST", f"{spec_customer['path']}/plans", world.admin, body, status=400)["data"]
    assert plans_written(world.site) == 0


@pytest.mark.plugins("contacts", "schedule")
def test_related_info_for_customers_and_plans(world, spec_customer):
    """The hook the schedule plugin calls to describe what a schedule is about; None for what the user may not see."""
    plan = world.call("POST", f"{spec_customer['path']}/plans", world.zhaoliu, PLAN)["data"]
    hook = world.site.registry.tessera_plugin_manager.hook.tessera_related_info
    customer_id = spec_customer["customer"]["customerId"]
    with transaction_scope(world.site.registry) as dbsession:
        ask = lambda kind, ident, user: hook(registry=world.site.registry, dbsession=dbsession, related_type=kind, related_id=ident, user=user)  # noqa: E731
        assert ask("customer", customer_id, world.zhangsan) == {"id": customer_id, "name": "上海医疗器械有限公司",
                                                                "contact_person": "张经理"}
        assert ask("customer_plan", plan["planId"], world.zhaoliu) == {
            "id": plan["planId"], "name": "上海医疗器械有限公司", "contact_person": "张经理",
            "customer_id": customer_id, "title": "回访客户A"}
        assert ask("customer", customer_id, world.other_sales) is None
        assert ask("customer_plan", plan["planId"], world.other_engineer) is None
        assert ask("customer", 999, world.admin) is None
        assert ask("case", customer_id, world.admin) is None


# --- schedule alone ------------------------------------------------------------------------

@pytest.mark.plugins("schedule")
def test_schedule_alone_has_no_customer_plans(site):
    admin = site.create_user("admin", "admin", name="管理员")
    site.get("/api/v1/contacts/customers", headers=site.headers(admin), status=404)
    refused = site.post_json(f"{SCHEDULES}/create_from_customer_plan/", {
        "customer_id": 1, "plan_title": "回访", "plan_time": "2025-12-28T10:00:00+08:00"},
        headers=site.headers(admin), status=400)
    assert "customer_id" in refused.json["data"]
    assert schedules_written(site) == 0


# --- both --------------------------------------------------------------------------------

both = pytest.mark.plugins("contacts", "schedule")


@both
def test_a_plan_gets_its_schedule(world, spec_customer):
    plan = world.call("POST", f"{spec_customer['path']}/plans", world.zhangsan, PLAN)["data"]
    assert plan["scheduleId"] is not None
    schedule = world.site.get(f"{SCHEDULES}/{plan['scheduleId']}/", headers=world.site.headers(world.zhangsan)).json["data"]
    assert (schedule["title"], schedule["schedule_type"], schedule["related_type"], schedule["related_id"]) == \
        ("回访客户A", "reminder", "customer_plan", plan["planId"])
    assert (schedule["start_time"], schedule["reminder_time"], schedule["description"]) == \
        ("2024-06-12T10:00:00+08:00", 60, "定期回访，了解客户需求")
    assert schedule["related_info"] == {"id": plan["planId"], "name": "上海医疗器械有限公司", "contact_person": "张经理",
                                        "customer_id": spec_customer["customer"]["customerId"], "title": "回访客户A"}
    listed = world.call("GET", f"{spec_customer['path']}/plans", world.zhangsan)["data"]["list"]
    assert [p["scheduleId"] for p in listed] == [plan["scheduleId"]]


@both
def test_customer_detail_lists_upcoming_schedules(world, spec_customer):
    world.call("POST", f"{spec_customer['path']}/plans", world.zhangsan, dict(PLAN, title="第二次回访",
                                                                             planTime="2024-06-20T10:00:00+08:00"))
    first = world.call("POST", f"{spec_customer['path']}/plans", world.zhangsan, PLAN)["data"]
    world.call("POST", f"{spec_customer['path']}/plans", world.zhangsan, dict(PLAN, title="已过去",
                                                                             planTime="2024-06-01T10:00:00+08:00"))
    upcoming = world.call("GET", spec_customer["path"], world.zhangsan)["data"]["upcomingSchedules"]
    assert [s["title"] for s in upcoming] == ["回访客户A", "第二次回访"]
    assert upcoming[0] == {"id": first["scheduleId"], "title": "回访客户A", "start_time": "2024-06-12T10:00:00+08:00",
                           "status": "pending", "related_type": "customer_plan", "related_id": first["planId"]}
    # the customer's sales reads what its engineer planned: they are its team
    assert world.call("GET", spec_customer["path"], world.zhaoliu)["data"]["upcomingSchedules"] == upcoming
    assert world.call("GET", spec_customer["path"], world.admin)["data"]["upcomingSchedules"] == upcoming


@both
def test_create_from_customer_plan_makes_a_contacts_plan(world, spec_customer):
    customer_id = spec_customer["customer"]["customerId"]
    created = world.site.post_json(f"{SCHEDULES}/create_from_customer_plan/", {
        "customer_id": customer_id, "plan_title": "回访客户A", "plan_time": "2024-06-12T10:00:00+08:00",
        "plan_description": "定期回访", "reminder_time": 45}, headers=world.site.headers(world.zhaoliu)).json["data"]
    plans = world.call("GET", f"{spec_customer['path']}/plans", world.zhaoliu)["data"]["list"]
    assert plans == [{"planId": created["related_id"], "customerId": customer_id, "title": "回访客户A",
                      "planTime": "2024-06-12T02:00:00.000Z", "description": "定期回访", "reminderMinutes": 45,
                      "scheduleId": created["id"], "status": "pending"}]
    assert created["related_type"] == "customer_plan"
    assert created["related_info"]["name"] == "上海医疗器械有限公司"


@both
def test_create_from_customer_plan_refuses_a_customer_the_caller_cannot_see(world, spec_customer):
    before = schedules_written(world.site)  # the spec tasks' deadline reminders
    for customer_id in (spec_customer["customer"]["customerId"], 999):
        response = world.site.post_json(f"{SCHEDULES}/create_from_customer_plan/", {
            "customer_id": customer_id, "plan_title": "回访", "plan_time": "2024-06-12T10:00:00+08:00"},
            headers=world.site.headers(world.other_sales), status=404)
        assert response.json["code"] == 4004
    assert plans_written(world.site) == 0 and schedules_written(world.site) == before
