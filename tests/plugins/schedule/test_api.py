"""Endpoints 1–7 as clients read them: shapes field by field, pagination, filters, visibility, soft delete."""
from __future__ import annotations

import pytest

from tests.plugins.schedule.api_support import API, SPEC_EXAMPLE, call, create, rows, snapshot


@pytest.fixture
def alice(site):
    return site.create_user("alice", name="爱丽丝")


@pytest.fixture
def bob(site):
    return site.create_user("bob")


@pytest.fixture
def admin(site):
    return site.create_user("admin", role="admin", name="管理员")


def test_create_with_the_spec_example_answers_every_field(site, alice):
    answer = call(site, "POST", f"{API}/", alice, SPEC_EXAMPLE)
    assert answer["code"] == 2000 and answer["msg"] == "创建成功"
    data = answer["data"]
    expected = {**SPEC_EXAMPLE, "recurrence_rule": None, "attachments": [], "related_info": None,
                "create_datetime": "2025-12-26T10:00:00+08:00", "update_datetime": "2025-12-26T10:00:00+08:00",
                "creator": {"id": alice.id, "username": "alice", "name": "爱丽丝"}}
    for field, value in expected.items():
        assert data[field] == value, field
    assert isinstance(data["id"], int)
    reminders = sorted(data["reminders"], key=lambda r: r["remind_method"])
    assert [(r["remind_method"], r["remind_time"], r["is_sent"]) for r in reminders] == [
        ("email", "2025-12-27T13:30:00+08:00", False), ("system", "2025-12-27T13:30:00+08:00", False)]
    assert set(reminders[0]) >= {"id", "remind_time", "remind_method", "is_sent", "sent_time", "send_result"}


def test_detail_has_the_list_fields_plus_related_info_and_reminders(site, alice):
    created = create(site, alice)["data"]
    listed = call(site, "GET", f"{API}/", alice)["data"]["results"][0]
    detail = call(site, "GET", f"{API}/{created['id']}/", alice)
    assert detail["msg"] == "获取成功"
    assert set(detail["data"]) == set(listed) | {"related_info", "reminders", "attendees", "modifier"}
    assert {k: detail["data"][k] for k in listed} == listed
    assert call(site, "GET", f"{API}/{created['id']}", alice)["data"] == detail["data"]  # no trailing slash


def test_list_paginates_with_links_relative_to_the_host(site, alice):
    for day in (27, 28, 29):
        create(site, alice, start_time=f"2025-12-{day}T09:00:00+08:00", end_time=None)
    first = call(site, "GET", API, alice, limit=2, ordering="start_time")
    assert first["code"] == 2000 and first["msg"] == "获取成功"
    page = first["data"]
    assert page["count"] == 3 and page["previous"] is None
    assert [r["start_time"][:10] for r in page["results"]] == ["2025-12-27", "2025-12-28"]
    assert page["next"].startswith("/api/customer/schedules/?")
    assert "page=2" in page["next"] and "limit=2" in page["next"]
    second = site.get(page["next"], headers=site.headers(alice)).json["data"]
    assert [r["start_time"][:10] for r in second["results"]] == ["2025-12-29"]
    assert second["next"] is None and "page=1" in second["previous"]
    beyond = call(site, "GET", API, alice, page=9)["data"]
    assert beyond["count"] == 3 and beyond["results"] == []
    assert call(site, "GET", API, alice)["data"]["count"] == 3  # default limit 20


@pytest.mark.parametrize("params, field", [
    ({"page": "0"}, "page"), ({"limit": "0"}, "limit"), ({"limit": "101"}, "limit"), ({"page": "x"}, "page"),
    ({"ordering": "-owner"}, "ordering"), ({"ordering": "title,password_hash"}, "ordering"),
    ({"status": "done"}, "status"), ({"start_time_after": "yesterday"}, "start_time_after"),
    ({"related_id": "ten"}, "related_id"), ({"related_id": str(2**31)}, "related_id"),
])
def test_bad_list_parameters_answer_4001_naming_the_field(site, alice, params, field):
    answer = call(site, "GET", API, alice, expect=400, **params)
    assert answer["code"] == 4001 and field in answer["data"]


