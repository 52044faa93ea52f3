"""A local stand-in for Tencent Cloud's SendSms API (plain HTTP on 127.0.0.1), for the real SDK to talk to."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def ok_answer(phone: str = "+8613800138000") -> tuple[int, dict]:
    return 200, {"Response": {"RequestId": "req-ok", "SendStatusSet": [{
        "SerialNo": "2645:000001", "PhoneNumber": phone, "Fee": 1, "SessionContext": "",
        "Code": "Ok", "Message": "send success", "IsoCode": "CN"}]}}


def error_answer(code: str, message: str) -> tuple[int, dict]:
    """An API-level error: the whole request was refused."""
    return 200, {"Response": {"RequestId": "req-err", "Error": {"Code": code, "Message": message}}}


def status_answer(code: str, message: str, phone: str = "+8613800138000") -> tuple[int, dict]:
    """The request went through but this number's message was refused."""
    return 200, {"Response": {"RequestId": "req-status", "SendStatusSet": [{
        "SerialNo": "", "PhoneNumber": phone, "Fee": 0, "SessionContext": "", "Code": code,
        "Message": message, "IsoCode": "CN"}]}}


class FakeTencentSms:
    """Records every request (headers and JSON body) and plays the queued answers in turn."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[tuple[int, dict | str]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                fake.requests.append({"path": self.path, "headers": dict(self.headers), "body": json.loads(body)})
                status, answer = fake.answers.pop(0) if fake.answers else ok_answer()
                payload = answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if status == 200 else "text/html")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
