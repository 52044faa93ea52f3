"""A local HTTP server standing in for a provider: it records each POST and answers what the test queues."""
from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class ProviderServer:
    """Records each POST (path, headers, JSON body) and answers the queued (status, body, headers) in turn, else 200."""

    def __init__(self):
        self.posts: list[dict] = []
        self.answers: list[tuple[int, dict, dict]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                server.posts.append({"path": self.path, "headers": dict(self.headers), "json": json.loads(raw)})
                status, answer, headers = server.answers.pop(0) if server.answers else (200, {"ok": True}, {})
                payload = json.dumps(answer).encode()
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/robot/send?access_token=secret-token"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def answer(self, status: int, body: dict | None = None, **headers: str) -> None:
        self.answers.append((status, body or {}, {name.replace("_", "-"): value for name, value in headers.items()}))

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def provider():
    server = ProviderServer()
    yield server
    server.stop()


@pytest.fixture
def silent_provider():
    """A URL whose server accepts the connection and never answers (a provider that hangs)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
    listener.close()


@pytest.fixture
def closed_port():
    """A URL on a local port nobody listens on (the connection is refused)."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"http://127.0.0.1:{port}/hook"
