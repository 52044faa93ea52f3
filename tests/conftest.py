"""The test harness: one migrated database per test session (and per xdist worker),
clean tables between tests, and sites built from a settings dict with chosen plugins.

Set TESSERA_TEST_DATABASE_URL (a PostgreSQL URL) to run the whole suite on
PostgreSQL; the default is a SQLite file in a temporary folder.
"""
from __future__ import annotations

import os

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from webtest import TestApp

from core import migrate, passwords
from core.app import make_config
from core.clock import FixedClock
from core.db import Base
from tests.support import ALL_PLUGINS, Site, fresh_postgres_database, shanghai, site_settings


def _drop_postgres_database(url: str) -> None:
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing():
    """Real argon2, with the cheapest parameters: tests create many users and never attack them."""
    original = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._hasher = original


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, request):
    """A fresh database for this session, migrated with every plugin shipped."""
    # the pid keeps two test sessions on one PostgreSQL server from dropping each other's databases
    worker = f'{getattr(request.config, "workerinput", {}).get("workerid", "main")}_{os.getpid()}'
    base = os.environ.get("TESSERA_TEST_DATABASE_URL")
    if base:
        url = fresh_postgres_database(base, f"tessera_test_{worker}")
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'tessera.sqlite'}"
    registry = make_config(site_settings(url, ALL_PLUGINS), environ={}).registry
    migrate.upgrade(registry.dbengine, migrate.units_for(registry), log=lambda _line: None)
    registry.dbengine.dispose()
    yield url
    if base:
        _drop_postgres_database(url)


@pytest.fixture(scope="session")
def _cleaner_engine(database_url):
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def clean_tables(request, _cleaner_engine):
    """Every test starts on empty tables (schema kept)."""
    yield
    with _cleaner_engine.begin() as connection:
        existing = set(inspect(connection).get_table_names())
        tables = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name in existing]
        if connection.dialect.name == "postgresql":
            connection.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.exec_driver_sql(f'DELETE FROM "{table}"')


@pytest.fixture
def clock():
    """The site clock, standing at 2025-12-26 10:00 in Shanghai until a test moves it."""
    return FixedClock(shanghai(2025, 12, 26, 10, 0))


@pytest.fixture
def make_site(database_url, clock):
    """Build a site: ``make_site(plugins=("schedule",), settings={...})`` -> Site."""
    registries = []

    def factory(plugins=ALL_PLUGINS, settings=None, clock=clock) -> Site:
        config = make_config(site_settings(database_url, plugins, **(settings or {})), clock=clock, environ={})
        registries.append(config.registry)
        app = TestApp(config.make_wsgi_app(), extra_environ={"HTTP_HOST": "testserver"})
        return Site(app=app, registry=config.registry)

    yield factory
    for registry in registries:
        registry.dbengine.dispose()


@pytest.fixture
def site(request, make_site) -> Site:
    """The default site: every shipped plugin, unless ``@pytest.mark.plugins(...)`` names others."""
    marker = request.node.get_closest_marker("plugins")
    return make_site(plugins=marker.args if marker else ALL_PLUGINS)
