"""The long schemathesis run against a running server (docs/security.md): random, not derandomised.

    .venv/bin/python bench/fuzz_server.py [--examples 300] [--port 6611] [--minutes 60]

Starts ``tessera run`` (migrate, first admin, waitress on 127.0.0.1 and its worker) on a fresh SQLite
site in a temporary folder, signs in as the admin, then runs ``st run`` over every operation of
/api/openapi.json with ``--max-examples`` examples per operation and every phase (examples, coverage,
fuzzing, stateful where the document links operations), checking for 5xx, undocumented statuses and
content types, and answers outside their typed schemas. ``POST /api/auth/logout`` is left out: it would
end the run's own token. Prints the command, schemathesis' summary and whether it held; exits non-zero
when it did not. Kept out of CI's time budget: it takes tens of minutes.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def _wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer {url} within {seconds:.0f} s")


def _login(base: str, password: str) -> str:
    request = urllib.request.Request(f"{base}/api/auth/login", method="POST", headers={"Content-Type": "application/json"},
                                     data=json.dumps({"username": "admin", "password": password}).encode())
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)["data"]["token"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=300, help="examples per operation (default 300)")
    parser.add_argument("--port", type=int, default=6611)
    parser.add_argument("--minutes", type=float, default=60, help="stop schemathesis after this long (default 60)")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="tessera-fuzz-")
    ini = os.path.join(folder, "site.ini")
    with open(ini, "w", encoding="utf-8") as out:
        out.write(f"""[app:main]
use = egg:tessera
tessera.plugins = schedule contacts notify notify_sms notify_email webhooks
tessera.jwt_secret = {secrets.token_urlsafe(48)}
sqlalchemy.url = sqlite:///{folder}/site.sqlite
huey.backend = sqlite
huey.path = {folder}/huey.sqlite
tessera.notify_sms.backend = console
tessera.notify_email.backend = console
""")
    password = secrets.token_urlsafe(16)
    base = f"http://127.0.0.1:{args.port}"
    environ = {**os.environ, "TESSERA_ADMIN_PASSWORD": password}
    server = subprocess.Popen([os.path.join(BIN, "tessera"), "-c", ini, "run", "--port", str(args.port)],
                              cwd=ROOT, env=environ, stdout=subprocess.DEVNULL, stderr=open(os.path.join(folder, "server.log"), "w"))
    try:
        _wait_for(f"{base}/api/health", 120)
        token = _login(base, password)
        command = [os.path.join(BIN, "st"), "run", f"{base}/api/openapi.json", "--max-examples", str(args.examples),
                   "--phases", "examples,coverage,fuzzing,stateful", "--checks", CHECKS,
                   "--exclude-path", "/api/auth/logout", "--header", f"Authorization: Bearer {token}",
                   "--suppress-health-check", "all", "--continue-on-failure", "--workers", "2",
                   "--report", "junit", "--report-dir", folder]
        shown = " ".join(c if not c.startswith("Authorization") else "'Authorization: Bearer <admin token>'" for c in command)
        print(f"$ {shown}\n(load before: {open('/proc/loadavg').read().strip()})", flush=True)
        started = time.monotonic()
        try:
            returncode = subprocess.run(command, cwd=folder, timeout=args.minutes * 60).returncode
        except subprocess.TimeoutExpired:
            print(f"\nstopped after --minutes {args.minutes}: the operations above ran, the rest did not")
            returncode = 124
        print(f"\nschemathesis exited {returncode} after {time.monotonic() - started:.0f} s; "
              f"load after: {open('/proc/loadavg').read().strip()}; site, server log and report in {folder}")
        print({0: "HOLDS: no 5xx, no undocumented status or content type, no answer outside its schema",
               124: "INCOMPLETE: no failure in what ran"}.get(returncode, "DOES NOT HOLD: see the failures above"))
        return returncode
    finally:
        server.terminate()
        server.wait(timeout=60)


if __name__ == "__main__":
    sys.exit(main())
