"""The ``tessera`` command: ``db upgrade``, ``users create``, ``demo-data``, ``plugins``, ``worker``, ``run``.

Every command reads the site's ini (``-c/--config``, default ``development.ini``)
and builds the same configuration the web server does, so a worker runs the
tasks of exactly the plugins the site enables.
"""
from __future__ import annotations

import argparse
import logging
import os
import secrets
import signal
import subprocess
import sys
import time

from pyramid.paster import get_appsettings, setup_logging
from sqlalchemy import func, select

from core.settings import ConfigurationError


class CommandError(Exception):
    """A command cannot do what was asked; the message says why."""


def load_config(ini_path: str):
    from core.app import make_config, with_ini_defaults

    if not os.path.exists(ini_path):
        raise CommandError(f"config file {ini_path!r} not found; pass -c/--config PATH (e.g. development.ini)")
    setup_logging(ini_path)
    settings = get_appsettings(ini_path, name="main")
    return make_config(with_ini_defaults(settings, os.path.dirname(os.path.abspath(ini_path))))


def cmd_db_upgrade(args) -> None:
    from core import migrate

    registry = load_config(args.config).registry
    migrate.upgrade(registry.dbengine, migrate.units_for(registry))


def cmd_db_current(args) -> None:
    from core import migrate

    registry = load_config(args.config).registry
    for name, (current, head) in migrate.current_heads(registry.dbengine, migrate.units_for(registry)).items():
        print(f"{name:15} {current or 'not migrated':20} {'(latest)' if current == head else f'(latest is {head})'}")


def cmd_db_revision(args) -> None:
    from core import migrate

    registry = load_config(args.config).registry
    units = {unit.name: unit for unit in migrate.units_for(registry)}
    if args.unit not in units:
        raise CommandError(f"{args.unit!r} is not an enabled plugin with a migrations folder; choose from: {', '.join(units)}")
    migrate.revision(registry.dbengine, units[args.unit], args.message, autogenerate=not args.empty)


def cmd_users_create(args) -> None:
    from core.accounts import create_user
    from core.db import transaction_scope
    from core.passwords import password_problem

    registry = load_config(args.config).registry
    fields = {key: getattr(args, key) for key in ("name", "email", "mobile", "work_id", "department", "location", "avatar")
              if getattr(args, key) is not None}
    refused = password_problem(args.password, args.username, registry.settings["tessera.password.min_length"])
    if refused:
        raise CommandError(f"--password is not allowed: {refused}")
    try:
        with transaction_scope(registry) as dbsession:
            user = create_user(dbsession, username=args.username, password=args.password, role=args.role, **fields)
            print(f"created user {user.username!r} (id {user.id}, role {user.role})")
    except Exception as exc:
        message = getattr(exc, "message", None) or str(exc)
        raise CommandError(f"could not create user {args.username!r}: {message}") from exc


