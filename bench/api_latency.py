"""In-process cost of the hot reads at the site's usual size (``tessera demo-data``).

    .venv/bin/python bench/api_latency.py [--repeat 30] [--data /tmp/tessera-bench]

Calls each endpoint ``--repeat`` times through the WSGI app (no network) as an
engineer of the demo site (100 users, 100,000 schedules, 1,000 customers) and
prints the median CPU time (what the request costs; on a quiet machine its wall
time), the median wall time and the SQL statements one request runs. Every answer
is made anew (``tessera.read_cache.megabytes = 0``): what a read costs after a
change; a last line gives the list's cost when its answer is reused. The targets
are those of docs/performance.md. Numbers go there.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pyramid.paster import get_appsettings  # noqa: E402
from webtest import TestApp  # noqa: E402

from bench.harness import NoiseGauge, demo_site, machine, timed_gets, token_for, verdict  # noqa: E402
from core.app import make_config  # noqa: E402
from core.testing import count_queries  # noqa: E402


def endpoints(app, headers) -> dict[str, tuple[str, float]]:
    """name: (path, target ms)."""
    today = dt.date.today()
    first = app.get("/api/customer/schedules/?limit=1", headers=headers).json["data"]["results"][0]["id"]
    customer = app.get("/api/v1/contacts/customers?size=1", headers=headers).json["data"]["list"][0]["customerId"]
    return {
        "schedule list": ("/api/customer/schedules/?status=pending&ordering=-start_time&limit=20", 10),
        "schedule detail": (f"/api/customer/schedules/{first}/", 10),
        "today": ("/api/customer/schedules/today/", 10),
        "this_week": ("/api/customer/schedules/this_week/", 10),
        "calendar_view": (f"/api/schedule/schedules/calendar_view/?year={today.year}&month={today.month}", 50),
        "statistics": ("/api/customer/schedules/statistics/", 50),
        "inbox": ("/api/notifications", 10),
        "customers": ("/api/v1/contacts/customers?size=20", 10),
        "customer detail": (f"/api/v1/contacts/customers/{customer}", 10),
        "engineer status": ("/api/v1/contacts/engineers/status", 10),
    }


def measure(app, registry, name: str, path: str, target: float, headers: dict, repeat: int) -> None:
    app.get(path, headers=headers)
    app.get(path, headers=headers)
    with count_queries(registry) as counted:
        app.get(path, headers=headers)
    wall, cpu = timed_gets(app, path, headers, repeat)
    median = statistics.median(cpu)
    print(f"{name:16} {median:7.1f} {statistics.median(wall):8.1f} {counted.count:7}  ≤ {target:>3}  "
          f"{verdict(median <= target)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.path.join(tempfile.gettempdir(), "tessera-bench"))
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--user", default="user2", help="who asks (default user2, an engineer)")
    args = parser.parse_args()
    ini = demo_site(args.data)
    settings = get_appsettings(ini, name="main")
    config = make_config({**settings, "tessera.read_cache.megabytes": "0"})
    app = TestApp(config.make_wsgi_app())
    headers = {"Authorization": f"Bearer {token_for(ini, args.user)}"}
    print(machine())
    print(f"{'endpoint':16} {'CPU ms':>7} {'wall ms':>8} {'queries':>7}  target (median CPU ms)")
    gauge = NoiseGauge()
    gauge.start()
    paths = endpoints(app, headers)
    for name, (path, target) in paths.items():
        measure(app, config.registry, name, path, target, headers, args.repeat)
    reusing = make_config(settings)
    measure(TestApp(reusing.make_wsgi_app()), reusing.registry, "list, reused", paths["schedule list"][0], 10, headers,
            args.repeat)
    print(f"other processes used {gauge.stop():.2f} cores meanwhile; {gauge.speed}")


if __name__ == "__main__":
    main()
