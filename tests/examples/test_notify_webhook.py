"""The third-party example examples/notify_webhook, installed with pip (`make install` does it), as a site uses it.

It is found through its real entry point, listed by `tessera plugins`, accepted in
reminder_method only where enabled, and the reminder engine delivers through it to
a local HTTP server.
"""
import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from core.plugins import installed_plugins
from core.testing import shanghai
from plugins.notify import SendLog

SCHEDULES = "/api/customer/schedules/"


@pytest.fixture(scope="module", autouse=True)
def installed():
    if "notify_webhook" not in installed_plugins():
        pytest.fail("examples/notify_webhook is not installed: run `make install` "
                    "(or .venv/bin/pip install -e examples/notify_webhook)")


def create_schedule(site, user, **fields):
    body = {"title": "与客户A洽谈合同", "schedule_type": "meeting", "start_time": shanghai(2025, 12, 26, 10, 40).isoformat(),
            "reminder_time": 30, "allow_conflict": True}
    body.update(fields)
    return site.post_json(SCHEDULES, body, headers=site.headers(user), expect_errors=True)


def test_a_reminder_reaches_the_webhook_through_the_reminder_engine(make_site, clock, json_server):
    site = make_site(plugins=("schedule", "notify", "notify_webhook"), settings={"tessera.notify_webhook.url": json_server.url})
    owner, _, headers = site.user_with_token("lawyer", email="lawyer@example.com")
    created = create_schedule(site, owner, reminder_method="system,webhook", location="会议室 A")
    assert created.status_int == 200, created.text

    clock.set(shanghai(2025, 12, 26, 10, 10))
    site.run_periodic_tasks()

    (post,) = [request.json for request in json_server.requests]
    assert post["subject"] == "日程提醒: 与客户A洽谈合同"
    assert post["params"]["time"] == "2025-12-26 10:40" and post["params"]["location"] == "会议室 A"
    assert post["recipient"] == {"name": "Lawyer", "user_id": owner.id}
    inbox = site.get("/api/notifications", headers=headers).json["data"]["results"]
    assert [message["title"] for message in inbox] == ["日程提醒: 与客户A洽谈合同"]
    with site.transaction() as dbsession:  # logged by the notify plugin it builds on
        logged = dbsession.execute(select(SendLog.channel, SendLog.via, SendLog.status)).all()
    assert [tuple(row) for row in logged] == [("webhook", "channel", "sent")]
    clock.advance(minutes=1)
    site.run_periodic_tasks()
    assert len(json_server.requests) == 1


def test_reminder_method_accepts_webhook_only_where_the_plugin_is_enabled(make_site, json_server):
    with_it = make_site(plugins=("schedule", "notify", "notify_webhook"), settings={"tessera.notify_webhook.url": json_server.url})
    without_it = make_site(plugins=("schedule",))
    owner = with_it.create_user("lawyer")

    assert create_schedule(with_it, owner, reminder_method="webhook").status_int == 200
    refused = create_schedule(without_it, owner, reminder_method="webhook")
    assert refused.status_int == 400 and "reminder_method" in refused.json["data"]
    assert "webhook" not in without_it.registry.tessera_channels


def test_tessera_plugins_lists_it_and_shows_whether_the_site_enables_it(tmp_path, json_server):
    ini = tmp_path / "site.ini"
    ini.write_text(f"""[app:main]
use = egg:tessera
tessera.plugins = schedule notify notify_webhook
tessera.development = true
sqlalchemy.url = sqlite:///{tmp_path}/site.sqlite
huey.backend = memory
tessera.notify_webhook.url = {json_server.url}
""")

    tessera = os.path.join(os.path.dirname(sys.executable), "tessera")
    listing = subprocess.run([tessera, "-c", str(ini), "plugins"],
                             capture_output=True, text=True, check=True).stdout

    rows = {line.split()[0]: line.split() for line in listing.splitlines()[1:]}
    assert rows["notify_webhook"][2] == "yes" and rows["notify_sms"][2] == "no"
