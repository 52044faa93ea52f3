"""The ``email`` notification channel: reminders by e-mail to the recipient's address."""
from __future__ import annotations

from core.toolkit import Notification, Recipient, SendResult
from plugins.notify import send_for_channel
from plugins.notify_email.messages import GENERIC_TEMPLATE, is_address, template_names, templated_message

CHANNEL_NAME = "email"


class EmailChannel:
    """Sends with the template named like ``notification.template`` (``schedule_reminder``), else the generic one.

    The notification's ``idempotency_key`` becomes the ``Message-ID`` (``<key@sender-domain>``), the
    same on every attempt, so a mail system or reader that has the message already can drop a repeat.
    """

    name = CHANNEL_NAME

    def __init__(self, registry, backend):
        self.registry, self.backend = registry, backend
        self.templates = set(template_names())

    def address_of(self, recipient: Recipient) -> str | None:
        return recipient.email.strip() if is_address((recipient.email or "").strip()) else None

    def send(self, notification: Notification, recipient: Recipient, address: str) -> SendResult:
        template = notification.template if notification.template in self.templates else GENERIC_TEMPLATE
        message = templated_message(self.registry, to=address, subject=notification.subject, content=notification.text,
                                    template=template, params=notification.params, to_name=recipient.name,
                                    idempotency_key=notification.idempotency_key)
        return send_for_channel(self.registry, channel=CHANNEL_NAME, notification=notification, recipient=recipient,
                                address=address, template=template, backend=self.backend.name,
                                send=lambda: self.backend.send(message))
