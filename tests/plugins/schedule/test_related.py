"""Related objects: by_related, related_info, create_from_customer_plan, and the hooks contacts calls."""
from __future__ import annotations

import pytest

from core.testing import shanghai
from core.toolkit import User, transaction_scope
from tests.plugins.schedule.api_support import API, call, create, rows

CONTACTS = "/api/v1/contacts"
PLAN_BODY = {"plan_title": "回访客户A", "plan_time": "2025-12-28T10:00:00+08:00",
             "plan_description": "定期回访，了解客户需求", "reminder_time": 60}


@pytest.fixture
def sales(site):
    return site.create_user("sales1", role="sales", name="赵六")


@pytest.fixture
def customer(site, sales):
    body = {"name": "客户A公司", "level": "B", "contact": "李四", "phone": "13800000000", "address": "上海市"}
    return site.post_json(f"{CONTACTS}/customers", body, headers=site.headers(sales)).json["data"]


def test_by_related_lists_what_the_caller_sees(site, sales):
    bob = site.create_user("bob")
    first = create(site, sales, end_time=None, start_time="2025-12-28T09:00:00+08:00")["data"]
    second = create(site, sales, end_time=None)["data"]
    create(site, sales, end_time=None, related_id=11)
    create(site, sales, end_time=None, related_type="case")
    create(site, bob, end_time=None)
    gone = create(site, sales, end_time=None)["data"]
    call(site, "DELETE", f"{API}/{gone['id']}/", sales)
    answer = call(site, "GET", "by_related/", sales, related_type="customer", related_id=10)
    assert answer["code"] == 2000 and answer["msg"] == "获取成功"
    assert [s["id"] for s in answer["data"]] == [second["id"], first["id"]]  # by start time
    listed = {s["id"]: s for s in call(site, "GET", API, sales)["data"]["results"]}
    assert answer["data"][0] == listed[second["id"]]  # the list's item shape
    for params, field in (({"related_type": "customer"}, "related_id"), ({"related_id": "10"}, "related_type"),
                          ({"related_type": "planet", "related_id": "1"}, "related_type")):
        refused = call(site, "GET", "by_related/", sales, expect=400, **params)
        assert refused["code"] == 4001 and field in refused["data"]


def test_related_info_comes_from_the_owning_plugin(site, sales, customer):
    bob = site.create_user("bob")
    mine = create(site, sales, related_id=customer["customerId"])["data"]
    assert mine["related_info"] == {"id": customer["customerId"], "name": "客户A公司", "contact_person": "李四"}
    theirs = create(site, bob, related_id=customer["customerId"])["data"]  # bob may not see the customer
    assert theirs["related_info"] is None
    case = create(site, sales, related_type="case", related_id=1, start_time="2025-12-29T09:00:00+08:00", end_time=None)["data"]
    assert case["related_info"] is None  # no plugin owns cases


def test_create_from_customer_plan(site, sales, customer):
    answer = call(site, "POST", "create_from_customer_plan/", sales, {"customer_id": customer["customerId"], **PLAN_BODY})
    assert answer["code"] == 2000 and answer["msg"] == "日程创建成功"
    data = answer["data"]
    plans = site.get(f"{CONTACTS}/customers/{customer['customerId']}/plans", headers=site.headers(sales)).json["data"]["list"]
    [plan] = plans
    assert plan["scheduleId"] == data["id"] and plan["title"] == "回访客户A" and plan["reminderMinutes"] == 60
    expected = {"title": "回访客户A", "description": "定期回访，了解客户需求", "schedule_type": "reminder",
                "start_time": "2025-12-28T10:00:00+08:00", "end_time": None, "related_type": "customer_plan",
                "related_id": plan["planId"], "reminder_enabled": True, "reminder_time": 60, "status": "pending"}
    assert {key: data[key] for key in expected} == expected
    assert data["related_info"]["name"] == "客户A公司"
    assert [r["remind_time"] for r in data["reminders"]] == ["2025-12-28T09:00:00+08:00"]
    assert call(site, "GET", f"{API}/{data['id']}/", sales)["data"]["related_id"] == plan["planId"]


def test_create_from_plan_of_an_unseen_customer_is_not_found_and_writes_nothing(site, sales, customer):
    bob = site.create_user("bob")
    for user, customer_id in ((sales, 99999), (bob, customer["customerId"])):
        answer = call(site, "POST", "create_from_customer_plan/", user, {"customer_id": customer_id, **PLAN_BODY},
                      expect=404)
        assert answer["code"] == 4004
    assert rows(site) == 0


@pytest.mark.parametrize("change, field", [({"customer_id": None}, "customer_id"), ({"plan_title": ""}, "plan_title"),
                                           ({"plan_time": "soon"}, "plan_time"), ({"reminder_time": -5}, "reminder_time")])
