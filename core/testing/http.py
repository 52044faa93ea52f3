"""A local HTTP server that plays a provider's JSON API: it records each request and answers as scripted."""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Answer:
    """One scripted answer. ``body`` is sent as JSON unless it is ``str`` or ``bytes`` (then as ``content_type``).

    ``delay`` (seconds) holds the answer back, to play a provider slower than the channel's timeout;
    ``close=True`` drops the connection without answering, as a crashed provider would.
    """

    status: int = 200
    body: Any = field(default_factory=dict)
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    close: bool = False

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body, ensure_ascii=False).encode()


@dataclass
class Request:
    """One request as it arrived: ``path`` keeps the query string, ``query`` is it parsed."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.path).query)

    @property
    def json(self) -> Any:
        """The body parsed as JSON (``ValueError`` when it is not)."""
        return json.loads(self.body)


class _ProviderHttpServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # a provider takes many connections at once (the default 5 refuses a pool's burst)


class JsonServer:
    """A provider on ``127.0.0.1``: ``server.url`` is its base; every request is kept in ``server.requests``.

    Queue answers with ``server.answer(status, body, delay=…)`` (or append ``Answer``s to
    ``server.answers``); they are given in turn, then ``server.default`` for every request after.
    Use the ``json_server`` fixture, or ``with JsonServer() as server:`` for more than one.
    """

    def __init__(self, default: Answer | None = None):
        self.requests: list[Request] = []
        self.answers: list[Answer] = []
        self.default = default or Answer()
        self._lock = threading.Lock()
        self._httpd = _ProviderHttpServer(("127.0.0.1", 0), self._handler_class())
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread: threading.Thread | None = None

    def answer(self, status: int = 200, body: Any = None, **options: Any) -> None:
        """Queue the answer to the next request not yet answered: ``server.answer(503, {"error": "busy"})``."""
        self.answers.append(Answer(status, {} if body is None else body, **options))

    def start(self) -> JsonServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop answering and close the port: what follows meets a refused connection."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> JsonServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _next(self, request: Request) -> Answer:
        with self._lock:
            self.requests.append(request)
            return self.answers.pop(0) if self.answers else self.default

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _respond(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                answer = server._next(Request(self.command, self.path, dict(self.headers), body))
                if answer.delay:
                    time.sleep(answer.delay)  # a slow provider is real time, not the site's clock
                if answer.close:
                    self.close_connection = True
                    return
                payload = answer.payload()
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(payload)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                try:
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped waiting (its timeout was shorter than the delay): what a test plays

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _respond

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the requests are in server.requests; keep the test output clean

        return Handler
