"""The pytest plugin of Tessera's testing kit (entry point ``pytest11``: installing tessera installs it).

Fixtures: ``site``, ``make_site``, ``clock``, ``database_url``, ``json_server``, ``old_database``,
``site_plugins``, ``site_settings``; the marker ``@pytest.mark.plugins(...)``; the ini
option ``tessera_plugins``. docs/plugins.md, "Testing your plugin", shows them at work.
"""
from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterable, Iterator, Mapping

import pytest
from argon2 import PasswordHasher

from core import passwords
from core.app import make_config
from core.clock import FixedClock
from core.migrate import units_for
from core.testing.database import OldDatabase, TestDatabase, throwaway_database
from core.testing.http import JsonServer
from core.testing.site import Site, settings_for, shanghai, site_of


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
    worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
    with throwaway_database(tmp_path_factory.mktemp("db"), f"tessera_test_{worker}") as url:
        database = TestDatabase(url)
        yield database
        database.close()


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
        return site_of(config)

    yield factory
    for registry in registries:
        registry.dbengine.dispose()


@pytest.fixture
def site(request: pytest.FixtureRequest, make_site: Callable[..., Site]) -> Site:
    """A site with ``site_plugins`` enabled, or the plugins ``@pytest.mark.plugins(...)`` names."""
    marker = request.node.get_closest_marker("plugins")
    return make_site(plugins=marker.args if marker else None)


@pytest.fixture
def old_database(tmp_path: Any) -> Iterator[Callable[..., OldDatabase]]:
    """Databases as sites had them before an upgrade, to test data migrations; each dropped after the test.

    ``old_database(plugins=("notify", "notify_sms"), revisions={"notify": "base", "notify_sms": "7d13002127db"})``
    -> ``OldDatabase``: the units named at those revisions (``"base"``: not there yet), the others at head.
    On the server of $TESSERA_TEST_DATABASE_URL when set, else SQLite.
    """
    with contextlib.ExitStack() as cleanup:
        def factory(plugins: Iterable[str] = (), revisions: Mapping[str, str] | None = None) -> OldDatabase:
            url = cleanup.enter_context(throwaway_database(tmp_path, "tessera_old"))
            database = OldDatabase(url, plugins, revisions or {})
            cleanup.callback(database.close)
            return database

        yield factory


@pytest.fixture
def json_server() -> Iterator[JsonServer]:
    """A local JSON HTTP server playing a provider: ``json_server.url``, ``.requests``, ``.answer(status, body)``."""
    with JsonServer() as server:
        yield server
