"""The ``tessera`` command, run as an operator would run it."""
import subprocess
import sys

import pytest


@pytest.fixture
def ini(tmp_path):
    path = tmp_path / "site.ini"
    path.write_text(f"""[app:main]
use = egg:tessera
tessera.plugins = contacts
tessera.development = true
sqlalchemy.url = sqlite:///{tmp_path}/site.sqlite
huey.backend = memory
""")
    return path


def tessera(ini, *args):
    return subprocess.run([sys.executable, "-m", "core.cli", "-c", str(ini), *args], capture_output=True, text=True, timeout=120)


def test_upgrade_create_user_then_sign_in(ini, tmp_path):
    upgrade = tessera(ini, "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    assert "core: empty -> " in upgrade.stdout and "contacts: empty -> " in upgrade.stdout
    created = tessera(ini, "users", "create", "zhangsan", "--password", "s3cret-pass", "--role", "engineer",
                      "--name", "张三", "--work-id", "RYL001", "--location", "上海市")
    assert created.returncode == 0, created.stderr
    assert "created user 'zhangsan' (id 1, role engineer)" in created.stdout
    again = tessera(ini, "users", "create", "zhangsan", "--password", "s3cret-pass", "--role", "engineer")
    assert again.returncode == 2 and "username 'zhangsan' 已被使用" in again.stderr

    from pyramid.paster import get_appsettings
    from webtest import TestApp

    from core.app import make_app
    app = TestApp(make_app(get_appsettings(str(ini)), environ={}))
    token = app.post_json("/api/auth/login", {"username": "zhangsan", "password": "s3cret-pass"}).json["data"]["token"]
    me = app.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).json["data"]
    assert me["work_id"] == "RYL001" and me["name"] == "张三"


def test_plugins_lists_installed_and_enabled(ini):
    result = tessera(ini, "plugins")
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()[1:]}
    assert rows["contacts"][2] == "yes" and rows["schedule"][2] == "no"


def test_plugins_hooks_lists_each_hook_with_its_declarer_and_implementers(ini):
    result = tessera(ini, "plugins", "--hooks")
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split(None, 2)[1:] for line in result.stdout.splitlines()[1:]}
    assert rows["tessera_create_plan_schedule"] == ["contacts", "-"]  # schedule, which answers it, is not enabled
    assert rows["tessera_related_info"] == ["(disabled)", "contacts"]  # contacts' optional answer to schedule's hook
    assert rows["tessera_notification_channels"] == ["core", "core.inbox"]


def test_configuration_errors_exit_non_zero_with_the_fix(ini):
    ini.write_text(ini.read_text().replace("tessera.plugins = contacts", "tessera.plugins = contacts sms"))
    result = tessera(ini, "plugins")
    assert result.returncode == 2
    assert "tessera: error: plugin 'sms' is not installed; installed:" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_config_file_is_named(tmp_path):
    result = tessera(tmp_path / "nope.ini", "db", "upgrade")
    assert result.returncode == 2 and "config file" in result.stderr and "nope.ini" in result.stderr


def test_help_everywhere():
    for args in ([], ["db"], ["users", "create"], ["worker"], ["run"]):
        result = subprocess.run([sys.executable, "-m", "core.cli", *args, "--help"], capture_output=True, text=True)
        assert result.returncode == 0 and "usage: tessera" in result.stdout


def test_first_run_creates_admin_once_with_the_chosen_or_a_random_password(make_site, monkeypatch):
    from core.cli import ensure_admin

    site = make_site(plugins=[])
    monkeypatch.setenv("TESSERA_ADMIN_PASSWORD", "chosen-pass-123")
    assert ensure_admin(site.registry) == "chosen-pass-123"
    assert ensure_admin(site.registry) is None  # a database with users is left alone
    body = site.post_json("/api/auth/login", {"username": "admin", "password": "chosen-pass-123"}).json["data"]
    assert body["user"]["role"] == "admin"


def test_first_run_without_a_chosen_password_prints_a_random_one(make_site, monkeypatch):
    from core.cli import ensure_admin

    site = make_site(plugins=[])
    monkeypatch.delenv("TESSERA_ADMIN_PASSWORD", raising=False)
    password = ensure_admin(site.registry)
    assert len(password) >= 16
    site.post_json("/api/auth/login", {"username": "admin", "password": password})


def demo_ini(tmp_path, name):
    path = tmp_path / f"{name}.ini"
    path.write_text(f"""[app:main]
use = egg:tessera
tessera.plugins = schedule contacts
tessera.development = true
sqlalchemy.url = sqlite:///{tmp_path}/{name}.sqlite
huey.backend = memory
""")
    return path


def test_demo_data_fills_a_site_the_same_way_for_the_same_seed(tmp_path):
    from pyramid.paster import get_appsettings
    from webtest import TestApp

    from core.app import make_app

    apps = []
    for name in ("first", "second"):
        ini = demo_ini(tmp_path, name)
        made = tessera(ini, "demo-data", "--users", "12", "--size", "customers=5", "--size", "schedules=600", "--seed", "7")
        assert made.returncode == 0, made.stderr
        assert "schedules" in made.stderr and "600/600" in made.stderr  # the progress bar
        apps.append(TestApp(make_app(get_appsettings(str(ini)), environ={})))
    again = tessera(demo_ini(tmp_path, "first"), "demo-data", "--size", "schedules=10")
    assert again.returncode == 2 and "already has users" in again.stderr
    garbled = tessera(demo_ini(tmp_path, "third"), "demo-data", "--size", "schedules")
    assert garbled.returncode == 2 and "not NAME=N" in garbled.stderr

    def seen(app, username):
        token = app.post_json("/api/auth/login", {"username": username, "password": "demo-password"}).json["data"]["token"]
        headers = {"Authorization": f"Bearer {token}"}
        schedules = app.get("/api/customer/schedules/?limit=100&ordering=start_time", headers=headers).json["data"]
        customers = app.get("/api/v1/contacts/customers?size=100", headers=headers).json["data"]
        return headers, schedules, customers

    admin_headers, schedules, customers = seen(apps[0], "user1")
    assert schedules["count"] > 500 and customers["total"] == 5
    every = [s for page in range(1, 8) for s in apps[0].get(f"/api/customer/schedules/?limit=100&page={page}",
                                                            headers=admin_headers, status="*").json["data"]["results"]]
    assert len(every) == schedules["count"]
    assert any(s["recurrence_rule"] for s in every) and any(s["recurrence_rule"] is None for s in every)
    roles = {user["role"] for user in apps[0].get("/api/users?limit=100", headers=admin_headers).json["data"]["results"]}
    assert roles == {"admin", "engineer", "sales"}
    engineer = next(user["username"] for user in apps[0].get("/api/users?role=engineer", headers=admin_headers)
                    .json["data"]["results"])
    _, first, _ = seen(apps[0], engineer)
    _, second, _ = seen(apps[1], engineer)
    assert first["count"] > 0 and first == second