def test_list_filters(site, alice):
    meeting = create(site, alice, start_time="2025-12-27T09:00:00+08:00", end_time=None)["data"]
    court = create(site, alice, schedule_type="court", priority="urgent", status="in_progress",
                   start_time="2025-12-28T09:00:00+08:00", end_time=None, related_type="case", related_id=3)["data"]
    late = create(site, alice, schedule_type="deadline", priority="low", start_time="2025-12-30T18:00:00+08:00",
                  end_time=None, related_type=None, related_id=None)["data"]

    def ids(**params):
        return [r["id"] for r in call(site, "GET", API, alice, ordering="start_time", **params)["data"]["results"]]

    assert ids(schedule_type="court") == [court["id"]]
    assert ids(status="in_progress") == [court["id"]]
    assert ids(priority="low") == [late["id"]]
    assert ids(related_type="customer", related_id="10") == [meeting["id"]]
    assert ids(related_type="case") == [court["id"]]
    # naive filter times are Shanghai wall-clock; offsets are honoured
    assert ids(start_time_after="2025-12-28T09:00:00") == [court["id"], late["id"]]
    assert ids(start_time_after="2025-12-28T01:00:01Z") == [late["id"]]
    assert ids(start_time_before="2025-12-28T09:00:00+08:00") == [meeting["id"], court["id"]]
    assert ids(start_time_after="2025-12-27", start_time_before="2025-12-29") == [meeting["id"], court["id"]]


def test_search_is_case_insensitive_and_wildcards_match_themselves(site, alice):
    percent = create(site, alice, title="完成 100% 交付", description="", location="", end_time=None)["data"]
    underscore = create(site, alice, title="plan_b", description="", location="", end_time=None)["data"]
    other = create(site, alice, title="Planning", description="Quarterly REVIEW", location="Room 100",
                   end_time=None, start_time="2025-12-28T09:00:00+08:00")["data"]

    def ids(search):
        return sorted(r["id"] for r in call(site, "GET", API, alice, search=search)["data"]["results"])

    assert ids("100%") == [percent["id"]]
    assert ids("n_b") == [underscore["id"]]
    assert ids("PLAN") == sorted([underscore["id"], other["id"]])
    assert ids("review") == [other["id"]]      # description
    assert ids("room 1") == [other["id"]]      # location
    assert ids("%") == [percent["id"]]


def test_ordering_whitelist_and_multiple_fields(site, alice):
    b = create(site, alice, title="b", priority="high", end_time=None)["data"]
    a = create(site, alice, title="a", priority="high", end_time=None, start_time="2025-12-28T09:00:00+08:00")["data"]
    c = create(site, alice, title="c", priority="low", end_time=None, start_time="2025-12-29T09:00:00+08:00")["data"]

    def ids(ordering):
        return [r["id"] for r in call(site, "GET", API, alice, ordering=ordering)["data"]["results"]]

    assert ids("title") == [a["id"], b["id"], c["id"]]
    assert ids("-title") == [c["id"], b["id"], a["id"]]
    assert ids("priority,-start_time") == [c["id"], a["id"], b["id"]]  # low before high: by meaning
    assert ids("-priority,start_time") == [b["id"], a["id"], c["id"]]
    assert ids("-start_time") == [c["id"], a["id"], b["id"]]


def test_patch_merges_and_put_replaces(site, alice):
    created = create(site, alice, attachments=[{"name": "会议资料.pdf", "url": "/media/schedules/meeting_doc.pdf",
                                                "size": 1024000, "upload_time": "2025-12-26T10:00:00+08:00"}])["data"]
    path = f"{API}/{created['id']}/"
    patched = call(site, "PATCH", path, alice, {"title": "与客户A洽谈合同（修改）", "status": "completed", "remark": "会议已完成"})
    assert patched["msg"] == "更新成功"
    data = patched["data"]
    assert (data["title"], data["status"], data["remark"]) == ("与客户A洽谈合同（修改）", "completed", "会议已完成")
    assert data["location"] == "公司会议室A" and data["participants"] == SPEC_EXAMPLE["participants"]
    assert data["attachments"][0]["size"] == 1024000
    assert call(site, "PATCH", path, alice, {"end_time": None})["data"]["end_time"] is None  # null clears

    replaced = call(site, "PUT", path, alice, {"title": "只有必填", "schedule_type": "other",
                                                "start_time": "2025-12-31T09:00:00+08:00"})["data"]
    assert replaced["title"] == "只有必填" and replaced["location"] == "" and replaced["participants"] == []
    assert replaced["attachments"] == [] and replaced["related_type"] is None and replaced["status"] == "pending"
    assert replaced["priority"] == "medium" and replaced["reminder_time"] == 30
    assert replaced["create_datetime"] == created["create_datetime"]
    assert snapshot(site, created["id"])["sequence"] == 3
    answer = call(site, "PUT", path, alice, {"title": "缺类型"}, expect=400)
    assert set(answer["data"]) == {"schedule_type", "start_time"}


