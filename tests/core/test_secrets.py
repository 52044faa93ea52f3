"""The token signing secret: never one that can be read or guessed, in any mode."""
import os
import stat
import subprocess
import sys

import pytest

from core.app import make_config
from core.cli import build_parser
from core.settings import ConfigurationError
from core.testing import settings_for

REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _config(database_url, environ=None, **settings):
    config = make_config(settings_for(database_url, [], **settings), environ=environ or {})
    config.registry.dbengine.dispose()
    return config


@pytest.mark.parametrize("development", ["false", "true"])
@pytest.mark.parametrize("secret, reason", [
    ("change-me", "a published placeholder"),
    ("development-only-placeholder-never-valid-in-production", "a published placeholder"),
    ("x", "shorter than 32 characters"),
    ("s" * 31, "shorter than 32 characters"),
])
def test_a_placeholder_or_short_secret_is_refused_in_every_mode(database_url, development, secret, reason):
    with pytest.raises(ConfigurationError, match=f"tessera.jwt_secret is {reason}: set TESSERA_JWT_SECRET"):
        _config(database_url, **{"tessera.jwt_secret": secret, "tessera.development": development})


def test_a_production_site_without_a_secret_is_refused(database_url):
    with pytest.raises(ConfigurationError, match="tessera.jwt_secret is missing: set TESSERA_JWT_SECRET"):
        _config(database_url, **{"tessera.jwt_secret": ""})


def test_the_secret_may_come_from_the_environment(database_url):
    config = _config(database_url, {"TESSERA_JWT_SECRET": "e" * 40}, **{"tessera.jwt_secret": ""})
    assert config.registry.settings["tessera.jwt_secret"] == "e" * 40


def test_a_development_site_generates_its_secret_once_and_keeps_it_private(database_url, tmp_path):
    path = tmp_path / "var" / "jwt_secret"
    settings = {"tessera.jwt_secret": "", "tessera.development": "true", "tessera.jwt_secret_file": str(path)}
    first = _config(database_url, **settings).registry.settings["tessera.jwt_secret"]
    again = _config(database_url, **settings).registry.settings["tessera.jwt_secret"]
    assert len(first) >= 32 and first == again == path.read_text().strip()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    other = _config(database_url, **{**settings, "tessera.jwt_secret_file": str(tmp_path / "other")})
    assert other.registry.settings["tessera.jwt_secret"] != first


def test_a_kept_secret_that_was_tampered_to_something_short_is_refused(database_url, tmp_path):
    path = tmp_path / "jwt_secret"
    path.write_text("short\n")
    with pytest.raises(ConfigurationError, match="holds no usable secret; delete it"):
        _config(database_url, **{"tessera.jwt_secret": "", "tessera.development": "true",
                                 "tessera.jwt_secret_file": str(path)})


def test_the_development_ini_publishes_no_secret_and_serves_only_this_machine():
    with open(os.path.join(REPOSITORY, "development.ini"), encoding="utf-8") as ini:
        text = ini.read()
    assert "tessera.jwt_secret =" not in text
    assert "listen = 127.0.0.1:" in text
    assert build_parser().parse_args(["run"]).host == "127.0.0.1"


def test_a_development_site_keeps_its_secret_beside_its_ini(tmp_path):
    ini = tmp_path / "site.ini"
    ini.write_text(f"[app:main]\nuse = egg:tessera\ntessera.development = true\n"
                   f"sqlalchemy.url = sqlite:///{tmp_path}/site.sqlite\nhuey.backend = memory\n")
    result = subprocess.run([sys.executable, "-m", "core.cli", "-c", str(ini), "plugins"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert len((tmp_path / "var" / "jwt_secret").read_text().strip()) >= 32
