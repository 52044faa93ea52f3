"""What only Tessera's own suite needs: the shipped plugins. Everything else is in core.testing."""
from core.testing import DEFAULT_PASSWORD, TEST_SECRET, Site, count_queries, shanghai
from core.testing import settings_for as site_settings
from core.testing.database import fresh_postgres_database

ALL_PLUGINS = ("schedule", "contacts", "notify", "notify_sms", "notify_email", "webhooks")

# the names tests imported from here before core.testing existed, for branches still on their way to main
__all__ = ["ALL_PLUGINS", "DEFAULT_PASSWORD", "TEST_SECRET", "Site", "count_queries", "fresh_postgres_database",
           "shanghai", "site_settings"]
