"""Conventions every endpoint shares: envelopes, real status codes, no HTML, no tracebacks."""
import logging

import pytest
from sqlalchemy import bindparam, select

from core.models import User
from core.toolkit import PageQuery, contains_text, like_pattern, transaction_scope


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


def test_a_page_query_built_once_answers_each_run_with_its_own_values(make_site):
    """``PageQuery``: one statement, run with different values, pages and counts each run's rows;
    a search bound as ``like_pattern`` finds ``%`` and ``_`` as themselves."""
    site = make_site(plugins=[])
    for number in range(5):
        site.create_user(f"eng{number}", role="engineer", name=f"Engineer {number}")
    for number in range(3):
        site.create_user(f"sales{number}", role="sales", name=f"Sales 100%_{number}" if number == 1 else f"Sales {number}")
    rows = select(User.id, User.username).where(User.id.in_(bindparam("keys", expanding=True)))
    by_role = PageQuery(select(User.id).where(User.role == bindparam("role")).order_by(User.id.desc()), rows)
    by_name = PageQuery(select(User.id).where(contains_text(bindparam("search"), User.name)).order_by(User.id), rows)

    with transaction_scope(site.registry, write=False) as dbsession:
        engineers = by_role.page(dbsession, 1, 2, {"role": "engineer"})
        second = by_role.page(dbsession, 2, 2, {"role": "engineer"})
        sales = by_role.page(dbsession, 1, 2, {"role": "sales"})
        beyond = by_role.page(dbsession, 9, 2, {"role": "sales"})
        literal = by_name.page(dbsession, 1, 10, {"search": like_pattern("100%_")})
        wildcard = by_name.page(dbsession, 1, 10, {"search": like_pattern("%")})

    assert [row.username for row in engineers.items] == ["eng4", "eng3"] and engineers.total == 5
    assert [row.username for row in second.items] == ["eng2", "eng1"] and second.pages == 3
    assert [row.username for row in sales.items] == ["sales2", "sales1"] and sales.total == 3
    assert beyond.items == [] and beyond.total == 3
    assert [row.username for row in literal.items] == ["sales1"]
    assert [row.username for row in wildcard.items] == ["sales1"]  # a '%' typed matches only a '%'
