"""What a client sends is checked before any view or the database sees it: media type, depth, numbers,
control characters, URLs and addresses; what the API answers is neither cached nor built from ``Host``."""
import json
import logging
from urllib.parse import quote

import pytest

SCHEDULES = "/api/customer/schedules/"
CUSTOMERS = "/api/v1/contacts/customers"


def send(site, path, body: bytes, content_type, headers=None, status=None):
    return site.post(path, body, headers={"Content-Type": content_type, **(headers or {})}, status=status)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                                          "application/xml"])
def test_a_json_body_in_another_media_type_is_415(site, content_type):
    site.create_user("wang")
    body = json.dumps({"username": "wang", "password": "password123"}).encode()
    answer = send(site, "/api/auth/login", body, content_type, status=415).json
    assert answer["code"] == 4000 and "application/json" in answer["msg"]
    send(site, "/api/auth/login", body, "application/json; charset=utf-8", status=200)


@pytest.mark.parametrize("depth", [40, 1000, 100_000])
def test_deeply_nested_json_is_a_400_also_without_a_token(site, depth):
    body = ('{"username": "x", "password": ' + "[" * depth + "]" * depth + "}").encode()
    answer = send(site, "/api/auth/login", body, "application/json", status=400).json
    assert answer["code"] == 4001 and set(answer["data"]) <= {"password", "body"}


@pytest.mark.parametrize("body, field", [
    ({"name": "客户", "level": "A", "contact": "张三", "phone": "13800138000", "address": "上海", "salesId": 2**64}, "salesId"),
    ({"name": "客户", "level": "A", "contact": "张三", "phone": "13800138000", "address": "上海", "salesId": 2**40}, "salesId"),
    ({"name": "客户", "level": "A", "contact": "张三", "phone": "13800138000", "address": "上海", "engineerIds": [-(2**70)]},
     "engineerIds.0"),
    ({"name": "客户\r\nX-Forged: 1", "level": "A", "contact": "张三", "phone": "13800138000", "address": "上海"}, "name"),
    ({"name": "客户\x00", "level": "A", "contact": "张三", "phone": "13800138000", "address": "上海"}, "name"),
])
def test_contacts_bodies_out_of_range_or_with_control_characters_are_400(site, admin, body, field):
    answer = site.post_json(CUSTOMERS, body, headers=site.headers(admin), status=400).json
    assert answer["code"] == 400 and field in answer["data"]


def test_non_finite_numbers_are_refused(site, admin):
    body = b'{"name": "c", "level": "A", "contact": "z", "phone": "13800138000", "address": "a", "salesId": NaN}'
    send(site, CUSTOMERS, body, "application/json", headers=site.headers(admin), status=400)
    body = body.replace(b"NaN", b"1e400")
    assert "salesId" in send(site, CUSTOMERS, body, "application/json", headers=site.headers(admin), status=400).json["data"]


@pytest.mark.parametrize("body, field", [
    ({"title": "会议\r\nBcc: victim@example.com"}, "title"),
    ({"title": "会议\t"}, "title"),
    ({"participants": [{"name": "张三\n[INFO] forged line"}]}, "participants.0.name"),
    ({"participants": [{"name": "张三", "email": "a@example.com\n"}]}, "participants.0.email"),
    ({"location": "A\x1b[31m"}, "location"),
    ({"attachments": [{"name": "a.pdf", "url": "javascript:alert(1)"}]}, "attachments.0.url"),
    ({"attachments": [{"name": "a.pdf", "url": "file:///etc/passwd"}]}, "attachments.0.url"),
    ({"attachments": [{"name": "a.pdf", "url": " http://example.com/a.pdf"}]}, "attachments.0.url"),
    ({"description": "第一行\x00"}, "description"),
])
def test_schedule_titles_names_and_links_are_checked(site, admin, body, field):
    schedule = {"title": "会议", "schedule_type": "meeting", "start_time": "2025-12-27T14:00:00+08:00", **body}
    answer = site.post_json(SCHEDULES, schedule, headers=site.headers(admin), status=400).json
    assert answer["code"] == 4001 and field in answer["data"]


def test_multi_line_text_keeps_its_line_breaks(site, admin):
    schedule = {"title": "会议", "schedule_type": "meeting", "start_time": "2025-12-27T14:00:00+08:00",
                "description": "第一行\r\n第二行\t缩进", "attachments": [{"name": "a.pdf", "url": "https://example.com/a.pdf"}]}
    created = site.post_json(SCHEDULES, schedule, headers=site.headers(admin)).json["data"]
    assert created["description"] == "第一行\r\n第二行\t缩进"


