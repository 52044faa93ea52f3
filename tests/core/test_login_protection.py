"""Sign-in under attack: throttled per username and per address, one answer for every refusal,
no weak password anywhere one is set, and argon2 never runs inside a transaction."""
import pytest

from core.cli import CommandError, ensure_admin
from core.testing import DEFAULT_PASSWORD
from tests.core.test_cli import tessera


@pytest.fixture
def site(make_site):
    return make_site(plugins=[], settings={"tessera.login.max_failures_per_user": "5",
                                           "tessera.login.max_failures_per_address": "8",
                                           "tessera.login.window": "900"})


def login(site, username, password, status=200, address="10.0.0.1", headers=None):
    return site.post_json("/api/auth/login", {"username": username, "password": password}, status=status,
                          extra_environ={"REMOTE_ADDR": address}, headers=headers or {})


def test_failed_logins_of_one_username_are_throttled_even_for_the_right_password(site, clock):
    site.create_user("wang")
    for attempt in range(5):
        login(site, "wang", f"guess-{attempt}", status=401)
    refused = login(site, "wang", DEFAULT_PASSWORD, status=429)
    assert refused.json["code"] == 4000 and refused.json["data"] == {"retry_after": 900}
    assert refused.headers["Retry-After"] == "900"
    clock.advance(seconds=600)
    assert login(site, "wang", DEFAULT_PASSWORD, status=429, address="10.9.9.9").headers["Retry-After"] == "300"
    clock.advance(seconds=300)
    assert login(site, "wang", DEFAULT_PASSWORD).json["data"]["user"]["username"] == "wang"


def test_a_success_clears_the_usernames_count(site):
    site.create_user("wang")
    for _ in range(4):
        login(site, "wang", "wrong-password", status=401)
    login(site, "wang", DEFAULT_PASSWORD)
    for _ in range(4):
        login(site, "wang", "wrong-password", status=401, address="10.0.0.2")
    login(site, "wang", DEFAULT_PASSWORD, address="10.0.0.2")


def test_one_address_guessing_many_usernames_is_throttled(site):
    site.create_user("wang")
    for number in range(8):
        login(site, f"user{number}", "wrong-password", status=401)
    login(site, "wang", DEFAULT_PASSWORD, status=429)
    login(site, "wang", DEFAULT_PASSWORD, address="10.0.0.2")


def test_behind_a_proxy_the_address_comes_from_the_trusted_header_only(make_site):
    proxied = make_site(plugins=[], settings={"tessera.login.max_failures_per_address": "2",
                                              "tessera.trusted_address_header": "X-Forwarded-For"})
    proxied.create_user("wang")
    for number in range(2):
        login(proxied, f"user{number}", "x", status=401, address="127.0.0.1",
              headers={"X-Forwarded-For": "198.51.100.7, 203.0.113.5"})
    # the proxy appended the client (203.0.113.5); what the client wrote before it is not trusted
    login(proxied, "wang", DEFAULT_PASSWORD, status=429, address="127.0.0.1",
          headers={"X-Forwarded-For": "1.2.3.4, 203.0.113.5"})
    login(proxied, "wang", DEFAULT_PASSWORD, address="127.0.0.1", headers={"X-Forwarded-For": "203.0.113.6"})


def test_without_a_trusted_header_a_forged_one_changes_nothing(make_site):
    direct = make_site(plugins=[], settings={"tessera.login.max_failures_per_address": "2"})
    direct.create_user("wang")
    for number in range(2):
        login(direct, f"user{number}", "x", status=401, headers={"X-Forwarded-For": f"192.0.2.{number}"})
    login(direct, "wang", DEFAULT_PASSWORD, status=429, headers={"X-Forwarded-For": "192.0.2.99"})


def test_the_count_is_shared_by_every_process_of_the_site(site, make_site):
    other_process = make_site(plugins=[], settings={"tessera.login.max_failures_per_user": "5"})
    site.create_user("wang")
    for attempt in range(5):
        login(site if attempt % 2 else other_process, "wang", "wrong-password", status=401)
    login(other_process, "wang", DEFAULT_PASSWORD, status=429, address="10.0.0.77")


def test_the_password_is_verified_with_no_connection_held(site, monkeypatch):
    import core.views.auth

    site.create_user("wang")
    held = []
    real_verify = core.views.auth.verify_password

    def verify(password_hash, candidate):
        held.append(site.registry.dbengine.pool.checkedout())
        return real_verify(password_hash, candidate)

    monkeypatch.setattr(core.views.auth, "verify_password", verify)
    login(site, "wang", DEFAULT_PASSWORD)
    login(site, "wang", "wrong-password", status=401)
    token = login(site, "wang", DEFAULT_PASSWORD).json["data"]["token"]
    site.post_json("/api/auth/password", {"old_password": DEFAULT_PASSWORD, "new_password": "a-new-long-phrase"},
                   headers={"Authorization": f"Bearer {token}"})
    assert held == [0, 0, 0, 0]


WEAK = [("12345678", "至少需要"), ("1234567890", "常见"), ("password", "至少需要"), ("password123", "常见"), ("Qwertyuiop", "常见"),
        ("        ", "至少需要"), ("            ", "至少需要"), ("aaaaaaaaaaaa", "不同的字符"),
        ("zhangsan2025!", "用户名"), ("nasgnahz-reversed", "用户名"), ("short1!", "至少需要")]


@pytest.mark.parametrize("weak, reason", WEAK)
def test_the_admin_api_refuses_weak_passwords_naming_the_field(site, weak, reason):
    admin = site.create_user("boss", role="admin")
    body = site.post_json("/api/users", {"username": "zhangsan", "password": weak, "role": "engineer"},
                          headers=site.headers(admin), status=400).json
    assert body["code"] == 4001 and reason in body["data"]["password"][0]
    person = site.create_user("zhangsan")
    body = site.patch_json(f"/api/users/{person.id}", {"password": weak}, headers=site.headers(admin), status=400).json
    assert reason in body["data"]["password"][0]


def test_the_minimum_length_is_a_setting(make_site):
    strict = make_site(plugins=[], settings={"tessera.password.min_length": "16"})
    admin = strict.create_user("boss", role="admin")
    strict.post_json("/api/users", {"username": "zhangsan", "password": "fifteen-chars-x", "role": "engineer"},
                     headers=strict.headers(admin), status=400)
    strict.post_json("/api/users", {"username": "zhangsan", "password": "sixteen-chars-xy", "role": "engineer"},
                     headers=strict.headers(admin))


def test_the_cli_refuses_a_weak_password(tmp_path):
    ini = tmp_path / "site.ini"
    ini.write_text(f"[app:main]\nuse = egg:tessera\ntessera.development = true\n"
                   f"sqlalchemy.url = sqlite:///{tmp_path}/site.sqlite\nhuey.backend = memory\n")
    assert tessera(ini, "db", "upgrade").returncode == 0
    result = tessera(ini, "users", "create", "zhangsan", "--password", "password123", "--role", "engineer")
    assert result.returncode == 2 and "--password is not allowed: 密码过于常见" in result.stderr


def test_the_first_run_admin_refuses_a_weak_chosen_password(site, monkeypatch):
    monkeypatch.setenv("TESSERA_ADMIN_PASSWORD", "admin12345")
    with pytest.raises(CommandError, match="TESSERA_ADMIN_PASSWORD is not allowed"):
        ensure_admin(site.registry)
