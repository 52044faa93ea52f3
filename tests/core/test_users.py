"""Admin user management."""
import pytest

from tests.support import user_count


@pytest.fixture
def site(make_site):
    return make_site(plugins=[])


def test_admin_creates_lists_reads_updates_and_deactivates_users(site, admin):
    headers = site.headers(admin)
    created = site.post_json("/api/users", {
        "username": "zhangsan", "password": "s3cret-pass", "role": "engineer", "name": "张三", "email": "zs@example.com",
        "mobile": "13900139001", "work_id": "RYL001", "avatar": "https://example.com/a.png", "department": "技术部",
        "location": "上海市"}, headers=headers).json["data"]
    assert created["work_id"] == "RYL001" and created["location"] == "上海市" and created["is_active"] is True
    listing = site.get("/api/users?role=engineer", headers=headers).json["data"]
    assert listing["count"] == 1 and listing["results"][0]["username"] == "zhangsan"
    assert site.get(f"/api/users/{created['id']}", headers=headers).json["data"] == created
    patched = site.patch_json(f"/api/users/{created['id']}", {"department": "服务部"}, headers=headers).json["data"]
    assert patched["department"] == "服务部" and patched["name"] == "张三"
    site.post_json("/api/auth/login", {"username": "zhangsan", "password": "s3cret-pass"})
    site.delete(f"/api/users/{created['id']}", headers=headers)
    assert site.get(f"/api/users/{created['id']}", headers=headers).json["data"]["is_active"] is False
    site.post_json("/api/auth/login", {"username": "zhangsan", "password": "s3cret-pass"}, status=401)


@pytest.mark.parametrize("body, field", [
    ({"password": "s3cret-pass", "role": "engineer"}, "username"),
    ({"username": "a b", "password": "s3cret-pass", "role": "engineer"}, "username"),
    ({"username": "ok", "password": "short", "role": "engineer"}, "password"),
    ({"username": "ok", "password": "s3cret-pass", "role": "Not A Role"}, "role"),
    ({"username": "ok", "password": "s3cret-pass", "role": "sales", "email": "not-an-email"}, "email"),
    ({"username": "ok", "password": "s3cret-pass", "role": "sales", "mobile": "call me"}, "mobile"),
])
def test_invalid_user_is_refused_naming_the_field_and_nothing_is_written(site, admin, body, field):
    before = user_count(site)
    response = site.post_json("/api/users", body, headers=site.headers(admin), status=400).json
    assert response["code"] == 4001 and field in response["data"]
    assert user_count(site) == before


def test_search_matches_wildcards_literally(site, admin):
    site.create_user("li_si")
    site.create_user("lixsi")
    found = site.get("/api/users", {"search": "i_s"}, headers=site.headers(admin)).json["data"]["results"]
    assert [u["username"] for u in found] == ["li_si"]
    assert site.get("/api/users", {"search": "%"}, headers=site.headers(admin)).json["data"]["count"] == 0


def test_taken_username_or_work_id_is_a_conflict(site, admin):
    site.create_user("zhangsan", work_id="RYL001")
    headers = site.headers(admin)
    body = {"username": "zhangsan", "password": "s3cret-pass", "role": "engineer"}
    assert site.post_json("/api/users", body, headers=headers, status=409).json["data"] == {"username": ["已被使用"]}
    body = {"username": "lisi", "password": "s3cret-pass", "role": "engineer", "work_id": "RYL001"}
    assert site.post_json("/api/users", body, headers=headers, status=409).json["data"] == {"work_id": ["已被使用"]}


def test_only_admins_manage_users(site, admin):
    engineer = site.create_user("li")
    assert site.get("/api/users", headers=site.headers(engineer), status=403).json["code"] == 4003
    assert site.post_json("/api/users", {}, headers=site.headers(engineer), status=403).json["code"] == 4003
    assert site.get(f"/api/users/{admin.id}", status=401).json["code"] == 401


def test_admin_cannot_lock_themselves_out(site, admin):
    headers = site.headers(admin)
    assert site.delete(f"/api/users/{admin.id}", headers=headers, status=400).json["data"] == {"id": ["不能删除自己"]}
    site.patch_json(f"/api/users/{admin.id}", {"role": "sales"}, headers=headers, status=400)
    assert site.get("/api/auth/me", headers=headers).json["data"]["role"] == "admin"


def test_unknown_user_is_404(site, admin):
    assert site.get("/api/users/999", headers=site.headers(admin), status=404).json["code"] == 4004


@pytest.mark.parametrize("path, status, field", [
    ("/api/users/99999999999999999999", 404, None),
    ("/api/users/0", 404, None),
    ("/api/users?page=9223372036854775809", 400, "page"),
    ("/api/users?limit=101", 400, "limit"),
])
def test_numbers_no_row_can_have_are_a_4xx_not_a_database_error(site, admin, path, status, field):
    body = site.get(path, headers=site.headers(admin), status=status).json
    assert body["code"] == (4001 if status == 400 else 4004)
    if field:
        assert field in body["data"]
