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

from pyramid.config import Configurator

from core.clock import SystemClock
from core.plugins import installed_plugins, make_plugin_manager, resolve_enabled
from core.settings import ConfigurationError, Setting, as_bool, as_list, as_positive_int, one_of, resolve

log = logging.getLogger(__name__)

# Modules of the core that plug into the platform exactly as a third party's plugin would.
BUILTIN_PLUGINS = ("core.inbox",)


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
    Setting("tessera.timezone", "Asia/Shanghai", _timezone, "the site's time zone for showing and reading times"),
    Setting("tessera.jwt_secret", None, str, "HS256 signing secret (32+ characters)", secret=True),
    Setting("tessera.jwt_lifetime", 86400, as_positive_int, "token lifetime in seconds"),
    Setting("huey.backend", "sqlite", one_of("sqlite", "redis", "memory"), "where background jobs queue"),
    Setting("huey.name", "tessera", str, "the queue's name"),
    Setting("huey.path", "var/huey.sqlite", str, "SQLite queue file (huey.backend = sqlite)"),
    Setting("huey.url", "redis://127.0.0.1:6379/0", str, "Redis URL (huey.backend = redis)", env=("TESSERA_REDIS_URL",)),
    Setting("huey.immediate", False, as_bool, "run tasks inline (huey.backend = memory, for tests)"),
)

_PLACEHOLDER_SECRETS = {"change-me", "changeme", "secret", "please-change-me",
                        "development-only-placeholder-never-valid-in-production"}


def _check_jwt_secret(settings: dict[str, Any]) -> None:
    secret = settings.get("tessera.jwt_secret") or ""
    if settings["tessera.development"]:
        if not secret:
            # tokens then last as long as this process: fine for a development site, never for production
            log.warning("tessera.jwt_secret is not set: using a random secret until this process stops")
            settings["tessera.jwt_secret"] = secrets.token_urlsafe(48)
        return
    if not secret or secret.lower() in _PLACEHOLDER_SECRETS or len(secret) < 32:
        raise ConfigurationError(
            "tessera.jwt_secret is missing or a placeholder: set TESSERA_JWT_SECRET (or tessera.jwt_secret in the ini) "
            "to a random value of 32+ characters, e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))'. "
            "Development sites may set tessera.development = true instead."
        )


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
    raw = dict(settings)
    core_values = resolve(raw, CORE_SETTINGS, environ)
    installed = installed_plugins()
    enabled = resolve_enabled(core_values["tessera.plugins"], installed)
    raw.update(core_values)
    raw.update(resolve(raw, _plugin_settings(enabled), environ))
    _check_jwt_secret(raw)
    raw.setdefault("tm.manager_hook", "pyramid_tm.explicit_manager")
    raw["handle_exceptions"] = False  # our exception views answer in the envelope, not Cornice's

    config = Configurator(settings=raw)
    registry = config.registry
    registry.clock = clock or SystemClock()
    registry.site_timezone = zoneinfo.ZoneInfo(raw["tessera.timezone"])
    registry.tessera_installed_plugins = installed
    registry.tessera_enabled_plugins = enabled
    registry.tessera_plugin_manager = make_plugin_manager(
        [importlib.import_module(name) for name in BUILTIN_PLUGINS], enabled, hookimpls
    )
    # phase 1: the core
    config.include("pyramid_tm")
    config.include("cornice")
    config.include("cornice_swagger")
    for module in ("core.db", "core.api", "core.auth", "core.tasks", "core.openapi", "core.views"):
        config.include(module)
    for name in BUILTIN_PLUGINS:
        config.include(name)
    config.commit()
    # phase 2: the enabled plugins, dependencies first
    for plugin in enabled:
        config.include(plugin.module)
    config.commit()
    registry.tessera_channels = _collect_channels(registry)
    return config


def _collect_channels(registry) -> dict:
    channels: dict = {}
    for provided in registry.tessera_plugin_manager.hook.tessera_notification_channels(registry=registry):
        for channel in provided or ():
            if channel.name in channels:
                raise ConfigurationError(
                    f"two plugins provide the notification channel '{channel.name}'; disable one of them."
                )
            channels[channel.name] = channel
    return channels


def make_app(settings: Mapping[str, Any], *, clock=None, environ: Mapping[str, str] | None = None):
    return make_config(settings, clock=clock, environ=environ).make_wsgi_app()

