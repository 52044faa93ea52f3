"""Serve a site (or the ceiling) on waitress for the load benchmarks; run by them, not by hand.

    python bench/serve.py --ini site.ini --port 6601 [--setting tessera.read_cache.megabytes=0]
    python bench/serve.py --ceiling body.json --port 6602   # a bare Pyramid app answering those bytes
    python bench/serve.py --floor statements.json --database site.sqlite --port 6603   # that SQL, no framework

``TESSERA_SOURCE`` names the source tree to serve (a checkout of an older commit, to
measure the rate before a change); by default this one.
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.environ.get("TESSERA_SOURCE") or os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def ceiling_app(body: bytes):
    """The pure-Python ceiling: Pyramid routing one path to a view that answers fixed bytes."""
    from pyramid.config import Configurator
    from pyramid.response import Response

    def answer(request):
        return Response(body=body, content_type="application/json", charset="utf-8")

    with Configurator() as config:
        config.add_route("any", "/*path")
        config.add_view(answer, route_name="any")
        return config.make_wsgi_app()


def floor_app(statements: list, database: str):
    """The SQL floor: a bare WSGI function that runs ``statements`` (what one request sent to SQLite,
    ``[[sql, parameters], …]``, its BEGIN included) on a connection of its thread, and answers
    every row read, as JSON. No framework, no authentication, no shaping: no Python code serving those
    statements can be faster, so it bounds what any change above the SQL can win."""
    import sqlite3
    import threading

    import orjson

    connections = threading.local()

    def connection() -> sqlite3.Connection:
        if not hasattr(connections, "sqlite"):
            connections.sqlite = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
            connections.sqlite.execute("PRAGMA busy_timeout=30000")
        return connections.sqlite

    def answer(environ, start_response):
        sqlite = connection()
        results = []
        for sql, parameters in statements:
            cursor = sqlite.execute(sql, parameters)
            if cursor.description:
                names = [column[0] for column in cursor.description]
                results.append([dict(zip(names, row)) for row in cursor.fetchall()])
        sqlite.commit()  # the driver's own commit ends the transaction, as SQLAlchemy ends it: not a statement
        body = orjson.dumps({"code": 2000, "data": results})
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    return answer


def site_app(ini: str, settings: dict[str, str] | None = None):
    from pyramid.paster import get_appsettings

    from core.app import make_app
    return make_app({**get_appsettings(ini, name="main"), **(settings or {})})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ini")
    parser.add_argument("--ceiling")
    parser.add_argument("--floor", help="a JSON file of the statements one request ran (see floor_app)")
    parser.add_argument("--database", help="the SQLite file --floor runs them on")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=2, help="waitress threads (default 2, as `tessera run` serves SQLite)")
    parser.add_argument("--setting", action="append", default=[], metavar="KEY=VALUE",
                        help="a site setting in place of the ini's (repeatable)")
    args = parser.parse_args()
    import logging

    import waitress

    # 8 connections on fewer threads queue by design; waitress would warn of every queued request
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)

    if args.ceiling:
        with open(args.ceiling, "rb") as handle:
            app = ceiling_app(handle.read())
    elif args.floor:
        import json

        with open(args.floor) as handle:
            app = floor_app(json.load(handle), args.database)
    else:
        app = site_app(args.ini, dict(setting.split("=", 1) for setting in args.setting))
    print("serving", flush=True)
    waitress.serve(app, host="127.0.0.1", port=args.port, threads=args.threads, _quiet=True)


if __name__ == "__main__":
    main()
