"""A web process's memory over 20,000 mixed requests: its RSS must stay under 150 MB and flat.

    .venv/bin/python bench/memory.py [--requests 20000] [--data /tmp/tessera-bench]

Serves the ``tessera demo-data`` site with waitress (2 threads as ``tessera run``, one core) and sends
mixed reads with wrk (8 connections, the other core) in rounds — list, detail,
today, this week, the month, statistics, the inbox, contacts' customers and
engineers' status board, and a write now and then — reading the server's RSS
after each round. Prints the RSS curve, the peak (target ≤ 150 MB) and the growth
over the second half (target: under 5%). Numbers go to docs/performance.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.harness import (  # noqa: E402
    NoiseGauge,
    demo_site,
    fetch,
    machine,
    mixed_load_script,
    process_ids,
    server,
    token_for,
    verdict,
    wrk,
)


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.path.join(tempfile.gettempdir(), "tessera-bench"))
    parser.add_argument("--requests", type=int, default=20000)
    args = parser.parse_args()
    ini = demo_site(args.data)
    token = token_for(ini, "user2")
    today = dt.date.today()
    print(machine())
    with server("--ini", ini) as url:
        pid = process_ids[url]
        listing = json.loads(fetch(url + "/api/customer/schedules/?limit=5", token))["data"]["results"]
        paths = ["/api/customer/schedules/?status=pending&ordering=-start_time&limit=20",
                 f"/api/customer/schedules/{listing[0]['id']}/", "/api/customer/schedules/today/",
                 "/api/customer/schedules/this_week/",
                 f"/api/schedule/schedules/calendar_view/?year={today.year}&month={today.month}",
                 "/api/customer/schedules/statistics/", "/api/notifications", "/api/v1/contacts/customers?size=20",
                 "/api/v1/contacts/engineers/status"]
        script = mixed_load_script(os.path.join(args.data, "rotation.lua"), paths, listing[0]["id"], "remark")
        start_rss = rss_mb(pid)
        curve, sent, errors = [], 0, 0
        gauge = NoiseGauge()
        gauge.start()
        while sent < args.requests:
            load = wrk(url, token, seconds=3, script=script)
            sent += load.requests
            errors += load.errors
            curve.append((sent, rss_mb(pid)))
            print(f"{sent:7,} requests  RSS {curve[-1][1]:6.1f} MB", flush=True)
        noise = gauge.stop()
    peak = max(rss for _, rss in curve)
    half = next(rss for count, rss in curve if count >= sent / 2)
    growth = (curve[-1][1] - half) / half
    print(f"\nstarted at {start_rss:.1f} MB; {sent:,} requests, {errors} errors; other processes used {noise:.2f} cores; {gauge.speed}")
    print(f"peak RSS                 {peak:6.1f} MB   target <= 150 MB   {verdict(peak <= 150)}")
    print(f"growth over second half  {growth:6.1%}      target < 5%       {verdict(growth < 0.05)}")


if __name__ == "__main__":
    main()
