"""A test site: a real Tessera app built from settings, its WebTest client and shortcuts for users and tokens."""
from __future__ import annotations

import contextlib
import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any, Iterator, NamedTuple

from huey.api import PeriodicTask
from huey.signals import SIGNAL_ERROR
from sqlalchemy import event
from sqlalchemy.orm import Session
from webtest import TestApp

from core.accounts import create_user
from core.auth import issue_token
from core.cli import load_config
from core.db import transaction_scope
from core.models import User

#: signs the test sites' tokens (long enough for HS256)
TEST_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"
#: the password of users made by ``Site.create_user`` unless one is given
DEFAULT_PASSWORD = "password123"
#: the time zone of test sites (``tessera.timezone``)
SITE_TIMEZONE = "Asia/Shanghai"


def settings_for(database_url: str, plugins: tuple[str, ...] | list[str] = (), **extra: Any) -> dict[str, Any]:
    """The settings of a test site: the plugins enabled, the test secret, in-memory Huey, plus ``extra``."""
    return {
        "tessera.plugins": " ".join(plugins),
        "tessera.jwt_secret": TEST_SECRET,
        "tessera.timezone": SITE_TIMEZONE,
        "sqlalchemy.url": database_url,
        "huey.backend": "memory",
        **extra,
    }


def shanghai(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    """A wall-clock time in the test sites' zone (Asia/Shanghai), aware: ``shanghai(2025, 12, 26, 10, 40)``."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=zoneinfo.ZoneInfo(SITE_TIMEZONE))


class SignedIn(NamedTuple):
    """A user with a valid token: ``user, token, headers = site.user_with_token("lawyer")``."""

    user: User
    token: str
    headers: dict[str, str]


@dataclass
class Site:
    """A running test site: its WebTest app and registry, with shortcuts for users, tokens and tasks.

    Requests go through ``site.get``, ``site.post_json``… (the ``webtest.TestApp``'s methods).
    """

    app: TestApp
    registry: Any
    users: dict[str, User] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:  # site.get / site.post_json … are the TestApp's
        return getattr(self.app, name)

    def create_user(self, username: str, role: str = "engineer", password: str = DEFAULT_PASSWORD,
                    **fields: Any) -> User:
        """Write a user (``name`` defaults to the username capitalised) and return it, detached."""
        fields.setdefault("name", username.title())
        with transaction_scope(self.registry) as dbsession:
            user = create_user(dbsession, username=username, password=password, role=role, **fields)
        self.users[username] = user
        return user

    def token(self, user: User) -> str:
        """A JWT for ``user``, issued now by the site's clock, as ``POST /api/auth/login`` would give."""
        token, _lifetime_seconds = issue_token(self.registry, user)
        return token

    def headers(self, user: User) -> dict[str, str]:
        """The request headers that sign ``user`` in: ``{"Authorization": "Bearer <token>"}``."""
        return {"Authorization": f"Bearer {self.token(user)}"}

    def user_with_token(self, username: str, role: str = "engineer", **fields: Any) -> SignedIn:
        """Create a user and sign them in, in one call."""
        user = self.create_user(username, role=role, **fields)
        token = self.token(user)
        return SignedIn(user, token, {"Authorization": f"Bearer {token}"})

    def transaction(self) -> contextlib.AbstractContextManager[Session]:
        """A session in its own transaction, committed when the block ends: to look at or prepare rows."""
        return transaction_scope(self.registry)

    def run_periodic_tasks(self) -> dict[str, Any]:
        """Run once, now, every periodic task the enabled plugins registered, then what they queued.

        The reminder engine's tick, say: it runs in this process, then ``run_queued_tasks``
        runs the work it handed to the queue. Move ``clock`` first to make work due. Returns
        what each periodic task returned, by task name.
        """
        results = {name: task.call_local() for name, task in self.registry.tessera_tasks.items()
                   if issubclass(task.task_class, PeriodicTask)}
        self.run_queued_tasks()
        return results

    def run_queued_tasks(self) -> int:
        """Run the site's queued tasks, and those they queue, as a worker would; return how many ran.

        A task queued for later (Huey's ``delay``/``eta``, which count real time, not ``clock``)
        stays in Huey's queue of timed tasks. A task that raises fails the test here rather than in a log.
        """
        huey = self.registry.huey
        errors: list[BaseException] = []

        def record(signal: str, task: Any, exc: BaseException | None = None) -> None:
            errors.append(exc or RuntimeError(f"task {task} failed"))

        huey.signal(SIGNAL_ERROR)(record)
        ran = 0
        try:
            while (task := huey.dequeue()) is not None:
                if not huey.ready_to_run(task):
                    huey.add_schedule(task)
                    continue
                huey.execute(task)
                ran += 1
                if errors:
                    raise errors[0]
        finally:
            huey.disconnect_signal(record, SIGNAL_ERROR)
        return ran


def site_of(config: Any) -> Site:
    """The ``Site`` of a committed Pyramid configuration (what ``make_config`` returns)."""
    app = TestApp(config.make_wsgi_app(), extra_environ={"HTTP_HOST": "testserver"})
    return Site(app=app, registry=config.registry)


def site_from_ini(path: str) -> Site:
    """The site an ini file describes, built as ``tessera -c PATH`` builds it: its settings and logging,
    the environment's variables, the system clock. For tests that run ``tessera`` commands or worker
    processes on that file and want to prepare or inspect the same site in-process."""
    return site_of(load_config(path))


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@contextlib.contextmanager
def count_queries(registry: Any) -> Iterator[QueryCounter]:
    """Count the SQL statements the site's engine runs inside the block: ``with count_queries(r) as q: …; q.count``.

    Transaction control (BEGIN, SAVEPOINT, COMMIT…) is not counted.
    """
    counter = QueryCounter()

    def before_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "COMMIT", "ROLLBACK")):
            counter.statements.append(statement)

    event.listen(registry.dbengine, "before_cursor_execute", before_execute)
    try:
        yield counter
    finally:
        event.remove(registry.dbengine, "before_cursor_execute", before_execute)
