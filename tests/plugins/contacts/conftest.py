"""The people and customers of the contacts spec's examples, built through the API.

``world`` signs up the spec's colleagues (admin, engineers 张三/李四/王五, sales
赵六) plus outsiders who must not see their customers, and ``spec_customer``
adds 上海医疗器械有限公司 with its devices and tasks, as a client would.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from core.testing import DEFAULT_PASSWORD
from core.toolkit import transaction_scope

API = "/api/v1/contacts"
UTC = dt.timezone.utc


@dataclass
class World:
    site: object
    clock: object
    admin: object
    zhangsan: object
    lisi: object
    wangwu: object
    zhaoliu: object
    other_sales: object
    other_engineer: object
    clerk: object

    def call(self, method: str, path: str, user=None, json=None, status: int = 200, **params):
        """One API request as ``user`` (anonymous when None); checks the HTTP status and the envelope's code."""
        headers = self.site.headers(user) if user is not None else {}
        url = path if path.startswith("/") else f"{API}/{path}"
        if method == "GET":
            response = self.site.get(url, params=params, headers=headers, status=status)
        else:
            response = getattr(self.site, f"{method.lower()}_json")(url, json, headers=headers, status=status)
        assert response.json["code"] == status, response.json
        return response.json

    def count(self, model, *where) -> int:
        """Rows of ``model`` in the database, to check what a request wrote (or did not)."""
        with transaction_scope(self.site.registry) as dbsession:
            return dbsession.scalar(select(func.count()).select_from(model).where(*where))

    def create_customer(self, user, status: int = 200, **fields) -> dict:
        body = {"name": "测试客户", "level": "B", "contact": "钱经理", "phone": "13800000000", "address": "上海市"}
        body.update(fields)
        return self.call("POST", "customers", user, body, status=status)["data"]


@pytest.fixture
def world(site, clock) -> World:
    clock.set(dt.datetime(2024, 6, 10, 10, 30, tzinfo=UTC))
    avatar = "https://example.com/avatars/{}.png".format
    return World(
        site=site, clock=clock,
        admin=site.create_user("admin", "admin", name="系统管理员", work_id="admin", department="系统部",
                               avatar=avatar("admin"), mobile="13800138000"),
        zhangsan=site.create_user("zhangsan", "engineer", name="张三", work_id="RYL001", location="上海市",
                                  department="技术部", mobile="13900139001", avatar=avatar("zhangsan")),
        wangwu=site.create_user("wangwu", "engineer", name="王五", work_id="RYL002", location="北京市",
                                department="技术部", mobile="13900139003", avatar=avatar("wangwu")),
        lisi=site.create_user("lisi", "engineer", name="李四", work_id="RYL004", location="上海市",
                              department="技术部", mobile="13900139002", avatar=avatar("lisi")),
        zhaoliu=site.create_user("zhaoliu", "sales", name="赵六", work_id="RYL005", department="销售部",
                                 mobile="13900139006", avatar=avatar("zhaoliu")),
        other_sales=site.create_user("sunqi", "sales", name="孙七", work_id="RYL006", department="销售部"),
        other_engineer=site.create_user("zhouba", "engineer", name="周八", work_id="RYL007", location="广州市"),
        clerk=site.create_user("wujiu", "finance", name="吴九", work_id="RYL008", department="财务部"),
    )


@pytest.fixture
def spec_customer(world) -> dict:
    """上海医疗器械有限公司: sales 赵六 (its creator), engineer 张三, two devices and two tasks."""
    zhaoliu = world.zhaoliu
    customer = world.create_customer(
        zhaoliu, name="上海医疗器械有限公司", level="A", contact="张经理", phone="13800138001",
        address="上海市浦东新区张江高科技园区", email="zhang@shylqx.com", department="设备部", position="经理",
        engineerIds=[world.zhangsan.id])
    path = f"customers/{customer['customerId']}"
    gc = world.call("POST", f"{path}/devices", zhaoliu, {
        "deviceName": "气相色谱仪", "deviceType": "分析仪器", "brand": "Agilent", "model": "GC-2000",
        "serialNumber": "SN20240001", "quantity": 1})["data"]
    lc = world.call("POST", f"{path}/devices", zhaoliu, {
        "deviceName": "液相色谱仪", "deviceType": "分析仪器", "brand": "Waters", "model": "LC-3000",
        "serialNumber": "SN20240002", "quantity": 1})["data"]
    repair = world.call("POST", f"{path}/tasks", zhaoliu, {
        "title": "气相色谱仪维修", "taskType": "repair", "priority": "high", "deviceId": gc["deviceId"],
        "startDate": "2024-06-08T09:00:00.000Z", "deadline": "2024-06-15T18:00:00.000Z",
        "engineerIds": [world.zhangsan.id, world.lisi.id], "ownerId": world.zhangsan.id})["data"]
    world.call("POST", f"tasks/{repair['taskId']}/status", zhaoliu, {"status": "in_progress"})
    upkeep = world.call("POST", f"{path}/tasks", zhaoliu, {
        "title": "液相色谱仪保养", "taskType": "maintenance", "deviceId": lc["deviceId"],
        "deadline": "2024-07-10T18:00:00.000Z", "engineerIds": [world.lisi.id]})["data"]
    return {"customer": customer, "path": path, "devices": [gc, lc], "tasks": [repair, upkeep]}


@pytest.fixture
def password():
    return DEFAULT_PASSWORD