def test_delete_is_soft_and_final(site, alice):
    created = create(site, alice)["data"]
    path = f"{API}/{created['id']}/"
    answer = call(site, "DELETE", path, alice)
    assert answer == {"code": 2000, "msg": "删除成功", "data": {}}
    assert rows(site, id=created["id"], is_deleted=True) == 1
    for method, body in (("GET", None), ("PATCH", {"title": "x"}), ("PUT", SPEC_EXAMPLE), ("DELETE", None)):
        gone = call(site, method, path, alice, body, expect=404)
        assert gone["code"] == 4004
    assert call(site, "POST", f"{path}update_status/", alice, {"status": "completed"}, expect=404)["code"] == 4004
    assert call(site, "GET", API, alice)["data"]["count"] == 0
    assert call(site, "POST", "batch_delete/", alice, {"ids": [created["id"]]})["data"] == {"deleted_count": 0}
    assert call(site, "GET", f"{API}/{2**63}/", alice, expect=404)["code"] == 4004


def test_batch_delete_only_deletes_what_the_caller_may(site, alice, bob, admin):
    mine = [create(site, alice)["data"]["id"], create(site, alice, start_time="2025-12-28T14:00:00+08:00",
                                                       end_time=None)["data"]["id"]]
    theirs = create(site, bob)["data"]["id"]
    answer = call(site, "POST", "batch_delete/", alice, {"ids": mine + [theirs, 99999]})
    assert answer == {"code": 2000, "msg": "批量删除成功，共删除 2 条记录", "data": {"deleted_count": 2}}
    assert rows(site, is_deleted=True) == 2 and rows(site, id=theirs, is_deleted=False) == 1
    assert call(site, "POST", "batch_delete", admin, {"ids": [theirs]})["data"]["deleted_count"] == 1
    for body, field in (({}, "ids"), ({"ids": []}, "ids"), ({"ids": "1,2"}, "ids"), ({"ids": ["x"]}, "ids.0"),
                        ({"ids": [1, 2**31]}, "ids.1")):
        refused = call(site, "POST", "batch_delete/", alice, body, expect=400)
        assert refused["code"] == 4001 and field in refused["data"]


def test_another_users_schedule_is_not_found_everywhere(site, alice, bob, admin):
    theirs = create(site, bob, start_time="2025-12-26T14:00:00+08:00", end_time="2025-12-26T15:00:00+08:00")["data"]
    path = f"{API}/{theirs['id']}/"
    for method, body in (("GET", None), ("PATCH", {"title": "x"}), ("PUT", SPEC_EXAMPLE), ("DELETE", None)):
        assert call(site, method, path, alice, body, expect=404)["code"] == 4004
    assert call(site, "POST", f"{path}update_status/", alice, {"status": "cancelled"}, expect=404)["code"] == 4004
    assert snapshot(site, theirs["id"])["title"] == SPEC_EXAMPLE["title"]
    assert call(site, "GET", API, alice)["data"]["count"] == 0
    assert call(site, "GET", "today/", alice)["data"]["total_count"] == 0
    assert call(site, "GET", "this_week/", alice)["data"]["total_count"] == 0
    assert call(site, "GET", "statistics/", alice)["data"]["total_count"] == 0
    month = call(site, "GET", "calendar_view/", alice, year=2025, month=12)["data"]
    assert sum(day["count"] for day in month["days"]) == 0
    assert call(site, "GET", "by_related/", alice, related_type="customer", related_id=10)["data"] == []
    assert "BEGIN:VEVENT" not in site.get(f"{API}/export.ics", headers=site.headers(alice)).text
    # an admin sees and may change everyone's
    assert call(site, "GET", path, admin)["data"]["creator"]["username"] == "bob"
    assert call(site, "GET", API, admin)["data"]["count"] == 1
    assert call(site, "PATCH", path, admin, {"remark": "admin"})["data"]["remark"] == "admin"


ENDPOINTS = [
    ("GET", f"{API}/"), ("POST", f"{API}/"), ("GET", f"{API}/1/"), ("PUT", f"{API}/1/"), ("PATCH", f"{API}/1/"),
    ("DELETE", f"{API}/1/"), ("POST", f"{API}/batch_delete/"), ("POST", f"{API}/1/update_status/"),
    ("GET", f"{API}/today/"), ("GET", f"{API}/this_week/"), ("GET", f"{API}/statistics/"),
    ("POST", f"{API}/create_from_customer_plan/"), ("GET", f"{API}/by_related/"),
    ("GET", f"{API}/calendar_view/"), ("GET", "/api/schedule/schedules/calendar_view/"),
    ("GET", f"{API}/export.ics"), ("GET", f"{API}/today"),
]


@pytest.mark.parametrize("method, path", ENDPOINTS)
def test_every_endpoint_needs_a_token(site, method, path):
    answer = call(site, method, path, None, {} if method in ("POST", "PUT", "PATCH") else None, expect=401)
    assert answer["code"] == 401 and answer["data"] == {}


