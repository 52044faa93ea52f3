"""Every test's site enables this plugin and posts to the testing kit's local JSON server (core.testing)."""
import pytest

#: where a WeCom robot takes messages; its key rides in the query string
ROBOT_PATH = "/cgi-bin/webhook/send?key=robot-key-123"


@pytest.fixture
def site_plugins():
    return ("notify", "notify_webhook")


@pytest.fixture
def site_settings(json_server):
    return {"tessera.notify_webhook.url": json_server.url + ROBOT_PATH}
