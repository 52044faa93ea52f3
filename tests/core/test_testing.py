"""The testing kit (core.testing) as plugin authors meet it: its pytest plugin run in a pytest of its own."""
from __future__ import annotations

import pathlib
import re

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from core.testing import TEST_SECRET, Answer, JsonServer, site_from_ini, throwaway_database

ROOT = pathlib.Path(__file__).resolve().parents[2]


def guide_example() -> list[str]:
    """The Python blocks of docs/plugins.md's "Testing your plugin": a conftest.py, a test module, then the
    data migration's test module."""
    text = (ROOT / "docs" / "plugins.md").read_text()
    section = re.search(r"^## (?:\d+\. )?Testing your plugin\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert section, "docs/plugins.md has no section 'Testing your plugin'"
    return re.findall(r"```python\n(.*?)```", section.group(1), re.S)


def test_the_plugin_guides_example_and_the_kits_promises_hold_in_a_pytest_of_their_own(pytester):
    conftest, tests, upgrade_tests = guide_example()
    guide = pytester.mkpydir("guide")
    (guide / "conftest.py").write_text(conftest)
    (guide / "test_webhook_reminders.py").write_text(tests)
    (guide / "test_upgrade.py").write_text(upgrade_tests)
    pytester.makepyfile(test_kit="""
        import pytest
        from sqlalchemy import func, select

        from core.toolkit import User

        def test_writes(site):
            site.create_user("alice")

        def test_finds_nothing_left(site):
            with site.transaction() as dbsession:
                assert dbsession.scalar(select(func.count()).select_from(User)) == 0

        @pytest.mark.plugins("schedule")
        def test_marker(site):
            assert [p.name for p in site.registry.tessera_enabled_plugins] == ["schedule"]

        def test_default_is_the_core_alone(site):
            assert site.registry.tessera_enabled_plugins == []
    """)

    # one pytest for both: each costs an interpreter and a migration
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-rA")

    result.assert_outcomes(passed=5 + 1 + 4)


def test_a_user_with_a_token_is_signed_in(site):
    user, token, headers = site.user_with_token("alice", role="admin", email="alice@example.com")

    me = site.get("/api/auth/me", headers=headers).json["data"]

    assert (me["id"], me["username"], me["role"]) == (user.id, "alice", "admin")
    assert headers == {"Authorization": f"Bearer {token}"}


def test_the_json_server_records_requests_and_plays_its_answers_in_turn(json_server):
    import urllib.error
    import urllib.request

    json_server.answer(503, {"error": "busy"})
    json_server.answer(200, "<html>ok</html>", content_type="text/html")

    def post(path, body):
        request = urllib.request.Request(json_server.url + path, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    assert post("/send?key=k1", b'{"to": "13800000000"}') == (503, b'{"error": "busy"}')
    assert post("/send", b"{}") == (200, b"<html>ok</html>")
    assert post("/send", b"[]") == (200, b"{}")  # then the default answer
    first = json_server.requests[0]
    assert (first.method, first.path, first.query, first.json) == ("POST", "/send?key=k1", {"key": ["k1"]},
                                                                   {"to": "13800000000"})
    assert first.headers["Content-Type"] == "application/json"


def test_the_json_server_can_be_slow_hang_up_or_be_gone():
    import http.client
    import socket
    import urllib.request

    with JsonServer() as server:
        server.answers += [Answer(delay=1.0), Answer(close=True)]
        with pytest.raises(socket.timeout):
            urllib.request.urlopen(server.url + "/slow", timeout=0.2)
        with pytest.raises(http.client.RemoteDisconnected):
            urllib.request.urlopen(server.url + "/gone", timeout=5)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", int(server.url.rsplit(":", 1)[1])), timeout=5)


def test_queued_work_runs_as_a_worker_would_and_its_errors_fail_the_test(site):
    huey, done = site.registry.huey, []

    @huey.task()
    def record(number):
        done.append(number)

    @huey.task()
    def look_up():
        raise LookupError("no such customer")

    record(1), record(2)
    assert site.run_queued_tasks() == 2 and done == [1, 2]
    look_up()
    with pytest.raises(LookupError, match="no such customer"):
        site.run_queued_tasks()


def test_an_old_database_has_each_unit_at_its_revision_until_upgraded(old_database):
    database = old_database(plugins=("notify", "notify_sms"), revisions={"notify": "base", "notify_sms": "7d13002127db"})
    assert {"core_user", "notify_sms_send_log"} <= database.tables()
    assert "notify_send_log" not in database.tables()  # "base": the old site did not have the plugin

    lines = database.upgrade()

    assert lines[0].startswith("core: up to date")  # a unit not named stands at head
    assert lines[1:] == ["notify: empty -> 5b1f0c2a9e41", "notify_sms: 7d13002127db -> 9a4e6c1d2b70"]
    assert "notify_send_log" in database.tables() and "notify_sms_send_log" not in database.tables()


def test_an_old_database_refuses_a_revision_of_no_unit_it_has(old_database):
    with pytest.raises(ValueError, match="revisions name notify_email, not a migration unit of the core or of "
                                         "plugins notify, notify_sms"):
        old_database(plugins=("notify", "notify_sms"), revisions={"notify_email": "3c080fcb0879"})


def test_a_site_from_an_ini_is_the_one_its_commands_see(tmp_path, database_url, make_site):
    ini = tmp_path / "site.ini"
    ini.write_text(f"[app:main]\nuse = egg:tessera\nsqlalchemy.url = {database_url}\n"
                   f"tessera.jwt_secret = {TEST_SECRET}\ntessera.plugins = schedule\nhuey.backend = memory\n")

    site = site_from_ini(str(ini))
    user, _token, headers = site.user_with_token("alice")

    assert site.get("/api/auth/me", headers=headers).json["data"]["id"] == user.id
    assert [plugin.name for plugin in site.registry.tessera_enabled_plugins] == ["schedule"]
    site.registry.dbengine.dispose()


def test_a_throwaway_database_is_new_each_time_and_gone_after(tmp_path):
    with throwaway_database(tmp_path, "scratch") as first, throwaway_database(tmp_path, "scratch") as second:
        assert first != second
        engine = create_engine(first)
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE scratch_note (id INTEGER PRIMARY KEY)"))
        engine.dispose()
    engine = create_engine(first)
    with pytest.raises(OperationalError), engine.connect() as connection:
        connection.execute(text("SELECT count(*) FROM scratch_note"))
    engine.dispose()
