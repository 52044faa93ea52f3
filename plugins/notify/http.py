"""Posting JSON to an HTTP provider and classifying its answer, for channels that speak HTTP.

A channel builds its payload and headers, calls ``post_json`` and, when the provider
says more in its body (``{"errcode": …}``), reads ``answer.json()``; the HTTP side of
the classification is the same for every provider:

==============================================  =============================================
what happened                                   ``answer.result``
==============================================  =============================================
2xx                                             ``sent``
408, 429, 5xx                                   ``retry_later`` (with ``Retry-After`` if given)
any other status (400, 401, 403, 404, 3xx…)     ``failed``
refused or reset connection, DNS, TLS, timeout  ``retry_later``
==============================================  =============================================

The URL is never part of a result's ``detail``: a robot's or a webhook's URL often
carries its key.
"""
from __future__ import annotations

import datetime as dt
import email.utils
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Mapping

from core.toolkit import SendResult

#: statuses that ask to be tried again later, besides every 5xx
RETRYABLE_STATUSES = frozenset({408, 429})
#: the most of a provider's answer that is read
ANSWER_LIMIT = 65536
_DETAIL_LIMIT = 300


@dataclass(frozen=True)
class JsonAnswer:
    """What the provider answered: ``status`` (None when no answer came), the body, and the classification."""

    status: int | None
    body: bytes
    result: SendResult

    def json(self) -> Any:
        """The body as JSON; ``ValueError`` when it is not JSON."""
        return json.loads(self.body)


def post_json(url: str, payload: Any, *, timeout: float, headers: Mapping[str, str] | None = None,
              label: str = "http") -> JsonAnswer:
    """POST ``payload`` as UTF-8 JSON to ``url``; never raises for what the network or the provider does.

    ``label`` starts every ``detail`` (``"dingtalk: HTTP 503 Service Unavailable"``).
    """
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return JsonAnswer(response.status, response.read(ANSWER_LIMIT),
                              SendResult.sent(f"{label}: HTTP {response.status}"))
    except urllib.error.HTTPError as exc:
        answer = exc.read(ANSWER_LIMIT) if exc.fp else b""
        return JsonAnswer(exc.code, answer, classify_status(exc.code, exc.reason, exc.headers, label))
    except (OSError, ValueError) as exc:  # refused, reset, unreachable, timed out, TLS; a malformed answer
        reason = getattr(exc, "reason", None) or exc
        return JsonAnswer(None, b"", SendResult.retry_later(f"{label}: {type(exc).__name__}: {reason}"[:_DETAIL_LIMIT]))


def classify_status(status: int, reason: str, headers: Mapping[str, str] | None, label: str) -> SendResult:
    """An HTTP error status as a result: 408, 429 and 5xx are transient, the rest permanent."""
    detail = f"{label}: HTTP {status} {reason}"[:_DETAIL_LIMIT]
    if status in RETRYABLE_STATUSES or 500 <= status < 600:
        return SendResult.retry_later(detail, retry_after=retry_after_seconds((headers or {}).get("Retry-After")))
    return SendResult.failed(detail)


def retry_after_seconds(value: str | None, now: dt.datetime | None = None) -> float | None:
    """A ``Retry-After`` header (seconds, or an HTTP date) as seconds from ``now``; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # HTTP dates are GMT
        when = when.replace(tzinfo=dt.timezone.utc)
    return max(0.0, (when - (now or dt.datetime.now(dt.timezone.utc))).total_seconds())
