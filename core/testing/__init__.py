"""Tessera's testing kit, for the core's tests and every plugin's — the one thing tests import besides ``core.toolkit``.

Installing tessera installs its pytest plugin (``core.testing.plugin``, entry point
``pytest11``), whose fixtures build real sites: ``site``, ``make_site``, ``clock``,
``database_url``, ``json_server``, ``old_database``. This module holds what tests use with them.
docs/plugins.md, "Testing your plugin", walks through it.
"""
from __future__ import annotations

from core.testing.database import OldDatabase, throwaway_database
from core.testing.http import Answer, JsonServer, Request
from core.testing.site import (
    DEFAULT_PASSWORD,
    SITE_TIMEZONE,
    TEST_SECRET,
    QueryCounter,
    SignedIn,
    Site,
    count_queries,
    settings_for,
    shanghai,
    site_from_ini,
)

__all__ = [
    "DEFAULT_PASSWORD", "SITE_TIMEZONE", "TEST_SECRET",
    "Answer", "JsonServer", "OldDatabase", "QueryCounter", "Request", "SignedIn", "Site",
    "count_queries", "settings_for", "shanghai", "site_from_ini", "throwaway_database",
]
