"""Reused answers: a ``GET`` answered again from memory while nothing it read has changed.

A view opts in with ``reuse_answer(request)`` when its answer depends only on the caller,
the URL and rows of the database — not on the time, nor on anything outside the database.
The web process then keeps the answer, keyed by the caller (user and token version) and the
URL, with the tables the request read (every statement it ran: the caller's own row, the
hooks' look-ups, the view's queries) and their versions as they were before it began.
The same caller's next same request checks its token (signature and lifetime, as always)
and reads the tables' versions in one statement; if none changed, the kept bytes go out
without the transaction, the view or the framework around it.

Every transaction that writes through a site's engine — the web processes', the workers',
the command line's — gives each table it wrote a fresh random version just before it
commits (``core_table_version``), in the same transaction. So a change made by any process
is seen by every process, and a version never comes back once replaced. A change made
outside Tessera (a SQL shell) is seen when the kept answer's age passes
``tessera.read_cache.max_age``.

A reused answer skips the ``tessera_authenticated_request`` hook; as an answer is reused
for ``max_age`` seconds at most, a caller who keeps asking passes through it at least that
often.
"""
from __future__ import annotations

import collections
import re
import secrets
import threading
from typing import Callable, NamedTuple

from pyramid.request import Request
from pyramid.response import Response
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from core.auth import TokenError, bearer_token, read_token
from core.db import Base
from core.settings import Setting, as_non_negative_int, as_positive_int

SETTINGS = (
    Setting("tessera.read_cache.megabytes", 8, as_non_negative_int,
            "memory each web process keeps reusable answers in (0: answers are never reused)"),
    Setting("tessera.read_cache.max_age", 60, as_positive_int, "seconds a kept answer is reused at most"),
)

VERSIONS_TABLE = "core_table_version"
_REUSABLE = "tessera.reusable_answer"
_WRITTEN = "tessera_tables_written"
_MIGRATING = "tessera_migrating"
#: paths learnt as reusable, at most (a reusable view whose path holds an id learns one per id)
MAX_PATHS = 4096


def reuse_answer(request: Request) -> None:
    """Let this ``GET``'s answer be given again to the same caller for the same URL, until a table read
    while making it changes (or ``tessera.read_cache.max_age`` passes).

    Call it only from a view whose answer depends on nothing but the caller, the URL and the
    rows the request reads through ``request.dbsession``: not on the clock, the request's
    headers, another service or a process's memory. Only ``200`` answers are kept.
    """
    request.environ[_REUSABLE] = True


class Kept(NamedTuple):
    read: tuple[tuple[str, int | None], ...]  # each table read and its version then
    kept_at: float  # the site clock's timestamp
    headerlist: list[tuple[str, str]]
    body: bytes


class ReadCache:
    """One web process's kept answers (least recently used go first) and the means to check them."""

    def __init__(self, engine: Engine, clock, tables: list[str], budget: int, max_age: int):
        self.engine = engine
        self.clock = clock
        self.budget = budget
        self.max_age = max_age
        self.answers: collections.OrderedDict[tuple, Kept] = collections.OrderedDict()
        self.size = 0
        self.lock = threading.Lock()
        #: the raw paths whose views asked for their answers to be reused
        self.paths: set[str] = set()
        self.recording = threading.local()
        names = "|".join(sorted((re.escape(name) for name in tables), key=len, reverse=True))
        self.table_names = re.compile(rf"\b({names})\b")
        event.listen(engine, "before_cursor_execute", self._note_read)

    # --- the tables a request reads ----------------------------------------------------

    def _note_read(self, _connection, _cursor, statement: str, *_args) -> None:
        tables = getattr(self.recording, "tables", None)
        if tables is not None:
            tables.update(self.table_names.findall(statement))

    def versions(self) -> dict[str, int] | None:
        """Every table's version now; None when they cannot be read (a database not yet migrated, or down:
        the request then goes the whole way, and answers as it would have)."""
        try:
            connection = self.engine.raw_connection()
        except DBAPIError:
            return None
        try:
            cursor = connection.cursor()
            cursor.execute(f"SELECT name, version FROM {VERSIONS_TABLE}")
            return dict(cursor.fetchall())
        except self.engine.dialect.loaded_dbapi.Error:
            return None
        finally:
            connection.close()

    # --- kept answers --------------------------------------------------------------------

    def kept(self, key: tuple, versions: dict[str, int]) -> Kept | None:
        with self.lock:
            kept = self.answers.get(key)
            if kept is None:
                return None
            if (self.clock.now().timestamp() - kept.kept_at >= self.max_age
                    or any(versions.get(table) != version for table, version in kept.read)):
                self._drop(key)
                return None
            self.answers.move_to_end(key)
            return kept

    def keep(self, key: tuple, read: set[str], versions: dict[str, int], response: Response) -> None:
        body = response.body
        if len(body) > self.budget // 8:
            return
        headerlist = [(name, value) for name, value in response.headerlist if name.lower() != "x-request-id"]
        kept = Kept(tuple((table, versions.get(table)) for table in sorted(read)), self.clock.now().timestamp(),
                    headerlist, body)
        with self.lock:
            if key in self.answers:
                self._drop(key)
            self.answers[key] = kept
            self.size += len(body)
            while self.size > self.budget:
                self._drop(next(iter(self.answers)))

    def _drop(self, key: tuple) -> None:
        self.size -= len(self.answers.pop(key).body)

    def answer(self, request: Request, handler: Callable[[Request], Response], key: tuple) -> Response:
        """The kept answer to ``key`` if nothing it read has changed; else the view's, kept if it allows."""
        path = request.path_info
        if path not in self.paths:
            response = handler(request)
            if request.environ.get(_REUSABLE) and len(self.paths) < MAX_PATHS:
                self.paths.add(path)
            return response
        versions = self.versions()
        if versions is None:
            return handler(request)
        kept = self.kept(key, versions)
        if kept is not None:
            response = Response(body=kept.body, headerlist=list(kept.headerlist))
            response.headers["X-Request-ID"] = request.request_id
            return response
        read: set[str] = set()
        self.recording.tables = read
        try:
            response = handler(request)
        finally:
            self.recording.tables = None
        if response.status_code == 200 and request.environ.get(_REUSABLE) and read:
            self.keep(key, read, versions, response)
        return response


