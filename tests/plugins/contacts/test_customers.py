"""Customers: list, detail, create, update, delete and assignments, with the spec's example data."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.toolkit import transaction_scope
from plugins.contacts.models import Customer, CustomerEngineer, Device, Task

pytestmark = pytest.mark.plugins("contacts")


# --- list --------------------------------------------------------------------------

def test_list_shows_the_spec_fields_for_an_assigned_engineer(world, spec_customer):
    guangzhou = world.create_customer(world.zhangsan, name="广州医学检验中心", level="A", contact="王主任",
                                      phone="13800138003", address="广州市黄埔区科学城", salesId=world.zhaoliu.id)
    data = world.call("GET", "customers", world.zhangsan)["data"]
    assert {k: data[k] for k in ("total", "pages", "current", "size")} == {"total": 2, "pages": 1, "current": 1, "size": 10}
    assert data["list"] == [
        {"customerId": spec_customer["customer"]["customerId"], "name": "上海医疗器械有限公司", "level": "A",
         "contact": "张经理", "phone": "13800138001", "address": "上海市浦东新区张江高科技园区",
         "relationType": "engineer", "isCreator": False, "salesId": world.zhaoliu.id, "salesName": "赵六",
         "engineerCount": 1},
        {"customerId": guangzhou["customerId"], "name": "广州医学检验中心", "level": "A", "contact": "王主任",
         "phone": "13800138003", "address": "广州市黄埔区科学城", "relationType": "engineer", "isCreator": True,
         "salesId": world.zhaoliu.id, "salesName": "赵六", "engineerCount": 1},
    ]


def test_list_holds_only_what_each_role_may_see(world, spec_customer):
    admins = world.create_customer(world.admin, name="广州医学检验中心")
    by_other_sales = world.create_customer(world.other_sales, name="北京客户")
    shanghai = spec_customer["customer"]["customerId"]

    def seen(user):
        rows = world.call("GET", "customers", user)["data"]["list"]
        return {row["customerId"]: (row["relationType"], row["isCreator"]) for row in rows}

    assert seen(world.admin) == {shanghai: ("admin", False), admins["customerId"]: ("admin", True),
                                 by_other_sales["customerId"]: ("admin", False)}
    assert seen(world.zhaoliu) == {shanghai: ("sales", True)}
    assert seen(world.other_sales) == {by_other_sales["customerId"]: ("sales", True)}
    assert seen(world.zhangsan) == {shanghai: ("engineer", False)}
    assert seen(world.lisi) == {}  # on a task of the customer, but not assigned to it
    world.call("POST", f"customers/{admins['customerId']}/assign-sales", world.admin, {"salesId": world.zhaoliu.id})
    assert seen(world.zhaoliu) == {shanghai: ("sales", True), admins["customerId"]: ("sales", False)}


def test_keyword_wildcards_match_themselves(world):
    world.create_customer(world.admin, name="100%_达标公司", contact="王", phone="13900000000", address="深圳")
    world.create_customer(world.admin, name="普通公司", contact="李", phone="13900000001", address="广州")
    for keyword in ("%", "_", "0%_"):
        assert [c["name"] for c in world.call("GET", "customers", world.admin, keyword=keyword)["data"]["list"]] == \
            ["100%_达标公司"]


def test_list_searches_name_contact_phone_and_address_and_pages(world):
    for number in range(12):
        world.create_customer(world.admin, name=f"客户{number:02d}", contact=f"联系人{number}",
                              phone=f"1380000{number:04d}", address=f"地址{number}")
    assert [c["name"] for c in world.call("GET", "customers", world.admin, keyword="客户0")["data"]["list"]] == \
        [f"客户{n:02d}" for n in range(10)]
    for keyword in ("联系人11", "13800000011", "地址11"):
        assert [c["name"] for c in world.call("GET", "customers", world.admin, keyword=keyword)["data"]["list"]] == ["客户11"]
    second = world.call("GET", "customers", world.admin, page=2, size=5)["data"]
    assert (second["total"], second["pages"], second["current"], second["size"]) == (12, 3, 2, 5)
    assert [c["name"] for c in second["list"]] == [f"客户{n:02d}" for n in range(5, 10)]


@pytest.mark.parametrize("params, field", [({"size": 101}, "size"), ({"size": 0}, "size"), ({"page": 0}, "page"),
                                           ({"page": "x"}, "page")])
def test_list_refuses_bad_paging(world, params, field):
    body = world.call("GET", "customers", world.admin, status=400, **params)
    assert field in body["data"]


# --- detail ----------------------------------------------------------------------------

def test_detail_matches_the_spec(world, spec_customer):
    gc, lc = spec_customer["devices"]
    data = world.call("GET", spec_customer["path"], world.zhangsan)["data"]
    assert data == {
        "customerId": spec_customer["customer"]["customerId"], "name": "上海医疗器械有限公司", "level": "A",
        "contact": "张经理", "phone": "13800138001", "address": "上海市浦东新区张江高科技园区",
        "email": "zhang@shylqx.com", "department": "设备部", "position": "经理",
        "relationType": "engineer", "isCreator": False,
        "sales": {"userId": world.zhaoliu.id, "workId": "RYL005", "name": "赵六", "mobile": "13900139006",
                  "avatar": "https://example.com/avatars/zhaoliu.png"},
        "engineers": [{"userId": world.zhangsan.id, "workId": "RYL001", "name": "张三", "mobile": "13900139001",
                       "avatar": "https://example.com/avatars/zhangsan.png", "isCreator": False}],
        "devices": [
            {"deviceId": gc["deviceId"], "deviceName": "气相色谱仪", "deviceType": "分析仪器", "brand": "Agilent",
             "model": "GC-2000", "serialNumber": "SN20240001"},
            {"deviceId": lc["deviceId"], "deviceName": "液相色谱仪", "deviceType": "分析仪器", "brand": "Waters",
             "model": "LC-3000", "serialNumber": "SN20240002"},
        ],
        "tasks": [
            {"taskId": "RP-2024-001", "title": "气相色谱仪维修", "taskType": "repair", "status": "in_progress",
             "priority": "high", "deviceName": "气相色谱仪", "startDate": "2024-06-08T09:00:00.000Z",
             "deadline": "2024-06-15T18:00:00.000Z", "engineerName": "张三"},
            {"taskId": "MT-2024-001", "title": "液相色谱仪保养", "taskType": "maintenance", "status": "pending",
             "priority": "normal", "deviceName": "液相色谱仪", "startDate": None,
             "deadline": "2024-07-10T18:00:00.000Z", "engineerName": "李四"},
        ],
        "upcomingSchedules": [],
    }


def test_detail_leaves_out_devices_and_tasks_on_request(world, spec_customer):
    data = world.call("GET", spec_customer["path"], world.admin, includeDevices="false", includeTasks="false")["data"]
    assert "devices" not in data and "tasks" not in data
    assert data["relationType"] == "admin" and data["sales"]["name"] == "赵六"
    only_tasks = world.call("GET", spec_customer["path"], world.admin, includeDevices="false")["data"]
    assert "devices" not in only_tasks and len(only_tasks["tasks"]) == 2


def test_detail_of_a_customer_without_sales(world):
    created = world.create_customer(world.admin, name="广州医学检验中心")
    data = world.call("GET", f"customers/{created['customerId']}", world.admin)["data"]
    assert (data["sales"], data["engineers"], data["devices"], data["tasks"], data["email"]) == (None, [], [], [], None)


# --- create ------------------------------------------------------------------------------

SPEC_NEW_CUSTOMER = {"name": "深圳科技有限公司", "level": "B", "contact": "赵总", "phone": "13900139004",
                     "address": "深圳市南山区科技园", "email": "zhao@sztec.com", "department": "研发部", "position": "总监"}


def test_a_sales_user_creates_with_engineers_and_becomes_the_sales(world):
    body = dict(SPEC_NEW_CUSTOMER, salesId=world.zhaoliu.id, engineerIds=[world.zhangsan.id, world.wangwu.id])
    answer = world.call("POST", "customers", world.zhaoliu, body)
    assert answer["message"] == "添加成功"
    assert answer["data"] == {"customerId": answer["data"]["customerId"], "name": "深圳科技有限公司"}
    detail = world.call("GET", f"customers/{answer['data']['customerId']}", world.zhaoliu)["data"]
    assert {k: detail[k] for k in SPEC_NEW_CUSTOMER} == SPEC_NEW_CUSTOMER
    assert detail["sales"]["userId"] == world.zhaoliu.id and detail["isCreator"] is True
    assert [e["name"] for e in detail["engineers"]] == ["张三", "王五"]
    with transaction_scope(world.site.registry) as dbsession:
        links = dbsession.scalars(select(CustomerEngineer)).all()
        assert {link.created_by_id for link in links} == {world.zhaoliu.id}


def test_an_engineer_must_name_the_sales_and_is_assigned(world):
    refused = world.call("POST", "customers", world.zhangsan, SPEC_NEW_CUSTOMER, status=400)
    assert "salesId" in refused["data"]
    assert world.count(Customer) == 0
    created = world.create_customer(world.zhangsan, salesId=world.zhaoliu.id)
    detail = world.call("GET", f"customers/{created['customerId']}", world.zhangsan)["data"]
    assert detail["sales"]["name"] == "赵六"
    assert detail["engineers"] == [{"userId": world.zhangsan.id, "workId": "RYL001", "name": "张三",
                                    "mobile": "13900139001", "avatar": "https://example.com/avatars/zhangsan.png",
                                    "isCreator": True}]
    world.create_customer(world.zhangsan, status=403, salesId=world.zhaoliu.id, engineerIds=[world.wangwu.id])


@pytest.mark.parametrize("change, field", [
    ({"name": ""}, "name"), ({"level": "D"}, "level"), ({"phone": "call me"}, "phone"), ({"email": "nope"}, "email"),
    ({"contact": None}, "contact"), ({"address": "x" * 501}, "address"), ({"engineerIds": ["a"]}, "engineerIds.0"),
    ({"salesId": 2}, "salesId"),  # 张三 is an engineer, not a sales user
    ({"engineerIds": [5]}, "engineerIds"),  # 赵六 is a sales user
])
def test_create_refuses_bad_fields_and_writes_nothing(world, change, field):
    body = dict(SPEC_NEW_CUSTOMER, **change)
    body = {k: v for k, v in body.items() if v is not None}
    refused = world.call("POST", "customers", world.admin, body, status=400)
    assert field in refused["data"]
    assert world.count(Customer) == 0 and world.count(CustomerEngineer) == 0


def test_create_refuses_an_inactive_sales_user(world):
    world.site.delete(f"/api/users/{world.other_sales.id}", headers=world.site.headers(world.admin))
    refused = world.call("POST", "customers", world.zhangsan, dict(SPEC_NEW_CUSTOMER, salesId=world.other_sales.id),
                         status=400)
    assert "salesId" in refused["data"] and world.count(Customer) == 0


# --- update and delete ---------------------------------------------------------------------

def test_update_changes_only_what_was_sent(world, spec_customer):
    answer = world.call("PUT", spec_customer["path"], world.zhangsan,
                        {"level": "A", "contact": "赵总监", "phone": "13900139005"})
    assert (answer["message"], answer["data"]) == ("修改成功", None)
    detail = world.call("GET", spec_customer["path"], world.zhangsan)["data"]
    assert (detail["level"], detail["contact"], detail["phone"], detail["name"], detail["email"]) == \
        ("A", "赵总监", "13900139005", "上海医疗器械有限公司", "zhang@shylqx.com")
    world.call("PUT", spec_customer["path"], world.zhangsan, {"email": ""})
    assert world.call("GET", spec_customer["path"], world.zhangsan)["data"]["email"] is None


def test_update_refuses_bad_fields(world, spec_customer):
    refused = world.call("PUT", spec_customer["path"], world.zhaoliu, {"level": "Z", "contact": "新"}, status=400)
    assert "level" in refused["data"]
    assert world.call("GET", spec_customer["path"], world.zhaoliu)["data"]["contact"] == "张经理"


def test_delete_needs_the_callers_password_and_hides_devices_and_tasks(world, spec_customer, password):
    path = spec_customer["path"]
    assert "password" in world.call("DELETE", path, world.zhaoliu, {}, status=400)["data"]
    world.call("DELETE", path, world.zhaoliu, {"password": "wrong-password"}, status=403)
    world.call("DELETE", path, world.zhangsan, {"password": password}, status=403)  # assigned, not creator or sales
    assert world.count(Customer, Customer.is_deleted.is_(False)) == 1
    answer = world.call("DELETE", path, world.zhaoliu, {"password": password})
    assert (answer["message"], answer["data"]) == ("删除成功", None)
    assert world.count(Device, Device.is_deleted.is_(False)) == 0
    assert world.count(Task, Task.is_deleted.is_(False)) == 0
    for user in (world.zhaoliu, world.admin):
        world.call("GET", path, user, status=404)
        assert world.call("GET", "customers", user)["data"]["total"] == 0
    engineer = world.call("GET", f"engineers/{world.zhangsan.id}", world.zhangsan)["data"]
    assert engineer["currentTasks"] == []
    world.call("GET", "tasks/RP-2024-001", world.admin, status=404)


# --- assignments -----------------------------------------------------------------------------

def test_assign_sales_by_an_engineer(world, spec_customer):
    answer = world.call("POST", f"{spec_customer['path']}/assign-sales", world.zhangsan, {"salesId": world.other_sales.id})
    assert (answer["message"], answer["data"]) == ("分配成功", None)
    detail = world.call("GET", spec_customer["path"], world.zhangsan)["data"]
    assert detail["sales"]["name"] == "孙七"
    assert world.call("GET", "customers", world.other_sales)["data"]["total"] == 1


def test_assign_sales_refuses_a_non_sales_user_and_sales_callers(world, spec_customer):
    path = f"{spec_customer['path']}/assign-sales"
    assert "salesId" in world.call("POST", path, world.admin, {"salesId": world.lisi.id}, status=400)["data"]
    assert "salesId" in world.call("POST", path, world.admin, {}, status=400)["data"]
    world.call("POST", path, world.zhaoliu, {"salesId": world.other_sales.id}, status=403)
    assert world.call("GET", spec_customer["path"], world.admin)["data"]["sales"]["name"] == "赵六"


def test_assign_engineers_adds_and_remove_engineer_removes(world, spec_customer):
    path = spec_customer["path"]
    answer = world.call("POST", f"{path}/assign-engineers", world.zhaoliu, {"engineerIds": [world.lisi.id, world.zhangsan.id]})
    assert (answer["message"], answer["data"]) == ("分配成功", None)
    detail = world.call("GET", path, world.zhaoliu)["data"]
    assert [e["name"] for e in detail["engineers"]] == ["张三", "李四"]
    assert world.call("GET", "customers", world.lisi)["data"]["list"][0]["engineerCount"] == 2
    removed = world.call("POST", f"{path}/remove-engineer/{world.zhangsan.id}", world.admin)
    assert (removed["message"], removed["data"]) == ("移除成功", None)
    assert [e["name"] for e in world.call("GET", path, world.admin)["data"]["engineers"]] == ["李四"]
    world.call("GET", path, world.zhangsan, status=404)
    world.call("POST", f"{path}/remove-engineer/{world.zhangsan.id}", world.admin, status=404)


def test_assign_engineers_validates_and_refuses_engineers(world, spec_customer):
    path = f"{spec_customer['path']}/assign-engineers"
    assert "engineerIds" in world.call("POST", path, world.admin, {"engineerIds": []}, status=400)["data"]
    assert "engineerIds" in world.call("POST", path, world.admin, {"engineerIds": [world.zhaoliu.id]}, status=400)["data"]
    assert "engineerIds" in world.call("POST", path, world.admin, {"engineerIds": [999]}, status=400)["data"]
    world.call("POST", path, world.zhangsan, {"engineerIds": [world.lisi.id]}, status=403)
    world.call("POST", f"{spec_customer['path']}/remove-engineer/{world.zhangsan.id}", world.zhangsan, status=403)
    assert world.count(CustomerEngineer) == 1


def test_a_site_may_grant_customers_to_another_role(make_site):
    site = make_site(plugins=("contacts",), settings={"tessera.permission.contacts.customers": "sales engineer manager"})
    manager = site.create_user("qianshi", "manager", name="钱十")
    sales = site.create_user("zhaoliu", "sales", name="赵六")
    headers = site.headers(manager)
    body = {"name": "杭州客户", "level": "B", "contact": "孙经理", "phone": "13800000000", "address": "杭州市"}
    site.post_json("/api/v1/contacts/customers", dict(body, salesId=sales.id), headers=headers, status=403)
    created = site.post_json("/api/v1/contacts/customers", body, headers=headers).json["data"]
    site.post_json("/api/v1/contacts/customers", dict(body, name="赵六的客户"), headers=site.headers(sales))
    rows = site.get("/api/v1/contacts/customers", headers=headers).json["data"]["list"]
    assert [(r["customerId"], r["relationType"], r["isCreator"]) for r in rows] == [(created["customerId"], "creator", True)]
    site.post_json(f"/api/v1/contacts/customers/{created['customerId']}/assign-sales", {"salesId": sales.id},
                   headers=headers, status=403)
