"""The throw-away database of a test session: migrated unit by unit as sites need them, emptied between tests."""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from core import migrate
from core.db import Base, make_engine
from core.plugins import installed_plugins, resolve_enabled


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
