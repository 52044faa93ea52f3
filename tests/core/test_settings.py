"""Declared settings: typed, overridden by the environment, refused with the key named."""
import pytest

from core.app import make_config
from core.settings import ConfigurationError, Setting, as_positive_int, resolve
from core.testing import settings_for


def test_environment_overrides_the_ini():
    declared = [Setting("tessera.x.limit", 30, as_positive_int)]
    assert resolve({"tessera.x.limit": "10"}, declared, {})["tessera.x.limit"] == 10
    assert resolve({"tessera.x.limit": "10"}, declared, {"TESSERA_X_LIMIT": "12"})["tessera.x.limit"] == 12
    assert resolve({}, declared, {})["tessera.x.limit"] == 30


def test_bad_values_are_all_named_and_secrets_hidden():
    declared = [Setting("tessera.x.limit", 30, as_positive_int),
                Setting("tessera.x.key", None, as_positive_int, secret=True)]
    with pytest.raises(ConfigurationError) as error:
        resolve({"tessera.x.limit": "0", "tessera.x.key": "hunter2"}, declared, {})
    message = str(error.value)
    assert "tessera.x.limit = '0' (from the ini): expected a whole number of at least 1" in message
    assert "tessera.x.key = *** (from the ini)" in message and "hunter2" not in message


def test_a_required_setting_must_be_given():
    declared = [Setting("tessera.x.url", None, str, "the service's URL", required=True)]
    for raw in ({}, {"tessera.x.url": ""}, {"tessera.x.url": "  "}):
        with pytest.raises(ConfigurationError, match=r"tessera.x.url is required \(the service's URL\): set it in the ini or \$TESSERA_X_URL"):
            resolve(raw, declared, {})
    assert resolve({}, declared, {"TESSERA_X_URL": "https://x"})["tessera.x.url"] == "https://x"


def test_core_settings_are_checked_at_startup(database_url):
    with pytest.raises(ConfigurationError, match="tessera.timezone = 'Mars/Base' .*not a known IANA time zone"):
        make_config(settings_for(database_url, [], **{"tessera.timezone": "Mars/Base"}), environ={})
    with pytest.raises(ConfigurationError, match="huey.backend = 'rabbit' .*expected one of: sqlite, redis, memory"):
        make_config(settings_for(database_url, [], **{"huey.backend": "rabbit"}), environ={})


def test_database_url_comes_from_the_environment(database_url, tmp_path):
    other = f"sqlite:///{tmp_path}/other.sqlite"
    config = make_config(settings_for(database_url, []), environ={"TESSERA_DATABASE_URL": other})
    assert config.registry.settings["sqlalchemy.url"] == other
    config.registry.dbengine.dispose()
