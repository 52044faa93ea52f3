"""The application factory: settings -> checked plugins -> a Pyramid app.

Loading happens in two phases. First the core sets up and commits its own
configuration (settings, database, transactions, security, API conventions,
Huey, Cornice); then each enabled plugin's ``includeme`` runs, dependencies
first, and may use everything the core set up.
"""
from __future__ import annotations

import importlib
import logging
import os
import secrets
import zoneinfo
from typing import Any, Iterable, Mapping
from urllib.parse import urlsplit

from pyramid.config import Configurator

from core import accounts, logs, readcache, throttle
from core.clock import SystemClock
from core.db import Base
from core.plugins import hook_declarers, installed_plugins, make_plugin_manager, resolve_enabled
from core.registrations import CORE, check_tables, claim_in, set_including
from core.settings import ConfigurationError, Setting, as_bool, as_list, as_positive_int, one_of, resolve

log = logging.getLogger(__name__)

# Modules of the core that plug into the platform exactly as a third party's plugin would.
BUILTIN_PLUGINS = ("core.inbox",)


def _public_url(value: Any) -> str:
    text = str(value).strip().rstrip("/")
    if text and (urlsplit(text).scheme not in ("http", "https") or not urlsplit(text).netloc):
        raise ValueError("expected the site's address as clients reach it, e.g. https://tessera.example.com")
    return text


def _timezone(value: Any) -> str:
    try:
        zoneinfo.ZoneInfo(str(value))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError("not a known IANA time zone (e.g. Asia/Shanghai, Europe/Berlin)")
    return str(value)


CORE_SETTINGS = (
    Setting("tessera.plugins", "", as_list, "the plugins enabled on this site, space separated"),
    Setting("tessera.development", False, as_bool, "a development site: allows a placeholder jwt_secret"),
    Setting("sqlalchemy.url", "sqlite:///var/tessera.sqlite", str, "database URL", env=("TESSERA_DATABASE_URL",)),
    Setting("tessera.public_url", "", _public_url,
            "the site's address as clients reach it (absolute pagination links); empty: links are relative"),
    Setting("tessera.timezone", "Asia/Shanghai", _timezone, "the site's time zone for showing and reading times"),
    Setting("tessera.jwt_secret", None, str, "HS256 signing secret (32+ characters)", secret=True),
    Setting("tessera.jwt_secret_file", "var/jwt_secret", str,
            "where a development site without tessera.jwt_secret keeps the secret it generated "
            "(default: var/jwt_secret beside the ini)"),
    Setting("tessera.jwt_lifetime", 86400, as_positive_int, "token lifetime in seconds"),
    Setting("huey.backend", "sqlite", one_of("sqlite", "redis", "memory"), "where background jobs queue"),
    Setting("huey.name", "tessera", str, "the queue's name"),
    Setting("huey.path", "var/huey.sqlite", str, "SQLite queue file (huey.backend = sqlite)"),
    Setting("huey.url", "redis://127.0.0.1:6379/0", str, "Redis URL (huey.backend = redis)", env=("TESSERA_REDIS_URL",)),
    Setting("huey.immediate", False, as_bool, "run tasks inline (huey.backend = memory, for tests)"),
    *accounts.SETTINGS,
    *throttle.SETTINGS,
    *readcache.SETTINGS,
)

#: secrets published in examples and earlier ini files: whoever read them could sign an admin's token
_PLACEHOLDER_SECRETS = {"change-me", "changeme", "secret", "please-change-me", "your-secret-key",
                        "development-only-placeholder-never-valid-in-production"}
MIN_SECRET_LENGTH = 32
_SECRET_ADVICE = ("set TESSERA_JWT_SECRET (or tessera.jwt_secret in the ini) to a random value of 32+ characters, "
                  "e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))'")


def _check_jwt_secret(settings: dict[str, Any]) -> None:
    """Refuse a guessable secret in every mode; a development site without one gets its own, kept on disk."""
    secret = settings.get("tessera.jwt_secret") or ""
    if not secret and settings["tessera.development"]:
        settings["tessera.jwt_secret"] = secret = _development_secret(settings["tessera.jwt_secret_file"])
    if not secret:
        raise ConfigurationError(f"tessera.jwt_secret is missing: {_SECRET_ADVICE}. "
                                 "A development site (tessera.development = true) may leave it unset instead.")
    if secret.strip().lower() in _PLACEHOLDER_SECRETS:
        raise ConfigurationError(f"tessera.jwt_secret is a published placeholder: {_SECRET_ADVICE}.")
    if len(secret) < MIN_SECRET_LENGTH:
        raise ConfigurationError(f"tessera.jwt_secret is shorter than {MIN_SECRET_LENGTH} characters: {_SECRET_ADVICE}.")


