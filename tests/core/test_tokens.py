"""A token's life: it ends at sign-out, a password change, a deactivation — for good — and at its lifetime;
a token with claims out of type or range is a 401 in the envelope, never a 500."""
import jwt
import pytest

from core.testing import DEFAULT_PASSWORD, TEST_SECRET

NEW_PASSWORD = "a-long-new-phrase"


@pytest.fixture
def site(make_site):
    return make_site(plugins=[])


def login(site, username, password=DEFAULT_PASSWORD, status=200):
    return site.post_json("/api/auth/login", {"username": username, "password": password}, status=status)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_logout_ends_every_token_of_the_user(site):
    site.create_user("wang")
    phone, laptop = login(site, "wang").json["data"]["token"], login(site, "wang").json["data"]["token"]
    assert site.post_json("/api/auth/logout", {}, headers=bearer(phone)).json == {"code": 2000, "msg": "已退出登录", "data": {}}
    for token in (phone, laptop):
        assert "revoked" in site.get("/api/auth/me", headers=bearer(token), status=401).json["msg"]
    site.get("/api/auth/me", headers=bearer(login(site, "wang").json["data"]["token"]))


def test_changing_ones_password_needs_the_old_one_and_ends_other_tokens(site):
    site.create_user("wang")
    old_token = login(site, "wang").json["data"]["token"]
    wrong = site.post_json("/api/auth/password", {"old_password": "not-it-at-all", "new_password": NEW_PASSWORD},
                           headers=bearer(old_token), status=400).json
    assert wrong["data"] == {"old_password": ["当前密码不正确"]}
    weak = site.post_json("/api/auth/password", {"old_password": DEFAULT_PASSWORD, "new_password": "wang-wang-wang"},
                          headers=bearer(old_token), status=400).json
    assert list(weak["data"]) == ["new_password"]
    site.get("/api/auth/me", headers=bearer(old_token))  # refused attempts change nothing

    changed = site.post_json("/api/auth/password", {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
                             headers=bearer(old_token)).json["data"]
    site.get("/api/auth/me", headers=bearer(old_token), status=401)
    assert site.get("/api/auth/me", headers=bearer(changed["token"])).json["data"]["username"] == "wang"
    login(site, "wang", DEFAULT_PASSWORD, status=401)
    login(site, "wang", NEW_PASSWORD)


def test_a_deactivated_users_tokens_stay_dead_after_reactivation(site):
    admin = site.create_user("boss", role="admin")
    person = site.create_user("wang")
    token = login(site, "wang").json["data"]["token"]
    site.delete(f"/api/users/{person.id}", headers=site.headers(admin))
    site.get("/api/auth/me", headers=bearer(token), status=401)
    site.patch_json(f"/api/users/{person.id}", {"is_active": True}, headers=site.headers(admin))
    site.get("/api/auth/me", headers=bearer(token), status=401)
    login(site, "wang")


def test_an_admin_resetting_a_password_ends_the_users_tokens(site):
    admin = site.create_user("boss", role="admin")
    person = site.create_user("wang")
    token = login(site, "wang").json["data"]["token"]
    site.patch_json(f"/api/users/{person.id}", {"department": "服务部"}, headers=site.headers(admin))
    site.get("/api/auth/me", headers=bearer(token))  # other changes leave tokens alone
    site.patch_json(f"/api/users/{person.id}", {"password": NEW_PASSWORD}, headers=site.headers(admin))
    site.get("/api/auth/me", headers=bearer(token), status=401)


@pytest.mark.parametrize("claims", [
    {"exp": "never"}, {"exp": 1e400}, {"exp": True}, {"exp": None}, {"iat": "now"}, {"ver": "0"}, {"ver": None},
    {"sub": "9" * 40}, {"sub": 10**40}, {"sub": 1}, {"sub": "-1"}, {"sub": "0"}, {"sub": "١"}, {"sub": ""},
    {"sub": ["1"]}, {"exp_offset": 10 * 365 * 86400}, {"iat_offset": 3600},
])
def test_claims_out_of_type_or_range_answer_401_in_the_envelope(site, clock, claims):
    user = site.create_user("li")
    now = int(clock.now().timestamp())
    token_claims = {"sub": str(user.id), "ver": 0, "iat": now + claims.pop("iat_offset", 0),
                    "exp": now + claims.pop("exp_offset", 3600)}
    token_claims.update(claims)
    token = jwt.encode(token_claims, TEST_SECRET, algorithm="HS256")
    response = site.get("/api/auth/me", headers=bearer(token), status=401)
    assert response.content_type == "application/json"
    assert response.json["code"] == 401 and response.json["msg"].startswith("未认证")
