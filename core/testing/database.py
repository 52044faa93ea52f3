"""Throw-away databases: the test session's, migrated unit by unit as sites need them and emptied between
tests, and those a test makes for itself (an old site's, to upgrade; one that worker processes share)."""
from __future__ import annotations

import contextlib
import itertools
import os
import pathlib
from typing import Any, Iterable, Iterator, Mapping

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Row, make_url

from core import migrate
from core.db import Base, make_engine
from core.plugins import installed_plugins, resolve_enabled

#: the PostgreSQL server to test on (the kit makes and drops its own databases there); SQLite when unset
DATABASE_ENV = "TESSERA_TEST_DATABASE_URL"

_numbers = itertools.count(1)


def fresh_postgres_database(base_url: str, name: str) -> str:
    """Drop and create the database ``name`` on the server of ``base_url``; return its URL."""
    url = make_url(base_url)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


@contextlib.contextmanager
def throwaway_database(folder: str | os.PathLike[str], name: str) -> Iterator[str]:
    """A new, empty database of one's own, dropped when the block ends; gives its URL.

    On the PostgreSQL server of ``$TESSERA_TEST_DATABASE_URL`` when it is set, else a SQLite
    file in ``folder``. ``name`` begins the database's name; the process id and a count
    end it, so parallel tests (xdist workers) never share one. Not migrated: see ``OldDatabase``.
    """
    unique = f"{name}_{os.getpid()}_{next(_numbers)}"
    server = os.environ.get(DATABASE_ENV)
    if not server:
        path = pathlib.Path(folder) / f"{unique}.sqlite"
        try:
            yield f"sqlite:///{path}"
        finally:
            path.unlink(missing_ok=True)
        return
    url = fresh_postgres_database(server, unique)
    try:
        yield url
    finally:
        drop_postgres_database(url)


class OldDatabase:
    """A database as a site had it before an upgrade: to test a data migration.

    The core and ``plugins`` (as ``tessera.plugins`` lists them) are migrated, each unit to its
    revision in ``revisions`` — by unit name, ``"base"`` for a plugin the old site did not
    have yet — and the others to head. Write rows as the old schema holds them with
    ``execute``, run ``upgrade()`` as ``tessera db upgrade`` does, then look at what the
    migrations made of them. The ``old_database`` fixture makes them.
    """

    def __init__(self, url: str, plugins: Iterable[str], revisions: Mapping[str, str]):
        self.url = url
        self.units = migrate.units_of(resolve_enabled(plugins, installed_plugins()))
        unknown = sorted(set(revisions) - {unit.name for unit in self.units})
        if unknown:
            raise ValueError(f"revisions name {', '.join(unknown)}, not a migration unit of the core or of "
                             f"plugins {', '.join(unit.name for unit in self.units[1:]) or '(none)'}")
        self.engine = make_engine(url)
        migrate.upgrade(self.engine, self.units, log=lambda _line: None, revisions=revisions)

    def execute(self, sql: str, parameters: Mapping[str, Any] | list[Mapping[str, Any]] | None = None) -> list[Row]:
        """Run one SQL statement in a transaction of its own; return its rows (none for a write)."""
        with self.engine.begin() as connection:
            result = connection.execute(text(sql), parameters)
            return list(result.all()) if result.returns_rows else []

    def tables(self) -> set[str]:
        """The names of the tables it has now."""
        with self.engine.connect() as connection:
            return set(inspect(connection).get_table_names())

    def upgrade(self) -> list[str]:
        """Every unit to head, in order, as ``tessera db upgrade`` does; return its lines (``notify_sms: 7d13… -> 4f2a…``)."""
        lines: list[str] = []
        migrate.upgrade(self.engine, self.units, log=lines.append)
        return lines

    def close(self) -> None:
        self.engine.dispose()


class TestDatabase:
    """One database for a test session (and xdist worker).

    The core and the plugins named up front are migrated at once; a site that
    enables another plugin migrates it when it is built (``migrate_units``), once.
    ``empty()`` deletes every row and keeps the schema.
    """

    __test__ = False  # not a test class, whatever pytest thinks of the name

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self._migrated: set[str] = set()

    def migrate_plugins(self, names: Iterable[str]) -> None:
        """Migrate the core and the installed plugins ``names`` (with their dependencies)."""
        self.migrate_units(migrate.units_of(resolve_enabled(names, installed_plugins())))

    def migrate_units(self, units: list[migrate.MigrationUnit]) -> None:
        missing = [unit for unit in units if unit.name not in self._migrated]
        if missing:
            migrate.upgrade(self.engine, missing, log=lambda _line: None)
            self._migrated.update(unit.name for unit in missing)

    def empty(self) -> None:
        with self.engine.begin() as connection:
            existing = set(inspect(connection).get_table_names())
            tables = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name in existing]
            if not tables:
                return
            if connection.dialect.name == "postgresql":
                connection.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    connection.exec_driver_sql(f'DELETE FROM "{table}"')

    def close(self) -> None:
        self.engine.dispose()
