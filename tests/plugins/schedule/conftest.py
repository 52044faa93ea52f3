"""The schedule tests model a firm whose engineers remind outside participants (customers) by e-mail and SMS:
its ini grants them ``schedule.remind_external``. tests/plugins/schedule/test_outside.py checks the default."""
import pytest


@pytest.fixture
def site_settings():
    return {"tessera.permission.schedule.remind_external": "engineer"}


@pytest.fixture
def lawyer(site):
    """The calendar owner of the feed, sharing and exception tests (with an address, for the feeds)."""
    return site.create_user("lawyer", email="lawyer@example.com")
