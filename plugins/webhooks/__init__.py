"""Outgoing webhooks: business events POSTed to the URLs an admin registers, signed as Standard Webhooks do.

Any plugin publishes its events with ``core.toolkit.publish_event`` and names them
through ``tessera_event_types``; this plugin hears each one (``tessera_event``) in
the transaction of the change and writes one outbox row per subscribed endpoint.
The worker sends them every minute (and right after the change commits), with
retries and back-off; the admin API under ``/api/webhooks`` lists every delivery
with its outcome. See docs/webhooks.md.
"""
from __future__ import annotations

import logging

from core.toolkit import BUSINESS_CODE_ENVELOPE, ConfigurationError, Manifest, hookimpl
from plugins.webhooks import views
from plugins.webhooks.dispatch import dispatch_due
from plugins.webhooks.outbox import DISPATCH_TASK, record_event
from plugins.webhooks.settings import PREFIX, SETTINGS

log = logging.getLogger(__name__)

manifest = Manifest(
    name="webhooks",
    requires_core=">=1.0,<2",
    summary="Outgoing webhooks: signed, retried deliveries of business events to registered URLs",
    settings=SETTINGS,
)


def includeme(config) -> None:
    registry = config.registry
    settings = registry.settings
    if settings[PREFIX + "lease_seconds"] <= settings[PREFIX + "timeout_seconds"]:
        raise ConfigurationError(
            f"{PREFIX}lease_seconds ({settings[PREFIX + 'lease_seconds']}) must exceed {PREFIX}timeout_seconds "
            f"({settings[PREFIX + 'timeout_seconds']}): otherwise a slow endpoint's delivery is taken over and sent twice.")
    registry.webhooks_event_types = collect_event_types(registry)
    config.declare_permission(views.MANAGE_PERMISSION, default_roles=["admin"])
    config.add_api_prefix(views.PREFIX, BUSINESS_CODE_ENVELOPE)
    for service in views.SERVICES:
        config.add_cornice_service(service)
    config.add_periodic_task(tick, name=DISPATCH_TASK, minute="*")


def collect_event_types(registry) -> dict[str, str]:
    """Every event type the enabled plugins publish, with what it means; each named by one plugin."""
    known: dict[str, str] = {}
    for declared in registry.tessera_plugin_manager.hook.tessera_event_types(registry=registry):
        for name, meaning in (declared or {}).items():
            if name in known:
                raise ConfigurationError(f"two plugins publish the event type '{name}'; one of them must rename it.")
            known[name] = meaning
    return known


def tick(registry) -> None:
    """Every minute, and whenever a change with deliveries commits: send what is due."""
    report = dispatch_due(registry)
    if report.claimed:
        log.info("webhooks: %s", report)


@hookimpl
def tessera_event(registry, dbsession, event):
    record_event(registry, dbsession, event)
