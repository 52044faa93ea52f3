"""Helpers for tests: sites with chosen plugins, users, tokens, counted queries."""
from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from webtest import TestApp

from core.accounts import create_user
from core.auth import issue_token
from core.db import transaction_scope

ALL_PLUGINS = ("schedule", "contacts", "notify_sms", "notify_email")
TEST_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"
DEFAULT_PASSWORD = "password123"


def fresh_postgres_database(base_url: str, name: str) -> str:
    """Drop and create the database ``name`` on the server of ``base_url``; return its URL."""
    url = make_url(base_url)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def site_settings(database_url: str, plugins=ALL_PLUGINS, **extra) -> dict:
    settings = {
        "tessera.plugins": " ".join(plugins),
        "tessera.jwt_secret": TEST_SECRET,
        "tessera.timezone": "Asia/Shanghai",
        "sqlalchemy.url": database_url,
        "huey.backend": "memory",
    }
    settings.update(extra)
    return settings


@dataclass
class Site:
    """A running test site: its WebTest app and registry, with shortcuts for users and tokens."""

    app: TestApp
    registry: object
    users: dict = field(default_factory=dict)

    def create_user(self, username: str, role: str = "engineer", password: str = DEFAULT_PASSWORD, **fields):
        fields.setdefault("name", username.title())
        with transaction_scope(self.registry) as dbsession:
            user = create_user(dbsession, username=username, password=password, role=role, **fields)
        self.users[username] = user
        return user

    def headers(self, user) -> dict:
        token, _ = issue_token(self.registry, user)
        return {"Authorization": f"Bearer {token}"}

    def __getattr__(self, name):  # site.get / site.post_json … are the TestApp's
        return getattr(self.app, name)


@contextlib.contextmanager
def count_queries(registry):
    """Count the SQL statements the site's engine runs inside the block: ``with count_queries(r) as q: …; q.count``."""
    counter = type("Counter", (), {"count": 0, "statements": []})()

    def before_execute(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "COMMIT", "ROLLBACK")):
            counter.count += 1
            counter.statements.append(statement)

    event.listen(registry.dbengine, "before_cursor_execute", before_execute)
    try:
        yield counter
    finally:
        event.remove(registry.dbengine, "before_cursor_execute", before_execute)


def shanghai(*args) -> dt.datetime:
    """A wall-clock time in Asia/Shanghai, aware."""
    import zoneinfo

    return dt.datetime(*args, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
