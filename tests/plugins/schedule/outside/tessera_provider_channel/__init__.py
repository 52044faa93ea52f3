"""The ``provider`` channel: every reminder to the schedule's owner is POSTed as JSON to one URL.

The request carries the delivery's idempotency key (``Idempotency-Key`` header and ``key`` in
the body), so the provider playing at the other end counts repeats by key. A 2xx answer is
``sent``; 408, 429, 5xx, a refused connection or no answer within ``timeout`` seconds is
transient (a 429's ``Retry-After`` is passed on); any other answer fails for good.
"""
import json
import os
import urllib.error
import urllib.request

from core.toolkit import Manifest, SendResult, Setting, hookimpl

manifest = Manifest(
    name="provider_channel",
    summary="Reminders POSTed to a provider's URL, with their idempotency key (fault tests and benchmarks)",
    settings=(
        Setting("tessera.provider_channel.url", None, str, "where to POST", required=True),
        Setting("tessera.provider_channel.timeout", 10.0, float, "seconds to wait for the provider's answer"),
    ),
)


def includeme(config):
    """The channel is all this plugin adds."""


class ProviderChannel:
    name = "provider"
    concurrency = 50  # a remote provider: many requests in flight per worker process

    def __init__(self, url: str, timeout: float):
        self.url, self.timeout = url, timeout

    def address_of(self, recipient):
        return f"user:{recipient.user_id}" if recipient.user_id is not None else None

    def send(self, notification, recipient, address):
        body = json.dumps({"key": notification.idempotency_key, "address": address, "subject": notification.subject,
                           "schedule_id": notification.params.get("schedule_id"),
                           "start_time": notification.params.get("start_time")}).encode()
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json", "Idempotency-Key": notification.idempotency_key or "",
            "X-Worker-Pid": str(os.getpid())})  # which worker process sent it: the fault tests stop that one
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            detail = f"provider: HTTP {exc.code}"
            if exc.code in (408, 429) or exc.code >= 500:
                wait = exc.headers.get("Retry-After")
                return SendResult.retry_later(detail, retry_after=float(wait) if wait and wait.isdigit() else None)
            return SendResult.failed(detail)
        except OSError as exc:  # refused, reset, timed out
            return SendResult.retry_later(f"provider: {type(exc).__name__}: {exc}"[:300])
        return SendResult.sent("provider: accepted")


@hookimpl
def tessera_notification_channels(registry):
    settings = registry.settings
    return [ProviderChannel(settings["tessera.provider_channel.url"], settings["tessera.provider_channel.timeout"])]
