"""Fixtures: a local HTTP server standing in for the webhook, and a Tessera site that enables the plugin."""
import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.app import make_config
from core.toolkit import FixedClock


class WebhookServer:
    """Records each POST (path, headers, JSON body) and answers the queued (status, body) pairs in turn."""

    def __init__(self):
        self.posts: list[dict] = []
        self.answers: list[tuple[int, dict]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                server.posts.append({"path": self.path, "headers": dict(self.headers), "json": json.loads(raw)})
                status, answer = server.answers.pop(0) if server.answers else (200, {"errcode": 0, "errmsg": "ok"})
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/cgi-bin/webhook/send?key=robot-key-123"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def webhook():
    server = WebhookServer()
    yield server
    server.stop()


@pytest.fixture
def make_registry(tmp_path):
    """A site's registry built exactly as `tessera` builds it, with the plugin found through its entry point."""
    def build(**settings):
        values = {"tessera.plugins": "notify_webhook", "tessera.jwt_secret": "x" * 40,
                  "sqlalchemy.url": f"sqlite:///{tmp_path}/site.sqlite", "huey.backend": "memory"}
        values.update(settings)
        clock = FixedClock(dt.datetime(2025, 12, 26, 2, 0, tzinfo=dt.timezone.utc))
        return make_config(values, clock=clock, environ={}).registry

    return build
