"""Database plumbing: the declarative base, time columns, engines and sessions.

Requests get ``request.dbsession``, joined to the request's transaction by
zope.sqlalchemy and pyramid_tm: committed when the view succeeds, rolled back
on any error. Background jobs use ``transaction_scope(registry)``, one
transaction each.

On SQLite, readers run side by side (WAL) and only writers queue. A ``GET`` or
``HEAD`` request reads in a deferred transaction, which takes no lock until it
writes; every other request, and ``transaction_scope(registry)`` unless told
``write=False``, begins ``IMMEDIATE``: it takes the write lock up front, so a
read-then-write (a claim, a conflict check) never fails half-way because
another writer committed in between. Keep slow work — password hashing,
network calls — out of a transaction that holds the lock. A writing request
reads who is asking before its own transaction begins (``reading_before_work``),
so the lock is taken by its view's first statement.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import threading
from typing import Iterator

import orjson
import transaction as transaction_package
import zope.sqlalchemy
from sqlalchemy import DateTime, MetaData, create_engine, event, or_
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

UTC = dt.timezone.utc

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The one declarative base: every plugin's models share its metadata so foreign keys resolve."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """A timezone-aware instant, stored as UTC and always read back aware (UTC).

    SQLite has no time zones, so the value is stored there as naive UTC text;
    PostgreSQL gets a ``timestamptz``. Naive values are refused: decide the zone first.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to a UTCDateTime column; attach a time zone first")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def result_processor(self, dialect, coltype):
        if dialect.name == "sqlite":
            return _read_sqlite_utc
        return super().result_processor(dialect, coltype)


def _read_sqlite_utc(value: str | None) -> dt.datetime | None:
    # SQLite hands back the naive UTC text it keeps ("2026-05-01 01:00:00.000000"); reading it
    # straight to an aware instant is 5x faster than SQLAlchemy's parser and then
    # process_result_value, and a list of 20 schedules reads a hundred of them
    if value is None:
        return None
    if len(value) == 10:  # a date alone (SQL's date(), a hand-made row): its midnight, as SQLAlchemy read it
        value += " 00:00:00"
    return dt.datetime.fromisoformat(value + "+00:00")


def contains_text(text, *columns):
    """A filter: any of ``columns`` contains ``text``, ignoring case; ``%`` and ``_`` match themselves.

    ``text`` is the text, or a bind parameter (in a statement built once) whose value will be
    ``like_pattern(text)``."""
    pattern = like_pattern(text) if isinstance(text, str) else text
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))


def like_pattern(text: str) -> str:
    """The ``LIKE`` pattern (escape ``\\``) that finds ``text`` anywhere, its ``%`` and ``_`` matching themselves."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


#: the execution option that marks an engine (and so its transactions) as read-only
READ_ONLY = "tessera_read_only"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: how long a writer waits for this process's other writers before leaving it to SQLite's busy handler
WRITER_WAIT_SECONDS = 10
_HOLDS_WRITER = "tessera_holds_writer_lock"


def make_engine(url: str, **kwargs) -> Engine:
    kwargs.setdefault("json_deserializer", orjson.loads)  # JSON columns read back several times faster
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        _make_sqlite_transactional(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _make_sqlite_transactional(engine: Engine) -> None:
    # pysqlite opens transactions lazily and never for SELECT, which breaks
    # SAVEPOINT and read-then-write claims; let SQLAlchemy emit BEGIN itself.
    # WAL lets the web server read while a worker writes.
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    # This process's writers queue on a lock, woken the moment the writer before them ends,
    # instead of in SQLite's busy handler, which sleeps in growing steps (up to 100 ms) and
    # so stretched the slowest requests to seconds under mixed load. Other processes (the
    # worker) still meet the busy handler. A writer that waits too long (a transaction
    # opened inside another of the same thread) falls back to it rather than hang.
    writer = threading.Lock()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")  # readers take no lock, so they never wait for writers
            return
        # IMMEDIATE takes the write lock up front: two claimers never both read
        # "unclaimed" and then both write.
        if writer.acquire(timeout=WRITER_WAIT_SECONDS):
            connection.info[_HOLDS_WRITER] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            release(connection.info)
            raise

    def release(info) -> None:
        if info.pop(_HOLDS_WRITER, False):
            writer.release()

    event.listen(engine, "commit", lambda connection: release(connection.info))
    event.listen(engine, "rollback", lambda connection: release(connection.info))
    event.listen(engine.pool, "checkin", lambda _dbapi_connection, record: release(record.info))


def make_session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, expire_on_commit=False)


def new_session(registry, write: bool) -> Session:
    """A session whose transactions take the write lock up front (``write``) or read side by side."""
    return registry.dbsession_factory(bind=registry.dbengine if write else registry.dbengine_read_only)


class RequestTransactions(transaction_package.ThreadTransactionManager):
    """The requests' transaction manager (pyramid_tm's ``request.tm``): explicit, one per thread.

    A thread serves one request at a time, so this is as separate as a manager per request,
    and it lets the requests' sessions join it through listeners registered once per site:
    registering them on each session cost a fifth of a small request.
    """

    def __init__(self):
        self.manager = transaction_package.TransactionManager(explicit=True)


def request_transaction_manager(request) -> RequestTransactions:
    """pyramid_tm's ``tm.manager_hook``."""
    return request.registry.request_transactions


def request_dbsession(request) -> Session:
    """``request.dbsession``: a session joined to the request's transaction; read-only for GET and HEAD."""
    registry = request.registry
    return registry.request_session_factory(
        bind=registry.dbengine if request.method not in READ_METHODS else registry.dbengine_read_only)


@contextlib.contextmanager
def reading_before_work(request) -> Iterator[Connection]:
    """A connection for what a request reads before its view runs (who is asking).

    On SQLite a writing request's session takes the write lock with its first statement and
    holds it to the commit, while every writer of the site waits: read on it, authentication
    would start that wait before the view has even validated its input. Such a request reads
    on a read-only connection of its own instead; any other uses its session's.
    """
    if request.method in READ_METHODS or request.registry.dbengine.dialect.name != "sqlite":
        yield request.dbsession.connection()
        return
    with request.registry.dbengine_read_only.connect() as connection:
        yield connection


@contextlib.contextmanager
def transaction_scope(registry, write: bool = True) -> Iterator[Session]:
    """One transaction outside a request (tasks, CLI): commit on success, roll back on error.

    ``write=False`` for work that only reads: it then never waits for, nor delays, a writer.
    """
    manager = transaction_package.TransactionManager(explicit=True)
    session = new_session(registry, write)
    zope.sqlalchemy.register(session, transaction_manager=manager)
    try:
        with manager:
            yield session
    finally:
        session.close()


def includeme(config) -> None:
    settings = config.registry.settings
    engine = make_engine(settings["sqlalchemy.url"])
    config.registry.dbengine = engine
    config.registry.dbengine_read_only = engine.execution_options(**{READ_ONLY: True})
    config.registry.dbsession_factory = make_session_factory(engine)
    # requests' sessions come from a factory of their own: its listeners join them to the
    # requests' transaction manager, while background work's sessions join their own
    config.registry.request_transactions = RequestTransactions()
    config.registry.request_session_factory = make_session_factory(engine)
    zope.sqlalchemy.register(config.registry.request_session_factory,
                             transaction_manager=config.registry.request_transactions)
    config.add_request_method(request_dbsession, "dbsession", reify=True)