@pytest.mark.parametrize("fields, field", [
    ({"avatar": "javascript:alert(1)"}, "avatar"), ({"avatar": "data:text/html,<script>"}, "avatar"),
    ({"name": "王\n五"}, "name"), ({"email": "wang@example.com\n"}, "email"), ({"work_id": "R\r1"}, "work_id"),
    ({"name": "\x00"}, "name"), ({"role": "admin\n"}, "role"), ({"mobile": "138\n"}, "mobile"),
])
def test_user_fields_are_checked(site, admin, fields, field):
    person = site.create_user("wang")
    answer = site.patch_json(f"/api/users/{person.id}", fields, headers=site.headers(admin), status=400).json
    assert answer["code"] == 4001 and field in answer["data"]
    body = {"username": "newbie", "password": "a-long-new-phrase", "role": "engineer", **fields}
    assert field in site.post_json("/api/users", body, headers=site.headers(admin), status=400).json["data"]


def test_a_username_ending_in_a_newline_is_refused(site, admin):
    body = {"username": "newbie\n", "password": "a-long-new-phrase", "role": "engineer"}
    assert site.post_json("/api/users", body, headers=site.headers(admin), status=400).json["data"] == {
        "username": ["用户名只能包含字母、数字和 .@+-_"]}


def test_nul_in_a_query_string_is_a_400_naming_it(site, admin):
    answer = site.get("/api/users", {"search": "a\x00b"}, headers=site.headers(admin), status=400).json
    assert answer["data"] == {"search": ["不能含有控制字符（如 NUL）"]}


def test_a_duplicate_work_id_on_patch_is_409(site, admin):
    site.create_user("li", work_id="RYL001")
    person = site.create_user("wang")
    answer = site.patch_json(f"/api/users/{person.id}", {"work_id": "RYL001"}, headers=site.headers(admin), status=409).json
    assert answer["data"] == {"work_id": ["已被使用"]}


@pytest.mark.parametrize("path", ["/api/notifications/³/read", "/api/notifications/١٢/read", "/api/users/²"])
def test_unicode_digits_in_a_path_id_are_404(site, admin, path):
    method = site.post_json if path.endswith("read") else site.get
    assert method(quote(path), headers=site.headers(admin), status=404).json["code"] == 4004


def test_an_email_to_ending_in_a_newline_is_refused(site, admin):
    answer = site.post_json("/api/customer/schedules/notification/email/send/",
                            {"to": "user@example.com\n", "subject": "s", "content": "c"},
                            headers=site.headers(admin), status=400).json
    assert "to" in answer["data"]


def test_pagination_links_never_come_from_the_host_header(site, admin, make_site):
    for number in range(3):
        site.create_user(f"user{number}")
    forged = {"Host": "evil.example.com", "X-Forwarded-Host": "evil.example.com"}
    page = site.get("/api/users?limit=2", headers={**site.headers(admin), **forged}).json["data"]
    assert page["next"] == "/api/users?limit=2&page=2"
    public = make_site(settings={"tessera.public_url": "https://tessera.example.com/"})
    page = public.get("/api/users?limit=2", headers={**public.headers(admin), **forged}).json["data"]
    assert page["next"] == "https://tessera.example.com/api/users?limit=2&page=2"


def test_api_answers_are_never_stored_by_a_cache(site, admin):
    site.create_user("wang")
    login = site.post_json("/api/auth/login", {"username": "wang", "password": "password123"})
    assert login.headers["Cache-Control"] == "no-store"
    for path, status in (("/api/auth/me", 200), ("/api/users", 200), ("/api/nothing-here", 404)):
        assert site.get(path, headers=site.headers(admin), status=status).headers["Cache-Control"] == "no-store"
    assert site.get("/api/auth/me", status=401).headers["Cache-Control"] == "no-store"


def test_only_the_swagger_ui_assets_the_docs_page_loads_are_served(site):
    page = site.get("/api/docs").text
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js"):
        assert f"/api/docs/static/{asset}" in page
        assert site.get(f"/api/docs/static/{asset}").content_length > 1000
    for other in ("index.html", "swagger-ui-bundle.js.map", "oauth2-redirect.html", "swagger-initializer.js", "..%2Fsetup.py"):
        site.get(f"/api/docs/static/{other}", status=404)


def test_log_arguments_cannot_forge_a_line(caplog):
    from core import logs

    logs.install()
    with caplog.at_level(logging.INFO, logger="plugins.example"):
        logging.getLogger("plugins.example").info("sent reminder %r for %s", "t", "会议\r\n2026-01-01 INFO forged\x00")
    assert caplog.records[-1].getMessage() == "sent reminder 't' for 会议\\r\\n2026-01-01 INFO forged\\x00"
