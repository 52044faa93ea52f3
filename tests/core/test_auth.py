"""Signing in, and every way a token can be refused."""
import base64
import json

import jwt
import pytest

from core.testing import TEST_SECRET


@pytest.fixture
def site(make_site):
    return make_site(plugins=[])


def login(site, username, password, status=200):
    return site.post_json("/api/auth/login", {"username": username, "password": password}, status=status)


def test_login_gives_a_token_that_me_accepts(site):
    site.create_user("wang", role="sales", name="王五", email="wang@example.com", work_id="RYL009")
    data = login(site, "wang", "password123").json
    assert data["code"] == 2000 and data["msg"] == "登录成功"
    assert data["data"]["expires_in"] == 86400
    assert data["data"]["user"]["username"] == "wang" and data["data"]["user"]["role"] == "sales"
    assert "password_hash" not in data["data"]["user"]
    me = site.get("/api/auth/me", headers={"Authorization": f"Bearer {data['data']['token']}"}).json
    assert me == {"code": 2000, "msg": "获取成功", "data": data["data"]["user"]}
    assert site.get("/api/auth/me", headers={"Authorization": f"JWT {data['data']['token']}"}).json["data"]["work_id"] == "RYL009"


def test_unknown_user_and_wrong_password_get_one_and_the_same_401(site):
    site.create_user("wang")
    unknown = login(site, "nobody", "password123", status=401).json
    wrong = login(site, "wang", "wrong-password", status=401).json
    assert unknown == wrong == {"code": 401, "msg": "用户名或密码错误", "data": {}}


def test_a_deactivated_account_gets_the_wrong_password_answer_whatever_the_password(site):
    site.create_user("gone", is_active=False)
    right = login(site, "gone", "password123", status=401).json
    wrong = login(site, "gone", "wrong-password", status=401).json
    assert right == wrong == {"code": 401, "msg": "用户名或密码错误", "data": {}}


def test_login_names_missing_fields(site):
    body = site.post_json("/api/auth/login", {"username": "x"}, status=400).json
    assert body["code"] == 4001 and body["data"] == {"password": ["Required"]}


def _token(claims, secret=TEST_SECRET, algorithm="HS256"):
    return jwt.encode(claims, secret, algorithm=algorithm)


def _unsigned(claims):
    def part(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # the HS512 case signs with our HS256 key
@pytest.mark.parametrize("case", ["missing", "not bearer", "empty bearer", "garbage", "tampered", "wrong secret",
                                  "alg none", "HS512", "no exp", "expired", "unknown user", "inactive user"])
def test_every_bad_token_answers_401(site, clock, case):
    user = site.create_user("li")
    gone = site.create_user("gone")
    now = int(clock.now().timestamp())
    good = {"sub": str(user.id), "ver": 0, "iat": now, "exp": now + 3600}
    valid = site.headers(user)["Authorization"]
    header = {
        "missing": None,
        "not bearer": "Basic bGk6cGFzc3dvcmQ=",
        "empty bearer": "Bearer ",
        "garbage": "Bearer not.a.token",
        "tampered": valid[:-4] + ("AAAA" if not valid.endswith("AAAA") else "BBBB"),
        "wrong secret": "Bearer " + _token(good, secret="another-secret-another-secret-another-secret"),
        "alg none": "Bearer " + _unsigned(good),
        "HS512": "Bearer " + _token(good, algorithm="HS512"),
        "no exp": "Bearer " + _token({"sub": str(user.id), "ver": 0, "iat": now}),
        "expired": "Bearer " + _token({**good, "exp": now - 1}),
        "unknown user": "Bearer " + _token({**good, "sub": "999"}),
        "inactive user": valid.replace(valid, site.headers(gone)["Authorization"]),
    }[case]
    if case == "inactive user":
        site.patch_json(f"/api/users/{gone.id}", {"is_active": False},
                        headers=site.headers(site.create_user("boss", role="admin")))
    headers = {"Authorization": header} if header else {}
    body = site.get("/api/auth/me", headers=headers, status=401).json
    assert body["code"] == 401 and body["msg"].startswith("未认证") and body["data"] == {}


def test_token_expires_on_the_site_clock(site, clock):
    headers = site.headers(site.create_user("li"))
    site.get("/api/auth/me", headers=headers)
    clock.advance(seconds=86400)
    assert "expired" in site.get("/api/auth/me", headers=headers, status=401).json["msg"]


def test_401_comes_in_the_envelope_of_the_plugin_called(make_site):
    site = make_site(plugins=["contacts"])
    assert site.get("/api/v1/contacts/customers", status=401).json == {
        "code": 401, "message": "未认证: authentication required: send 'Authorization: Bearer <token>'", "data": None}


def test_the_authenticated_request_hook_runs_once_per_request(make_site, outside_plugins):
    import tessera_hello

    site = make_site(plugins=["hello"])
    headers = site.headers(site.create_user("li"))
    tessera_hello.authenticated.clear()
    site.get("/api/hello", headers=headers)
    site.get("/api/hello", status=401)
    assert tessera_hello.authenticated == [("/api/hello", "li")]
