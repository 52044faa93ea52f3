"""What only Tessera's own suite needs: the shipped plugins. Everything else is in core.testing."""
from core.testing import settings_for as site_settings

ALL_PLUGINS = ("schedule", "contacts", "notify", "notify_sms", "notify_email", "webhooks")

__all__ = ["ALL_PLUGINS", "site_settings"]
