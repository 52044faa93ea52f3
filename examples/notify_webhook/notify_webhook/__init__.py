"""A ``webhook`` notification channel: each reminder is posted as JSON to one configured URL.

Point it at a WeCom (企业微信) group robot (``format = wecom``) or at any service that
accepts a JSON POST (``format = json``). A third-party plugin: it uses only the
public plugin contract (docs/plugins.md) — ``core.toolkit``, and ``plugins.notify``,
the public module of the plugin it depends on — and is installed with pip.
"""
from core.toolkit import Manifest, Setting, as_positive_int, hookimpl, one_of
from notify_webhook.channel import WebhookChannel, as_webhook_url

manifest = Manifest(
    name="notify_webhook",
    requires_core=">=1.0,<2",
    summary="Reminders posted as JSON to a webhook (WeCom group robot or any chat webhook)",
    depends=("notify",),
    settings=(
        Setting("tessera.notify_webhook.url", None, as_webhook_url,
                "where to POST (http or https); a robot's URL carries its key, so keep it in the environment",
                secret=True, required=True),
        Setting("tessera.notify_webhook.format", "json", one_of("json", "wecom"),
                "json: our own payload; wecom: a WeCom group robot text message"),
        Setting("tessera.notify_webhook.timeout", 10, as_positive_int, "seconds to wait for the webhook"),
    ),
)


def includeme(config):
    """No routes, tasks or tables: the channel is all this plugin adds."""


@hookimpl
def tessera_notification_channels(registry):
    settings = registry.settings
    return [WebhookChannel(registry, settings["tessera.notify_webhook.url"], settings["tessera.notify_webhook.format"],
                           settings["tessera.notify_webhook.timeout"])]
