"""The channel itself: build the payload, POST it, turn the answer into a ``SendResult``."""
from __future__ import annotations

from urllib.parse import urlsplit

from core.toolkit import Notification, Recipient, SendResult
from plugins.notify import JsonAnswer, post_json, send_for_channel

# WeCom's errcode -1 is "system busy", 45009 "too many messages"
_TRANSIENT_WECOM = {-1, 45009}


def as_webhook_url(value) -> str:
    """A setting converter: an http(s) URL with a host, or a ValueError saying what is expected."""
    url = str(value).strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("set the webhook's http(s) URL, e.g. https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…")
    return url


class WebhookChannel:
    """Posts every reminder to one URL: a group's webhook, so one message per reminder reaches everyone."""

    name = "webhook"

    def __init__(self, registry, url: str, payload_format: str, timeout: int):
        self.registry, self.url, self.payload_format, self.timeout = registry, url, payload_format, timeout
        parts = urlsplit(url)
        # the address is stored and shown in reminder records: the URL without its query (a robot's key lives there)
        self.address = f"{parts.scheme}://{parts.hostname}{parts.path}"

    def address_of(self, recipient: Recipient) -> str | None:
        return self.address

    def send(self, notification: Notification, recipient: Recipient, address: str) -> SendResult:
        """Post through the notify plugin, which logs the send (``notify_send_log``) and applies its limits."""
        return send_for_channel(self.registry, channel=self.name, notification=notification, recipient=recipient,
                                address=address, template=notification.template, backend=self.payload_format,
                                send=lambda: self.post(notification, recipient))

    def post(self, notification: Notification, recipient: Recipient) -> SendResult:
        # the same key on every attempt of one message: a receiver that saw it already can drop the repeat
        headers = {"Idempotency-Key": notification.idempotency_key} if notification.idempotency_key else {}
        answer = post_json(self.url, self.payload(notification, recipient), timeout=self.timeout, headers=headers,
                           label="webhook")
        if answer.result.ok and self.payload_format == "wecom":
            return self._wecom_result(answer)
        return answer.result

    def payload(self, notification: Notification, recipient: Recipient) -> dict:
        if self.payload_format == "wecom":
            text = {"content": f"{notification.subject}\n{notification.text}"}
            if recipient.mobile:
                text["mentioned_mobile_list"] = [recipient.mobile]
            return {"msgtype": "text", "text": text}
        return {"template": notification.template, "subject": notification.subject, "text": notification.text,
                "params": notification.params, "recipient": {"name": recipient.name, "user_id": recipient.user_id}}

    @staticmethod
    def _wecom_result(answer: JsonAnswer) -> SendResult:
        try:
            reply = answer.json()
            code, message = int(reply.get("errcode", -1)), str(reply.get("errmsg", ""))
        except (ValueError, TypeError, AttributeError):
            return SendResult.retry_later("webhook: WeCom answered something that is not its JSON")
        if code == 0:
            return SendResult.sent("webhook: accepted by WeCom")
        detail = f"webhook: WeCom errcode {code}: {message}"[:300]
        return SendResult.retry_later(detail) if code in _TRANSIENT_WECOM else SendResult.failed(detail)
