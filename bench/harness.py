"""What the load benchmarks share: a demo-data site, servers pinned to one core, wrk on the other,
and the noise gauge (CPU that other processes used while we measured)."""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import re
import resource
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = sys.executable
SERVER_CPU, LOAD_CPU = "0", "1"

INI = """[app:main]
use = egg:tessera
tessera.plugins = schedule contacts
tessera.jwt_secret = bench-secret-bench-secret-bench-secret-0123456789
tessera.timezone = Asia/Shanghai
sqlalchemy.url = sqlite:///{database}
huey.backend = memory
"""


def site_ini(folder: str, database: str | None = None) -> str:
    path = os.path.join(folder, "site.ini")
    with open(path, "w") as handle:
        handle.write(INI.format(database=database or os.path.join(folder, "site.sqlite")))
    return path


def demo_site(folder: str, users: int = 100, schedules: int = 100_000, customers: int = 1000) -> str:
    """A site filled by ``tessera demo-data`` in ``folder`` (kept: a second run reuses it); returns its ini."""
    os.makedirs(folder, exist_ok=True)
    ini = site_ini(folder)
    marker = os.path.join(folder, f"demo-{users}-{schedules}-{customers}.done")
    if not os.path.exists(marker):
        for name in os.listdir(folder):
            if name.startswith("site.sqlite"):
                os.remove(os.path.join(folder, name))
        started = time.monotonic()
        subprocess.run([PYTHON, "-m", "core.cli", "-c", ini, "demo-data", "--users", str(users),
                        "--size", f"schedules={schedules}", "--size", f"customers={customers}"], check=True, cwd=ROOT)
        print(f"demo-data: {time.monotonic() - started:.1f} s", flush=True)
        open(marker, "w").close()
    else:  # a kept site: bring its schema to this code's
        subprocess.run([PYTHON, "-m", "core.cli", "-c", ini, "db", "upgrade"], check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
    return ini


def token_for(ini: str, username: str) -> str:
    """A bearer token for a demo user, issued the way the site issues them."""
    from pyramid.paster import get_appsettings
    from sqlalchemy import select

    from core.app import make_config
    from core.auth import issue_token
    from core.db import transaction_scope
    from core.models import User

    registry = make_config(get_appsettings(ini, name="main")).registry
    with transaction_scope(registry, write=False) as dbsession:
        user = dbsession.scalar(select(User).where(User.username == username))
        token, _ = issue_token(registry, user)
    registry.dbengine.dispose()
    return token


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def server(*args: str, source: str | None = None):
    """``bench/serve.py`` with ``args`` on the server core; yields its base URL."""
    port = free_port()
    env = dict(os.environ)
    if source:
        env["TESSERA_SOURCE"] = source
    process = subprocess.Popen(["taskset", "-c", SERVER_CPU, PYTHON, os.path.join(ROOT, "bench", "serve.py"),
                                "--port", str(port), *args], env=env, cwd=source or ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(url + "/api/health", timeout=1)
                break
            time.sleep(0.1)
        process_ids[url] = process.pid
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


process_ids: dict[str, int] = {}


def fetch(url: str, token: str | None = None) -> bytes:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


@dataclass
class Load:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int


_MIXED_LOAD = """
local paths = {{{paths}}}
local counter = 0
local function json_headers()
  local headers = {{["Content-Type"] = "application/json"}}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  return headers
end
request = function()
  counter = counter + 1
  if counter % {every} == 0 then
    return wrk.format("PATCH", "/api/customer/schedules/{schedule_id}/", json_headers(),
                      '{{"{field}": "改 ' .. counter .. '"}}')
  end
  return wrk.format("GET", paths[counter % #paths + 1])
end
"""


def mixed_load_script(path: str, reads: list[str], schedule_id: int, field: str, every: int = 10) -> str:
    """Write a wrk script to ``path`` and return it: GETs of ``reads`` in turn, and every ``every``-th request
    a PATCH of one schedule's ``field`` (a write, committed with its fsync)."""
    with open(path, "w") as handle:
        handle.write(_MIXED_LOAD.format(paths=", ".join(f'"{read}"' for read in reads), schedule_id=schedule_id,
                                        field=field, every=every))
    return path


def wrk(url: str, token: str | None = None, seconds: int = 10, connections: int = 8, script: str | None = None) -> Load:
    """wrk on the load core: requests/s, p50, p99 and non-2xx/socket errors."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    command = ["taskset", "-c", LOAD_CPU, "wrk", "--latency", "-t", "1", "-c", str(connections), "-d", f"{seconds}s"]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    if script:
        command += ["-s", script]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    return Load(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=_ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),
        p99_ms=_ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),
        errors=sum(int(n) for n in re.findall(r"(?:Non-2xx or 3xx responses|errors: connect|read|write|timeout)\s*:?\s*(\d+)",
                                              output)),
        requests=int(re.search(r"(\d+) requests in", output).group(1)),
    )


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


class NoiseGauge:
    """CPU (in cores) that processes other than ours used between ``start`` and ``stop``; and
    ``speed``, the machine's speed gauge at both ends (``speed_gauge``), since its speed drifts
    even when no other process runs."""

    def __init__(self):
        self.started = None
        self.speed = ""

    @staticmethod
    def _busy_ticks() -> int:
        with open("/proc/stat") as handle:
            fields = [int(n) for n in handle.readline().split()[1:]]
        return sum(fields) - fields[3] - fields[4]  # all but idle and iowait

    @staticmethod
    def _own_ticks() -> float:
        """Ticks of this process, of its finished children (wrk) and of its live descendants (servers)."""
        clock = os.sysconf("SC_CLK_TCK")
        finished = resource.getrusage(resource.RUSAGE_CHILDREN)
        itself = resource.getrusage(resource.RUSAGE_SELF)
        own = (finished.ru_utime + finished.ru_stime + itself.ru_utime + itself.ru_stime) * clock
        mine = {os.getpid()}
        for pid in sorted(int(name) for name in os.listdir("/proc") if name.isdigit()):
            try:
                with open(f"/proc/{pid}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) in mine:
                mine.add(pid)
                own += int(fields[11]) + int(fields[12])
        return own

    def start(self) -> None:
        self.speed_before = speed_gauge()
        self.started = (time.monotonic(), self._busy_ticks(), self._own_ticks())

    def stop(self) -> float:
        seconds = time.monotonic() - self.started[0]
        others = (self._busy_ticks() - self.started[1]) - (self._own_ticks() - self.started[2])
        self.speed = f"speed gauge {self.speed_before:.0f} -> {speed_gauge():.0f} us"
        return max(others, 0) / os.sysconf("SC_CLK_TCK") / seconds


def timed_gets(app, path: str, headers: dict, repeat: int) -> tuple[list[float], list[float]]:
    """GET ``path`` ``repeat`` times through a WebTest ``app``: the wall and CPU milliseconds of each."""
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.thread_time()
        app.get(path, headers=headers)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
    return wall, cpu


def machine() -> str:
    return (f"{dt.date.today().isoformat()}, {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"loadavg {open('/proc/loadavg').read().split()[0]}, speed gauge {speed_gauge():.0f} us")


def speed_gauge(requests: int = 3000) -> float:
    """The machine's speed now: the CPU microseconds one request to a bare Pyramid app costs in process
    (the median of ten rounds). This machine's speed drifts, by twice within an hour: a figure
    compared with one from another run should be compared in proportion to their gauges."""
    from webob import Request

    from bench.serve import ceiling_app

    app = ceiling_app(b'{"code": 2000}')
    rounds = []
    for _ in range(10):
        started = time.thread_time()
        for _ in range(requests // 10):
            Request.blank("/gauge").get_response(app)
        rounds.append((time.thread_time() - started) / (requests // 10) * 1e6)
    return sorted(rounds)[len(rounds) // 2]


def verdict(holds: bool) -> str:
    return "holds" if holds else "MISSES"
