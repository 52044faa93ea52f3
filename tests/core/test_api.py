"""Conventions every endpoint shares: envelopes, real status codes, no HTML, no tracebacks."""
import logging

import pytest


@pytest.fixture
def site(make_site, outside_plugins):
    return make_site(plugins=["hello"])


def test_unexpected_error_is_a_500_envelope_with_a_request_id_that_is_logged(site, caplog):
    headers = site.headers(site.create_user("li"))
    with caplog.at_level(logging.ERROR, logger="core.api"):
        response = site.get("/api/hello/boom", headers=headers, status=500)
    body = response.json
    assert response.content_type == "application/json"
    assert body["code"] == 4000 and body["msg"] == "服务器内部错误"
    request_id = body["data"]["request_id"]
    assert len(request_id) == 32 and response.headers["X-Request-ID"] == request_id
    assert "secret internals" not in response.text and "Traceback" not in response.text
    record = next(r for r in caplog.records if request_id in r.getMessage())
    assert record.exc_info and "secret internals" in str(record.exc_info[1])


def test_unknown_route_and_wrong_method_answer_in_the_envelope(site):
    headers = site.headers(site.create_user("li"))
    assert site.get("/api/nothing-here", headers=headers, status=404).json == {"code": 4004, "msg": "资源不存在", "data": {}}
    response = site.delete("/api/auth/me", headers=headers, status=405)
    assert response.json["code"] == 4000 and response.content_type == "application/json"


def test_body_over_one_mebibyte_is_refused_before_parsing(site):
    headers = site.headers(site.create_user("li"))
    response = site.post("/api/users", b"{" + b" " * (1024 * 1024) + b"}", headers={**headers, "Content-Type": "application/json"},
                         status=413)
    assert response.json["code"] == 4000 and "1024 KiB" in response.json["msg"]


def test_invalid_json_names_the_body(site):
    admin = site.create_user("boss", role="admin")
    response = site.post("/api/users", b"{not json", headers={**site.headers(admin), "Content-Type": "application/json"}, status=400)
    assert response.json == {"code": 4001, "msg": "请求体不是有效的JSON", "data": {"body": ["请求体不是有效的JSON"]}}


def test_request_id_from_the_client_is_kept(site):
    assert site.get("/api/health", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