def read_cache_tween_factory(handler: Callable[[Request], Response], registry) -> Callable[[Request], Response]:
    """Answer a signed-in caller's ``GET`` from the kept answers when it can; every other request passes."""
    cache: ReadCache | None = registry.tessera_read_cache
    if cache is None:
        return handler

    def tween(request: Request) -> Response:
        if request.method != "GET":
            return handler(request)
        token = bearer_token(request)
        if token is None:
            return handler(request)
        try:
            claims = read_token(registry, token)
        except TokenError:
            return handler(request)
        return cache.answer(request, handler, (claims.user_id, claims.version, request.path_qs))

    return tween


# --- table versions ----------------------------------------------------------------------

_WRITES = re.compile(r'\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)


def track_writes(engine: Engine, tables: list[str]) -> None:
    """Give every table a transaction on ``engine`` wrote a new version, in that transaction, as it commits."""
    known = frozenset(tables)
    placeholder = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    bump = (f"INSERT INTO {VERSIONS_TABLE} (name, version) VALUES ({placeholder}, {placeholder}) "
            f"ON CONFLICT (name) DO UPDATE SET version = excluded.version")
    exists = ("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?" if engine.dialect.name == "sqlite"
              else "SELECT 1 WHERE to_regclass(%s) IS NOT NULL")
    migrated = False

    @event.listens_for(engine, "after_cursor_execute")
    def note_write(connection, _cursor, statement: str, *_args) -> None:
        if statement[:6].upper() == "SELECT":
            return
        written = known.intersection(_WRITES.findall(statement))
        if written:
            connection.info.setdefault(_WRITTEN, set()).update(written)

    # first among the commit listeners: on SQLite, before core.db lets this process's next writer in
    @event.listens_for(engine, "commit", insert=True)
    def bump_versions(connection) -> None:
        nonlocal migrated
        written = connection.info.pop(_WRITTEN, None)
        if connection.info.pop(_MIGRATING, False) or not written:
            return
        cursor = connection.connection.dbapi_connection.cursor()
        try:
            if not migrated:  # while the core is being migrated there is nothing to bump yet
                cursor.execute(exists, (VERSIONS_TABLE,))
                migrated = cursor.fetchone() is not None
                if not migrated:
                    return
            version = secrets.randbits(62)
            # sorted: two writers lock the version rows in one order, so never each other's in turn
            cursor.executemany(bump, [(table, version) for table in sorted(written)])
        finally:
            cursor.close()

    @event.listens_for(engine, "rollback")
    def forget_writes(connection) -> None:
        connection.info.pop(_WRITTEN, None)
        connection.info.pop(_MIGRATING, None)


def migrating(connection) -> None:
    """Mark the transaction of ``connection`` as a migration's: it bumps no versions (the versions table
    may be what it creates or drops). Processes serving the site restart after a migration."""
    connection.info[_MIGRATING] = True


def install(registry) -> None:
    """Version the site's tables and, unless ``tessera.read_cache.megabytes`` is 0, keep reusable answers.

    Called once every plugin's models are known."""
    tables = sorted(Base.metadata.tables)
    track_writes(registry.dbengine, tables)
    megabytes = registry.settings["tessera.read_cache.megabytes"]
    registry.tessera_read_cache = ReadCache(
        registry.dbengine, registry.clock, tables, megabytes * 1024 * 1024,
        registry.settings["tessera.read_cache.max_age"]) if megabytes else None


def includeme(config) -> None:
    config.add_tween("core.readcache.read_cache_tween_factory", over="core.api.api_tween_factory")
