"""The ``sms`` notification channel: reminders as text messages to the recipient's mobile."""
from __future__ import annotations

from core.toolkit import Notification, Recipient, SendResult
from plugins.notify import send_for_channel
from plugins.notify_sms.phones import as_e164, missing_params

CHANNEL_NAME = "sms"


class SmsChannel:
    """Sends ``notification.template`` (``schedule_reminder``) as our SMS template of that name in upper case.

    The notification's ``idempotency_key`` goes to Tencent as ``SessionContext``, which it
    returns unchanged in the send status and delivery receipts: a repeat is recognisable.
    """

    name = CHANNEL_NAME

    def __init__(self, registry, backend):
        self.registry, self.backend = registry, backend

    def address_of(self, recipient: Recipient) -> str | None:
        return as_e164(recipient.mobile)

    def send(self, notification: Notification, recipient: Recipient, address: str) -> SendResult:
        code = notification.template.upper()
        template = self.registry.settings["tessera.notify_sms.templates"].get(code)
        if template is None:
            return SendResult.failed(f"no SMS template {code} in tessera.notify_sms.templates")
        missing = missing_params(template, notification.params)
        if missing:
            return SendResult.failed(f"SMS template {code} lacks parameters: {', '.join(missing)}")
        return send_for_channel(self.registry, channel=CHANNEL_NAME, notification=notification, recipient=recipient,
                                address=address, template=code, backend=self.backend.name,
                                send=lambda: self.backend.send(address, template, notification.params,
                                                               session_context=notification.idempotency_key))