def ensure_admin(registry) -> str | None:
    """On an empty user table, create ``admin`` (password from TESSERA_ADMIN_PASSWORD or random); return the password."""
    from core.accounts import create_user
    from core.db import transaction_scope
    from core.models import User
    from core.passwords import password_problem

    with transaction_scope(registry) as dbsession:
        if dbsession.scalar(select(func.count()).select_from(User)):
            return None
        password = os.environ.get("TESSERA_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        refused = password_problem(password, "admin", registry.settings["tessera.password.min_length"])
        if refused:
            raise CommandError(f"TESSERA_ADMIN_PASSWORD is not allowed: {refused}")
        create_user(dbsession, username="admin", password=password, role="admin", name="管理员")
        return password


def demo_size(text: str) -> tuple[str, int]:
    name, _, number = text.partition("=")
    if not name or not number.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=N (a name and a whole number)")
    return name, int(number)


def cmd_demo_data(args) -> None:
    from core import migrate
    from core.demo import DEMO_PASSWORD, DemoScale, ProgressBar, build_demo_site

    registry = load_config(args.config).registry
    migrate.upgrade(registry.dbengine, migrate.units_for(registry))
    scale = DemoScale(users=args.users, sizes=dict(args.size))
    started = time.monotonic()
    try:
        build_demo_site(registry, scale, seed=args.seed, progress=ProgressBar())
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    print(f"demo site ready in {time.monotonic() - started:.1f} s: user1 (admin) … user{args.users}, "
          f"password {DEMO_PASSWORD!r}")


def cmd_plugins(args) -> None:
    from core.plugins import hook_rows
    from core.views.system import plugin_rows

    registry = load_config(args.config).registry
    if args.hooks:
        print(f"{'hook':34} {'declared by':14} implemented by")
        for row in hook_rows(registry.tessera_plugin_manager, registry.tessera_hook_declarers):
            declarer = row["declared_by"] or "(disabled)"
            print(f"{row['hook']:34} {declarer:14} {', '.join(row['implemented_by']) or '-'}")
        return
    print(f"{'name':15} {'version':10} {'enabled':8} depends")
    for row in plugin_rows(registry):
        print(f"{row['name']:15} {row['version']:10} {'yes' if row['enabled'] else 'no':8} {', '.join(row['depends']) or '-'}")


def cmd_worker(args) -> None:
    registry = load_config(args.config).registry
    huey = registry.huey
    names = ", ".join(sorted(registry.tessera_tasks)) or "none"
    logging.getLogger("tessera.worker").info("worker for %s: tasks %s", huey.name, names)
    consumer = huey.create_consumer(workers=args.workers, worker_type="thread", periodic=True, check_worker_health=True)
    consumer.run()


def cmd_run(args) -> None:
    """The embedded default in one command: migrate, bootstrap the admin, serve with a worker beside."""
    import waitress

    from core import migrate

    config = load_config(args.config)
    registry = config.registry
    migrate.upgrade(registry.dbengine, migrate.units_for(registry))
    password = ensure_admin(registry)
    url = f"http://{args.host}:{args.port}"
    if password:
        print(f"\nCreated the first user 'admin' with password: {password}\n(shown once; set TESSERA_ADMIN_PASSWORD to choose it)")
    print(f"\nTessera is up at {url}\n  health:   {url}/api/health\n  API docs: {url}/api/docs\n"
          f"  sign in:  curl -X POST {url}/api/auth/login -H 'Content-Type: application/json' "
          "-d '{\"username\": \"admin\", \"password\": \"…\"}'\n", flush=True)
    worker = subprocess.Popen([sys.executable, "-m", "core.cli", "-c", args.config, "worker"])

    def stop(*_):
        worker.terminate()
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        waitress.serve(config.make_wsgi_app(), host=args.host, port=args.port, threads=args.threads)
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tessera", description="Tessera, the modular platform for service businesses.")
    parser.add_argument("-c", "--config", default="development.ini", help="the site's ini file (default: development.ini)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    db = commands.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db.add_parser("upgrade", help="migrate the core and every enabled plugin to their latest revision").set_defaults(func=cmd_db_upgrade)
    db.add_parser("current", help="show each unit's revision").set_defaults(func=cmd_db_current)
    revision = db.add_parser("revision", help="write a new migration for one plugin (or 'core')")
    revision.add_argument("unit", help="the plugin's name, or 'core'")
    revision.add_argument("-m", "--message", required=True)
    revision.add_argument("--empty", action="store_true", help="an empty revision instead of autogenerating")
    revision.set_defaults(func=cmd_db_revision)

    users = commands.add_parser("users", help="manage users").add_subparsers(dest="users_command", required=True, metavar="ACTION")
    create = users.add_parser("create", help="create a user")
    create.add_argument("username")
    create.add_argument("--password", required=True)
    create.add_argument("--role", required=True, help="admin, engineer, sales or another role your site uses")
    for option in ("name", "email", "mobile", "work-id", "department", "location", "avatar"):
        create.add_argument(f"--{option}")
    create.set_defaults(func=cmd_users_create)

    demo = commands.add_parser("demo-data", help="fill an empty database with a demonstration site (fixed seed, in bulk)")
    demo.add_argument("--users", type=int, default=100, help="users of every role (default 100; user1 is the admin)")
    demo.add_argument("--size", type=demo_size, action="append", default=[], metavar="NAME=N",
                      help="how many of a plugin's things, e.g. --size records=5000 (each plugin's docs say "
                           "which names it reads and its default); repeatable")
    demo.add_argument("--seed", type=int, default=1, help="the same seed gives the same site (default 1)")
    demo.set_defaults(func=cmd_demo_data)
    plugins = commands.add_parser("plugins", help="list installed plugins and whether this site enables them")
    plugins.add_argument("--hooks", action="store_true",
                         help="list every hook instead: who declares it and which plugins implement it")
    plugins.set_defaults(func=cmd_plugins)
    worker = commands.add_parser("worker", help="run the Huey consumer for the enabled plugins' tasks")
    worker.add_argument("--workers", type=int, default=2, help="worker threads (default 2)")
    worker.set_defaults(func=cmd_worker)
    run = commands.add_parser("run", help="migrate, create the first admin, serve the API with a worker beside it")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=6543)
    run.add_argument("--threads", type=int, default=2,
                     help="waitress threads (default 2: on SQLite more only queue on Python's lock; docs/performance.md, \"Threads\")")
    run.set_defaults(func=cmd_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except (CommandError, ConfigurationError) as exc:
        print(f"tessera: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
