"""The channel itself: build the payload, POST it, turn the answer into a ``SendResult``."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from core.toolkit import Notification, Recipient, SendResult

# 408 and 429 ask us to come back; WeCom's errcode -1 is "system busy", 45009 "too many messages"
_TRANSIENT_HTTP = {408, 429}
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

    def __init__(self, url: str, payload_format: str, timeout: int):
        self.url, self.payload_format, self.timeout = url, payload_format, timeout
        parts = urlsplit(url)
        # the address is stored and shown in reminder records: the URL without its query (a robot's key lives there)
        self.address = f"{parts.scheme}://{parts.hostname}{parts.path}"

    def address_of(self, recipient: Recipient) -> str | None:
        return self.address

    def send(self, notification: Notification, recipient: Recipient, address: str) -> SendResult:
        body = json.dumps(self.payload(notification, recipient), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = response.read(65536)
        except urllib.error.HTTPError as exc:
            detail = f"webhook: HTTP {exc.code} {exc.reason}"
            transient = exc.code in _TRANSIENT_HTTP or exc.code >= 500
            return SendResult.retry_later(detail) if transient else SendResult.failed(detail)
        except OSError as exc:  # refused, unreachable, timed out (URLError is an OSError)
            return SendResult.retry_later(f"webhook: {type(exc).__name__}: {getattr(exc, 'reason', exc)}")
        if self.payload_format == "wecom":
            return self._wecom_result(answer)
        return SendResult.sent("webhook: accepted")

    def payload(self, notification: Notification, recipient: Recipient) -> dict:
        if self.payload_format == "wecom":
            text = {"content": f"{notification.subject}\n{notification.text}"}
            if recipient.mobile:
                text["mentioned_mobile_list"] = [recipient.mobile]
            return {"msgtype": "text", "text": text}
        return {"template": notification.template, "subject": notification.subject, "text": notification.text,
                "params": notification.params, "recipient": {"name": recipient.name, "user_id": recipient.user_id}}

    @staticmethod
    def _wecom_result(answer: bytes) -> SendResult:
        try:
            reply = json.loads(answer)
            code, message = int(reply.get("errcode", -1)), str(reply.get("errmsg", ""))
        except (ValueError, TypeError, AttributeError):
            return SendResult.retry_later("webhook: WeCom answered something that is not its JSON")
        if code == 0:
            return SendResult.sent("webhook: accepted by WeCom")
        detail = f"webhook: WeCom errcode {code}: {message}"[:300]
        return SendResult.retry_later(detail) if code in _TRANSIENT_WECOM else SendResult.failed(detail)
