"""Who may call what: every endpoint × admin, the assigned engineer, the customer's sales, a role without the
customer permission, no token, and sales/engineer users who may not see the customer (404 everywhere)."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.plugins("contacts")

CALLERS = ("admin", "engineer", "sales", "finance", "anonymous", "outsider_sales", "outsider_engineer")
#: the usual answer of a customer endpoint, in CALLERS order
CUSTOMER_RULE = (200, 200, 200, 403, 401, 404, 404)


def caller_user(world, caller):
    return {"admin": world.admin, "engineer": world.zhangsan, "sales": world.zhaoliu, "finance": world.clerk,
            "anonymous": None, "outsider_sales": world.other_sales, "outsider_engineer": world.other_engineer}[caller]


def customer_body(world, user):
    body = {"name": "新客户", "level": "C", "contact": "钱经理", "phone": "13800000000", "address": "上海市"}
    return dict(body, salesId=world.zhaoliu.id) if user is not None and user.role == "engineer" else body


# method, path (formatted with the spec customer's ids), body (a function of world and caller), answers in CALLERS order
ENDPOINTS = [
    ("GET", "engineers/status", None, (200, 200, 200, 200, 401, 200, 200)),
    ("PUT", "engineers/status", lambda w, u: {"status": "busy"}, (403, 200, 403, 403, 401, 403, 200)),
    ("GET", "engineers/{zhangsan}", None, (200, 200, 200, 200, 401, 200, 200)),
    ("GET", "other", None, (200, 200, 200, 200, 401, 200, 200)),
    ("GET", "customers", None, (200, 200, 200, 403, 401, 200, 200)),
    ("POST", "customers", customer_body, (200, 200, 200, 403, 401, 200, 200)),
    ("GET", "customers/{customer}", None, CUSTOMER_RULE),
    ("PUT", "customers/{customer}", lambda w, u: {"level": "B"}, CUSTOMER_RULE),
    ("DELETE", "customers/{customer}", lambda w, u: {"password": w.password}, (200, 403, 200, 403, 401, 404, 404)),
    ("POST", "customers/{customer}/assign-sales", lambda w, u: {"salesId": w.other_sales.id},
     (200, 200, 403, 403, 401, 404, 404)),
    ("POST", "customers/{customer}/assign-engineers", lambda w, u: {"engineerIds": [w.lisi.id]},
     (200, 403, 200, 403, 401, 404, 404)),
    ("POST", "customers/{customer}/remove-engineer/{zhangsan}", None, (200, 403, 200, 403, 401, 404, 404)),
    ("GET", "customers/{customer}/tasks", None, CUSTOMER_RULE),
    ("POST", "customers/{customer}/tasks", lambda w, u: {"title": "检修", "taskType": "repair"}, CUSTOMER_RULE),
    ("GET", "customers/{customer}/devices", None, CUSTOMER_RULE),
    ("POST", "customers/{customer}/devices", lambda w, u: {"deviceName": "质谱仪"}, CUSTOMER_RULE),
    ("PUT", "devices/{device}", lambda w, u: {"brand": "Thermo"}, CUSTOMER_RULE),
    ("DELETE", "devices/{device}", None, CUSTOMER_RULE),
    ("GET", "tasks/{task}", None, CUSTOMER_RULE),
    ("PUT", "tasks/{task}", lambda w, u: {"priority": "urgent"}, CUSTOMER_RULE),
    ("POST", "tasks/{task}/status", lambda w, u: {"status": "completed"}, CUSTOMER_RULE),
    ("GET", "customers/{customer}/plans", None, CUSTOMER_RULE),
    ("POST", "customers/{customer}/plans", lambda w, u: {"title": "回访", "planTime": "2024-06-12T10:00:00Z"},
     CUSTOMER_RULE),
]

# a write may change what the next caller finds, so each allowed write gets its own fresh world; reads share one
ALLOWED_WRITES = [pytest.param(method, path, body, caller, id=f"{method} {path} as {caller}")
                  for method, path, body, answers in ENDPOINTS if method != "GET"
                  for caller, expected in zip(CALLERS, answers) if expected == 200]
READS = [pytest.param(method, path, answers, id=f"{method} {path}") for method, path, _, answers in ENDPOINTS
         if method == "GET"]


def request(world, spec_customer, method, path, body, caller, expected):
    user = caller_user(world, caller)
    url = path.format(customer=spec_customer["customer"]["customerId"], zhangsan=world.zhangsan.id,
                      device=spec_customer["devices"][0]["deviceId"], task=spec_customer["tasks"][0]["taskId"])
    return world.call(method, url, user, body(world, user) if body else None, status=expected)


@pytest.mark.parametrize("method, path, body, caller", ALLOWED_WRITES)
def test_allowed_write(world, spec_customer, password, method, path, body, caller):
    world.password = password
    assert request(world, spec_customer, method, path, body, caller, 200)["message"]


@pytest.mark.parametrize("method, path, answers", READS)
def test_allowed_reads(world, spec_customer, method, path, answers):
    for caller, expected in zip(CALLERS, answers):
        if expected == 200:
            assert request(world, spec_customer, method, path, None, caller, 200)["message"] == "获取成功", caller


@pytest.mark.parametrize("method, path, body, answers", [pytest.param(*endpoint, id=f"{endpoint[0]} {endpoint[1]}")
                                                        for endpoint in ENDPOINTS])
def test_refused_and_nothing_changes(world, spec_customer, password, method, path, body, answers):
    world.password = password
    for caller, expected in zip(CALLERS, answers):
        if expected != 200:
            answer = request(world, spec_customer, method, path, body, caller, expected)
            assert answer["data"] is None, caller
    detail = world.call("GET", spec_customer["path"], world.admin)["data"]
    assert (detail["level"], detail["sales"]["userId"], [e["userId"] for e in detail["engineers"]],
            len(detail["devices"]), detail["tasks"][0]["priority"], detail["tasks"][0]["status"]) == \
        ("A", world.zhaoliu.id, [world.zhangsan.id], 2, "high", "in_progress")
