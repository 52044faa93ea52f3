import os

import pytest

OUTSIDE = os.path.join(os.path.dirname(__file__), "outside")


@pytest.fixture
def outside_plugins(monkeypatch):
    """Install the third-party test distribution (tessera_hello) by putting its dist-info on sys.path."""
    monkeypatch.syspath_prepend(OUTSIDE)


@pytest.fixture
def admin(site):
    return site.create_user("boss", role="admin")