def test_status_state_machine(site, alice):
    schedule_id = create(site, alice, end_time=None)["data"]["id"]
    def move(status, expect=200):
        return call(site, "POST", f"{API}/{schedule_id}/update_status/", alice, {"status": status}, expect=expect)

    answer = move("in_progress")
    assert answer["msg"] == "状态更新成功" and answer["data"]["status"] == "in_progress" and answer["data"]["id"] == schedule_id
    assert move("completed")["data"]["status"] == "completed"
    for refused in ("in_progress", "cancelled"):
        answer = move(refused, 400)
        assert answer["code"] == 4001 and "status" in answer["data"]
    assert move("completed")["data"]["status"] == "completed"   # staying put is not a change
    assert move("pending")["data"]["status"] == "pending"       # reopen
    assert move("cancelled")["data"]["status"] == "cancelled"
    assert move("completed", 400)["code"] == 4001
    patched = call(site, "PATCH", f"{API}/{schedule_id}/", alice, {"status": "in_progress", "title": "改"}, expect=400)
    assert "status" in patched["data"]
    assert snapshot(site, schedule_id)["title"] == SPEC_EXAMPLE["title"]
    assert move("pending")["data"]["status"] == "pending"
    assert "status" in move("paused", 400)["data"]


def test_cancelling_or_completing_cancels_unsent_reminders(site, alice):
    schedule_id = create(site, alice, end_time=None)["data"]["id"]
    [reminder] = call(site, "GET", f"{API}/{schedule_id}/", alice)["data"]["reminders"]
    assert reminder["send_result"] == "" and reminder["is_sent"] is False
    cancelled = call(site, "POST", f"{API}/{schedule_id}/update_status/", alice, {"status": "cancelled"})["data"]
    assert [r["send_result"] for r in cancelled["reminders"]] == ["日程已取消"]
    upcoming = call(site, "GET", "upcoming_reminders/", alice, hours=48)["data"]
    assert upcoming["count"] == 0
    reopened = call(site, "POST", f"{API}/{schedule_id}/update_status/", alice, {"status": "pending"})["data"]
    assert [r["send_result"] for r in reopened["reminders"]] == [""]
    assert call(site, "GET", "upcoming_reminders/", alice, hours=48)["data"]["count"] == 1
    call(site, "DELETE", f"{API}/{schedule_id}/", alice)
    assert call(site, "GET", "upcoming_reminders/", alice, hours=48)["data"]["count"] == 0


def test_openapi_documents_the_endpoints(site):
    paths = site.get("/api/openapi.json").json["paths"]
    for path in ("/api/customer/schedules/", "/api/customer/schedules/{id}/", "/api/customer/schedules/export.ics",
                 "/api/customer/schedules/{id}/update_status/", "/api/schedule/schedules/calendar_view/"):
        assert path in paths
    body = paths["/api/customer/schedules/"]["post"]["parameters"][0]["schema"]
    assert body["properties"]["schedule_type"]["enum"] == ["meeting", "court", "deadline", "reminder", "other"]
    assert set(body["required"]) == {"title", "schedule_type", "start_time"}


def test_a_deleted_schedule_is_gone_from_every_endpoint(site, alice):
    kept = create(site, alice, start_time="2025-12-26T14:00:00+08:00", end_time="2025-12-26T15:00:00+08:00",
                  title="留下")["data"]
    gone = create(site, alice, start_time="2025-12-26T16:00:00+08:00", end_time="2025-12-26T17:00:00+08:00",
                  title="删掉", recurrence_rule={"frequency": "daily"})["data"]
    call(site, "DELETE", f"{API}/{gone['id']}/", alice)

    def ids(items):
        return {item["id"] for item in items}

    assert ids(call(site, "GET", API, alice)["data"]["results"]) == {kept["id"]}
    assert ids(call(site, "GET", "today/", alice)["data"]["schedules"]) == {kept["id"]}
    assert ids(call(site, "GET", "this_week/", alice)["data"]["schedules"]) == {kept["id"]}
    month = call(site, "GET", "calendar_view/", alice, year=2025, month=12)["data"]["days"]
    assert ids(s for day in month for s in day["schedules"]) == {kept["id"]}
    stats = call(site, "GET", "statistics/", alice, start_date="2025-12-26", end_date="2025-12-31")["data"]
    assert stats["total_count"] == 1 and stats["upcoming_count"] == 1
    assert ids(call(site, "GET", "by_related/", alice, related_type="customer", related_id=10)["data"]) == {kept["id"]}
    assert call(site, "GET", "upcoming_reminders/", alice, hours=72)["data"]["count"] == 1
    ics = site.get(f"{API}/export.ics", headers=site.headers(alice)).text
    assert "留下" in ics and "删掉" not in ics
    assert call(site, "POST", f"{API}/", alice, {**SPEC_EXAMPLE, "reminder_method": "system",
                                                  "start_time": "2025-12-26T16:00:00+08:00",
                                                  "end_time": "2025-12-26T17:00:00+08:00"})["code"] == 2000  # no conflict
