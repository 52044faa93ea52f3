"""The third-party example examples/notify_webhook, installed with pip (`make install` does it), as a site uses it.

It is found through its real entry point, listed by `tessera plugins`, accepted in
reminder_method only where enabled, and the reminder engine delivers through it to
a local HTTP server.
"""
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.plugins import installed_plugins
from plugins.schedule.reminders.dispatch import dispatch_due
from tests.support import shanghai

SCHEDULES = "/api/customer/schedules/"


@pytest.fixture(scope="module", autouse=True)
def installed():
    if "notify_webhook" not in installed_plugins():
        pytest.fail("examples/notify_webhook is not installed: run `make install` "
                    "(or .venv/bin/pip install -e examples/notify_webhook)")


@pytest.fixture
def webhook():
    posts = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            posts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", posts
    server.shutdown()
    server.server_close()


def create_schedule(site, user, **fields):
    body = {"title": "与客户A洽谈合同", "schedule_type": "meeting", "start_time": shanghai(2025, 12, 26, 10, 40).isoformat(),
            "reminder_time": 30, "allow_conflict": True}
    body.update(fields)
    return site.post_json(SCHEDULES, body, headers=site.headers(user), expect_errors=True)


def test_a_reminder_reaches_the_webhook_through_the_reminder_engine(make_site, clock, webhook):
    url, posts = webhook
    site = make_site(plugins=("schedule", "notify_webhook"), settings={"tessera.notify_webhook.url": url})
    owner = site.create_user("lawyer", email="lawyer@example.com")
    created = create_schedule(site, owner, reminder_method="system,webhook", location="会议室 A")
    assert created.status_int == 200, created.text

    clock.set(shanghai(2025, 12, 26, 10, 10))
    report = dispatch_due(site.registry)

    assert report.sent == 2  # the inbox and the webhook
    (post,) = posts
    assert post["subject"] == "日程提醒: 与客户A洽谈合同"
    assert post["params"]["time"] == "2025-12-26 10:40" and post["params"]["location"] == "会议室 A"
    assert post["recipient"] == {"name": "Lawyer", "user_id": owner.id}
    clock.advance(minutes=1)
    assert dispatch_due(site.registry).claimed == 0 and len(posts) == 1


def test_reminder_method_accepts_webhook_only_where_the_plugin_is_enabled(make_site, webhook):
    url, _ = webhook
    with_it = make_site(plugins=("schedule", "notify_webhook"), settings={"tessera.notify_webhook.url": url})
    without_it = make_site(plugins=("schedule",))
    owner = with_it.create_user("lawyer")

    assert create_schedule(with_it, owner, reminder_method="webhook").status_int == 200
    refused = create_schedule(without_it, owner, reminder_method="webhook")
    assert refused.status_int == 400 and "reminder_method" in refused.json["data"]
    assert "webhook" not in without_it.registry.tessera_channels


def test_tessera_plugins_lists_it_and_shows_whether_the_site_enables_it(tmp_path, webhook):
    url, _ = webhook
    ini = tmp_path / "site.ini"
    ini.write_text(f"""[app:main]
use = egg:tessera
tessera.plugins = schedule notify_webhook
tessera.development = true
sqlalchemy.url = sqlite:///{tmp_path}/site.sqlite
huey.backend = memory
tessera.notify_webhook.url = {url}
""")

    tessera = os.path.join(os.path.dirname(sys.executable), "tessera")
    listing = subprocess.run([tessera, "-c", str(ini), "plugins"],
                             capture_output=True, text=True, check=True).stdout

    rows = {line.split()[0]: line.split() for line in listing.splitlines()[1:]}
    assert rows["notify_webhook"][2] == "yes" and rows["notify_sms"][2] == "no"
