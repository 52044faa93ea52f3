"""Database plumbing: the declarative base, time columns, engines and sessions.

Requests get ``request.dbsession``, joined to the request's transaction by
zope.sqlalchemy and pyramid_tm: committed when the view succeeds, rolled back
on any error. Background jobs use ``transaction_scope(registry)``, one
transaction each.
"""
from __future__ import annotations

import contextlib
import datetime as dt
from typing import Iterator

import transaction as transaction_package
import zope.sqlalchemy
from sqlalchemy import DateTime, MetaData, create_engine, event, or_
from sqlalchemy.engine import Engine
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


def contains_text(text: str, *columns):
    """A filter: any of ``columns`` contains ``text``, ignoring case; ``%`` and ``_`` match themselves."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return or_(*(column.ilike(f"%{escaped}%", escape="\\") for column in columns))


def make_engine(url: str, **kwargs) -> Engine:
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

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        # IMMEDIATE takes the write lock up front: two claimers never both read
        # "unclaimed" and then both write.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, expire_on_commit=False)


def request_dbsession(request) -> Session:
    """``request.dbsession``: a session joined to the request's transaction."""
    session = request.registry.dbsession_factory()
    zope.sqlalchemy.register(session, transaction_manager=request.tm)
    return session


@contextlib.contextmanager
def transaction_scope(registry) -> Iterator[Session]:
    """One transaction outside a request (tasks, CLI): commit on success, roll back on error."""
    manager = transaction_package.TransactionManager(explicit=True)
    session = registry.dbsession_factory()
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
    config.registry.dbsession_factory = make_session_factory(engine)
    config.add_request_method(request_dbsession, "dbsession", reify=True)