def test_create_from_plan_validates(site, sales, customer, change, field):
    answer = call(site, "POST", "create_from_customer_plan/", sales,
                  {"customer_id": customer["customerId"], **PLAN_BODY, **change}, expect=400)
    assert answer["code"] == 4001 and field in answer["data"] and rows(site) == 0


def test_create_from_plan_without_contacts_says_so_and_writes_nothing(make_site):
    site = make_site(plugins=("schedule",))
    alice = site.create_user("alice")
    answer = call(site, "POST", "create_from_customer_plan/", alice, {"customer_id": 10, **PLAN_BODY}, expect=400)
    assert answer["code"] == 4001 and "contacts" in answer["data"]["customer_id"][0]
    assert rows(site) == 0


def test_a_plan_made_in_contacts_gets_its_schedule(site, sales, customer):
    body = {"title": "上门回访", "planTime": "2025-12-29T15:00:00+08:00", "description": "带上合同", "reminderMinutes": 45}
    plan = site.post_json(f"{CONTACTS}/customers/{customer['customerId']}/plans", body, headers=site.headers(sales)).json["data"]
    assert plan["scheduleId"] is not None
    schedule = call(site, "GET", f"{API}/{plan['scheduleId']}/", sales)["data"]
    expected = {"title": "上门回访", "description": "带上合同", "schedule_type": "reminder",
                "start_time": "2025-12-29T15:00:00+08:00", "related_type": "customer_plan", "related_id": plan["planId"],
                "reminder_enabled": True, "reminder_time": 45}
    assert {key: schedule[key] for key in expected} == expected
    assert schedule["creator"]["id"] == sales.id
    assert [r["remind_time"] for r in schedule["reminders"]] == ["2025-12-29T14:15:00+08:00"]


def test_customer_detail_shows_upcoming_related_schedules(site, sales, customer):
    customer_id = customer["customerId"]
    create(site, sales, related_id=customer_id, start_time="2025-12-20T09:00:00+08:00", end_time=None, title="已过去")
    later = create(site, sales, related_id=customer_id, start_time="2026-01-10T09:00:00+08:00", end_time=None,
                   title="下月拜访")["data"]
    weekly = create(site, sales, related_id=customer_id, start_time="2025-12-01T16:00:00+08:00",
                    end_time="2025-12-01T17:00:00+08:00", recurrence_rule={"frequency": "weekly"}, title="周会")["data"]
    create(site, sales, related_id=customer_id, start_time="2026-01-02T09:00:00+08:00", end_time=None,
           status="cancelled", title="取消了")
    bob = site.create_user("bob")
    others = create(site, bob, related_id=customer_id, start_time="2026-01-03T09:00:00+08:00", end_time=None,
                    title="别人的")["data"]
    detail = site.get(f"{CONTACTS}/customers/{customer_id}", headers=site.headers(sales)).json["data"]
    upcoming = [(s["id"], s["start_time"]) for s in detail["upcomingSchedules"]]
    # the customer's sales reads every schedule about it, bob's too: they are its team
    assert upcoming == [(weekly["id"], "2025-12-29T16:00:00+08:00"), (others["id"], "2026-01-03T09:00:00+08:00"),
                        (later["id"], "2026-01-10T09:00:00+08:00")]
    assert detail["upcomingSchedules"][0]["related_type"] == "customer"


def test_the_hooks_work_outside_a_request(site, sales):
    """Tasks and the CLI call hooks with a session of their own and no request."""
    hook = site.registry.tessera_plugin_manager.hook
    with transaction_scope(site.registry) as dbsession:
        user = dbsession.get(User, sales.id)
        schedule_id = hook.tessera_create_plan_schedule(
            registry=site.registry, dbsession=dbsession, user=user, plan_id=7, customer_id=3, title="任务里建的计划",
            plan_time=shanghai(2025, 12, 30, 9, 0), description="", reminder_minutes=30)
    with transaction_scope(site.registry) as dbsession:
        answers = hook.tessera_related_schedules(registry=site.registry, dbsession=dbsession, user=dbsession.get(User, sales.id),
                                                 related_type="customer_plan", related_ids=[7, 8], limit=5)
    assert [s for answer in answers for s in answer or ()] == [{
        "id": schedule_id, "title": "任务里建的计划", "start_time": "2025-12-30T09:00:00+08:00", "status": "pending",
        "related_type": "customer_plan", "related_id": 7}]
    detail = call(site, "GET", f"{API}/{schedule_id}/", sales)["data"]
    assert (detail["reminder_time"], detail["schedule_type"]) == (30, "reminder")
