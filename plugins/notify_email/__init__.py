"""E-mail: the ``email`` notification channel and the send endpoint of the schedule spec (16).

``tessera.notify_email.backend`` picks where messages go: ``console`` (development:
logged and kept in memory, nothing sent) or ``smtp`` (standard library smtplib,
STARTTLS or implicit TLS). Messages are rendered from the Jinja2 templates in
``templates/`` (``<name>.html`` and ``<name>.txt`` each) into multipart/alternative
MIME with UTF-8 headers. Built on the ``notify`` plugin: the endpoint needs its
``notify.send`` permission and counts against its per-user rate limit, and every
send is logged in its ``notify_send_log``. Settings and the spec's EMAIL_* names:
docs/notifications.md.
"""
from core.toolkit import Manifest, hookimpl
from plugins.notify_email import views
from plugins.notify_email.backends import make_backend, sender_of
from plugins.notify_email.channel import EmailChannel
from plugins.notify_email.settings import SETTINGS

manifest = Manifest(
    name="notify_email",
    requires_core=">=1.0,<2",
    summary="E-mail reminders (SMTP) and the e-mail send endpoint",
    depends=("notify",),
    settings=SETTINGS,
)


def includeme(config) -> None:
    registry = config.registry
    registry.notify_email_backend = make_backend(registry.settings)
    registry.notify_email_sender = sender_of(registry.settings)
    config.add_cornice_service(views.send_email)


@hookimpl
def tessera_notification_channels(registry):
    return [EmailChannel(registry, registry.notify_email_backend)]
