"""Serve a site (or the ceiling) on waitress for the load benchmarks; run by them, not by hand.

    python bench/serve.py --ini site.ini --port 6601
    python bench/serve.py --ceiling body.json --port 6602   # a bare Pyramid app answering those bytes

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


def site_app(ini: str):
    from pyramid.paster import get_appsettings

    from core.app import make_app
    return make_app(get_appsettings(ini, name="main"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ini")
    parser.add_argument("--ceiling")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    import logging

    import waitress

    # 8 connections on 8 threads queue by design; waitress would warn of every queued request
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)

    if args.ceiling:
        with open(args.ceiling, "rb") as handle:
            app = ceiling_app(handle.read())
    else:
        app = site_app(args.ini)
    print("serving", flush=True)
    waitress.serve(app, host="127.0.0.1", port=args.port, threads=args.threads, _quiet=True)


if __name__ == "__main__":
    main()