def _development_secret(path: str) -> str:
    """The secret kept at ``path`` (mode 0600), generated on first use; processes racing here agree on one."""
    try:
        with open(path, encoding="ascii") as kept:
            secret = kept.read().strip()
    except FileNotFoundError:
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)
        draft = f"{path}.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as out:
            out.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(draft, path)  # atomic, and fails when another process got there first: then theirs is used
        except FileExistsError:
            pass
        finally:
            os.unlink(draft)
        log.warning("tessera.jwt_secret is not set: generated one for this development site in %s", path)
        return _development_secret(path)
    except OSError as exc:
        raise ConfigurationError(f"tessera.jwt_secret_file = {path!r}: cannot read it ({exc.strerror}); "
                                 f"fix its permissions or {_SECRET_ADVICE}")
    if len(secret) < MIN_SECRET_LENGTH:
        raise ConfigurationError(f"tessera.jwt_secret_file = {path!r} holds no usable secret; delete it to have a new one made")
    return secret


def _plugin_settings(enabled) -> list[Setting]:
    declared: list[Setting] = []
    for plugin in enabled:
        namespace = f"tessera.{plugin.name}."
        for setting in plugin.manifest.settings:
            if not setting.key.startswith(namespace):
                raise ConfigurationError(
                    f"plugin '{plugin.name}' declares setting '{setting.key}' outside its namespace '{namespace}*'."
                )
            declared.append(setting)
    return declared


def make_config(settings: Mapping[str, Any], *, clock=None, environ: Mapping[str, str] | None = None,
                hookimpls: Iterable[object] = ()) -> Configurator:
    """Build and commit the configuration of a site. Raises ConfigurationError naming the problem and the fix.

    ``hookimpls`` are objects whose hook implementations join the enabled plugins' (the
    testing kit passes a test's stand-ins through it).
    """
    environ = os.environ if environ is None else environ
    logs.install()
    raw = dict(settings)
    core_values = resolve(raw, CORE_SETTINGS, environ)
    installed = installed_plugins()
    enabled = resolve_enabled(core_values["tessera.plugins"], installed)
    raw.update(core_values)
    raw.update(resolve(raw, _plugin_settings(enabled), environ))
    _check_jwt_secret(raw)
    raw.setdefault("tm.manager_hook", "core.db.request_transaction_manager")
    raw["handle_exceptions"] = False  # our exception views answer in the envelope, not Cornice's

    config = Configurator(settings=raw)
    registry = config.registry
    registry.clock = clock or SystemClock()
    registry.site_timezone = zoneinfo.ZoneInfo(raw["tessera.timezone"])
    registry.tessera_installed_plugins = installed
    registry.tessera_enabled_plugins = enabled
    registry.tessera_hook_declarers = hook_declarers(enabled)
    registry.tessera_plugin_manager = make_plugin_manager(
        [importlib.import_module(name) for name in BUILTIN_PLUGINS], enabled, hookimpls
    )
    # phase 1: the core
    set_including(registry, CORE)
    config.include("pyramid_tm")
    config.include("cornice")
    config.include("cornice_swagger")
    for module in ("core.db", "core.api", "core.auth", "core.readcache", "core.tasks", "core.openapi", "core.views"):
        config.include(module)
    for name in BUILTIN_PLUGINS:
        config.include(name)
    config.commit()
    # phase 2: the enabled plugins, dependencies first
    for plugin in enabled:
        set_including(registry, plugin.name)
        config.include(plugin.module)
    config.commit()
    check_tables(Base.registry.mappers, [(CORE, "core", "core_")] + [
        (plugin.name, plugin.package, plugin.tables) for plugin in enabled])
    registry.tessera_channels = _collect_channels(registry)
    readcache.install(registry)
    return config


def _collect_channels(registry) -> dict:
    """Every channel by name; each implementation is asked in turn, so a name provided twice names both plugins."""
    channels: dict = {}
    providers: dict[str, str] = {}
    caller = registry.tessera_plugin_manager.hook.tessera_notification_channels
    for implementation in caller.get_hookimpls():  # in registration order: the core's, then dependencies first
        arguments = {"registry": registry}
        for channel in implementation.function(*[arguments[name] for name in implementation.argnames]) or ():
            claim_in(providers, "notification channel", channel.name, implementation.plugin_name)
            channels[channel.name] = channel
    registry.tessera_registrations["notification channel"] = providers
    return channels


def with_ini_defaults(settings: Mapping[str, Any], ini_directory: str) -> dict[str, Any]:
    """Settings read from an ini, with the paths that default to its directory filled in."""
    values = dict(settings)
    values.setdefault("tessera.jwt_secret_file", os.path.join(ini_directory, "var", "jwt_secret"))
    return values


def make_app(settings: Mapping[str, Any], *, clock=None, environ: Mapping[str, str] | None = None):
    return make_config(settings, clock=clock, environ=environ).make_wsgi_app()

