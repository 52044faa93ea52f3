"""What only Tessera's own suite needs: the shipped plugins, a count of users. Everything else is in core.testing."""
from sqlalchemy import func, select

from core.db import transaction_scope
from core.models import User
from core.testing import settings_for as site_settings

ALL_PLUGINS = ("schedule", "contacts", "notify", "notify_sms", "notify_email", "webhooks")


def user_count(site) -> int:
    """How many users the site has (a refused request must not have made one)."""
    with transaction_scope(site.registry) as dbsession:
        return dbsession.scalar(select(func.count()).select_from(User))


__all__ = ["ALL_PLUGINS", "site_settings", "user_count"]
