"""Tessera's own suite runs on the testing kit every plugin author gets (core.testing, a pytest plugin).

The kit's fixtures (site, make_site, clock, database_url, json_server) come from its
entry point; setup.cfg's ``tessera_plugins`` makes every shipped plugin the default.
Set TESSERA_TEST_DATABASE_URL (a PostgreSQL URL) to run the suite on PostgreSQL.
"""
import pytest

# the kit's own tests run it in pytests of their own
pytest_plugins = ["pytester"]


def pytest_configure(config):
    if not config.pluginmanager.has_plugin("tessera"):
        raise pytest.UsageError("the testing kit (core.testing) is not installed: run `make install` "
                                "(pip install -e '.[test]' registers its pytest11 entry point)")
