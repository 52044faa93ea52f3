"""What every notification channel that leaves the site shares: the ``notify`` base plugin.

It owns the send log (``notify_send_log``: who caused each send, to whom, on which
channel, what the provider answered), the per-user rate limit and the per-site daily
quota on sends to people outside the site, both counted from it, the
``notify.send`` permission of the send endpoints, their URL prefix, and a helper that
posts JSON to an HTTP provider and classifies its answer. ``notify_sms``,
``notify_email`` and third-party channels declare ``depends=("notify",)`` and import
what they need from this module — only from this module, and only the names in
``__all__``: it is the notify plugin's public surface, kept as stable as
``core.toolkit`` (docs/plugins.md, "Building on another plugin").
"""
from core.toolkit import BUSINESS_CODE_ENVELOPE, Manifest
from plugins.notify.http import JsonAnswer, post_json
from plugins.notify.sendlog import CONSOLE_BACKEND, SendLog, answer, send_for_channel, send_on_request, send_responses
from plugins.notify.settings import SETTINGS

__all__ = [
    "CONSOLE_BACKEND", "JsonAnswer", "SEND_PERMISSION", "SEND_PREFIX", "SendLog",
    "answer", "post_json", "send_for_channel", "send_on_request", "send_responses",
]

#: the permission every send endpoint declares; admins only unless the ini grants more roles
SEND_PERMISSION = "notify.send"
#: send endpoints live under it: ``{SEND_PREFIX}/<channel>/send/`` (the schedule spec's paths)
SEND_PREFIX = "/api/customer/schedules/notification"

manifest = Manifest(
    name="notify",
    requires_core=">=1.0,<2",
    summary="What notification channels share: send log, per-user rate limit, notify.send, HTTP helper",
    settings=SETTINGS,
)


def includeme(config) -> None:
    config.declare_permission(SEND_PERMISSION, default_roles=["admin"])
    config.add_api_prefix(SEND_PREFIX, BUSINESS_CODE_ENVELOPE, trailing_slash=True)
