"""The pytest plugin of Tessera's testing kit (entry point ``pytest11``: installing tessera installs it).

Fixtures: ``site``, ``make_site``, ``clock``, ``database_url``, ``json_server``,
``site_plugins``, ``site_settings``; the marker ``@pytest.mark.plugins(...)``; the ini
option ``tessera_plugins``. docs/plugins.md, "Testing your plugin", shows them at work.
"""
from __future__ import annotations

import os
from typing import Any, Callable, Iterable, Iterator

import pytest
from argon2 import PasswordHasher
from webtest import TestApp

from core import passwords
from core.app import make_config
from core.clock import FixedClock
from core.migrate import units_for
from core.testing.database import TestDatabase, drop_postgres_database, fresh_postgres_database
from core.testing.http import JsonServer
from core.testing.site import Site, settings_for, shanghai

#: the PostgreSQL server to test on (the harness makes and drops its own databases there); SQLite when unset
DATABASE_ENV = "TESSERA_TEST_DATABASE_URL"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("tessera_plugins", "the plugins the `site` fixture enables when no `plugins` marker says",
                  type="args", default=[])


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "plugins(*names): build the `site` fixture with exactly these plugins enabled")


@pytest.fixture(scope="session")
def cheap_password_hashing() -> Iterator[None]:
    """Real argon2 with its cheapest parameters: tests create many users and never attack them."""
    original = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._hasher = original


@pytest.fixture(scope="session")
def tessera_database(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest,
                     cheap_password_hashing: None) -> Iterator[TestDatabase]:
    """This session's database: SQLite in a temporary folder, or a fresh one on $TESSERA_TEST_DATABASE_URL's server."""
    base = os.environ.get(DATABASE_ENV)
    if base:
        # the worker id and the pid keep parallel sessions on one server from dropping each other's databases
        worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
        url = fresh_postgres_database(base, f"tessera_test_{worker}_{os.getpid()}")
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'tessera.sqlite'}"
    database = TestDatabase(url)
    yield database
    database.close()
    if base:
        drop_postgres_database(url)


@pytest.fixture(scope="session")
def database_url(tessera_database: TestDatabase, pytestconfig: pytest.Config) -> str:
    """The URL of this session's database, migrated for the core and the plugins of the ``tessera_plugins`` ini option.

    Sites with other plugins migrate them when built. Every test that uses the database
    starts on empty tables (the schema is kept).
    """
    tessera_database.migrate_plugins(pytestconfig.getini("tessera_plugins"))
    return tessera_database.url


@pytest.fixture(autouse=True)
def _empty_tables_after_the_test(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "tessera_database" in request.fixturenames:  # only tests that touched a Tessera database
        request.getfixturevalue("tessera_database").empty()


@pytest.fixture
def clock() -> FixedClock:
    """The sites' clock, standing at 2025-12-26 10:00 in Shanghai until the test moves it (``set``, ``advance``)."""
    return FixedClock(shanghai(2025, 12, 26, 10, 0))


@pytest.fixture
def site_plugins(pytestconfig: pytest.Config) -> tuple[str, ...]:
    """The plugins ``make_site`` enables unless told: the ``tessera_plugins`` ini option. Override it in a conftest."""
    return tuple(pytestconfig.getini("tessera_plugins"))


@pytest.fixture
def site_settings() -> dict[str, Any]:
    """Settings every site of the test gets (a required URL, say); override it in a conftest. None by default."""
    return {}


@pytest.fixture
def make_site(database_url: str, tessera_database: TestDatabase, clock: FixedClock,
              site_plugins: tuple[str, ...], site_settings: dict[str, Any]) -> Iterator[Callable[..., Site]]:
    """Build sites on the session's database: ``make_site(plugins=("notify",), settings={...})`` -> ``Site``.

    ``plugins`` defaults to ``site_plugins``; ``settings`` add to ``site_settings``; the site reads
    no environment variable unless ``environ`` gives some; ``hookimpls`` are objects whose hook
    implementations join the enabled plugins' (a stand-in channel, say). Start-up errors
    (``ConfigurationError``) are raised as the real start-up raises them.
    """
    registries = []

    def factory(plugins: Iterable[str] | None = None, settings: dict[str, Any] | None = None,
                clock: FixedClock = clock, environ: dict[str, str] | None = None,
                hookimpls: Iterable[object] = ()) -> Site:
        enabled = tuple(site_plugins if plugins is None else plugins)
        values = settings_for(database_url, enabled, **{**site_settings, **(settings or {})})
        config = make_config(values, clock=clock, environ=environ or {}, hookimpls=hookimpls)
        registries.append(config.registry)
        tessera_database.migrate_units(units_for(config.registry))
        app = TestApp(config.make_wsgi_app(), extra_environ={"HTTP_HOST": "testserver"})
        return Site(app=app, registry=config.registry)

    yield factory
    for registry in registries:
        registry.dbengine.dispose()


@pytest.fixture
def site(request: pytest.FixtureRequest, make_site: Callable[..., Site]) -> Site:
    """A site with ``site_plugins`` enabled, or the plugins ``@pytest.mark.plugins(...)`` names."""
    marker = request.node.get_closest_marker("plugins")
    return make_site(plugins=marker.args if marker else None)


@pytest.fixture
def json_server() -> Iterator[JsonServer]:
    """A local JSON HTTP server playing a provider: ``json_server.url``, ``.requests``, ``.answer(status, body)``."""
    with JsonServer() as server:
        yield server
