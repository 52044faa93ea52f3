"""Text messages: the ``sms`` notification channel and the send endpoint of the schedule spec (15).

``tessera.notify_sms.backend`` picks where messages go: ``console`` (development:
logged and kept in memory, nothing sent) or ``tencent`` (Tencent Cloud SMS). Our
template codes (``SCHEDULE_REMINDER``) map to Tencent template ids and parameter
order in ``tessera.notify_sms.templates``. Built on the ``notify`` plugin: the
endpoint needs its ``notify.send`` permission and counts against its per-user rate
limit, and every send is logged in its ``notify_send_log``. Settings and the spec's
TENCENT_SMS_* names: docs/notifications.md.
"""
from core.toolkit import Manifest, hookimpl
from plugins.notify_sms import views
from plugins.notify_sms.backends import make_backend, redact_sdk_logs
from plugins.notify_sms.channel import SmsChannel
from plugins.notify_sms.settings import SETTINGS

manifest = Manifest(
    name="notify_sms",
    requires_core=">=1.0,<2",
    summary="SMS reminders (Tencent Cloud SMS) and the SMS send endpoint",
    depends=("notify",),
    settings=SETTINGS,
)


def includeme(config) -> None:
    registry = config.registry
    registry.notify_sms_backend = make_backend(registry.settings)
    if registry.notify_sms_backend.name == "tencent":
        redact_sdk_logs()
    config.add_cornice_service(views.send_sms)


@hookimpl
def tessera_notification_channels(registry):
    return [SmsChannel(registry, registry.notify_sms_backend)]
