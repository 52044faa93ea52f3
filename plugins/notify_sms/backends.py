"""Where an SMS goes: the console (development) or Tencent Cloud SMS.

A backend's ``send(phone, template, params, session_context)`` takes a validated
E.164 number, one of our templates, its parameters and an optional session context
(a reminder's idempotency key, which Tencent hands back unchanged in its answers and
delivery receipts), and answers a ``SendResult``; it never raises for a provider's
refusal and never puts a secret in a result or a log.
"""
from __future__ import annotations

import collections
import logging
import re
from typing import Mapping
from urllib.parse import urlsplit

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models, sms_client

from core.toolkit import ConfigurationError, SendResult
from plugins.notify import CONSOLE_BACKEND
from plugins.notify_sms.settings import SmsTemplate

log = logging.getLogger(__name__)

# Tencent's codes for "not now": the request, network or provider limits, and its own hiccups.
_TRANSIENT_CODES = {"ClientNetworkError", "ServerNetworkError", "RequestLimitExceeded"}
_TRANSIENT_PREFIXES = ("LimitExceeded.", "InternalError.", "RequestLimitExceeded.")
_DETAIL_LIMIT = 300


def classify_tencent(code: str, message: str) -> SendResult:
    """A Tencent error code as a result: limits, timeouts and server faults are transient, the rest permanent."""
    detail = f"tencent: {code}: {message}"[:_DETAIL_LIMIT]
    if code in _TRANSIENT_CODES or code.startswith(_TRANSIENT_PREFIXES):
        return SendResult.retry_later(detail)
    return SendResult.failed(detail)


class ConsoleBackend:
    """Logs each message and keeps the latest in ``outbox``; nothing leaves the machine."""

    name = CONSOLE_BACKEND

    def __init__(self):
        self.outbox: collections.deque[dict] = collections.deque(maxlen=200)

    def send(self, phone: str, template: SmsTemplate, params: Mapping[str, str],
             session_context: str | None = None) -> SendResult:
        message = {"phone": phone, "template_code": template.code, "params": dict(params),
                   "session_context": session_context}
        self.outbox.append(message)
        log.info("console SMS (not sent) to %s, template %s: %s", phone, template.code, message["params"])
        return SendResult.sent("console: logged, not sent")


class TencentBackend:
    """Tencent Cloud SMS through the official SDK's SendSms (API version 2021-01-11)."""

    name = "tencent"

    def __init__(self, secret_id: str, secret_key: str, sdk_app_id: str, sign_name: str, region: str,
                 endpoint: str, timeout: int):
        self._credential = credential.Credential(secret_id, secret_key)
        self.sdk_app_id, self.sign_name, self.region, self.timeout = sdk_app_id, sign_name, region, timeout
        parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
        self.protocol, self.endpoint = parts.scheme, parts.netloc

    def send(self, phone: str, template: SmsTemplate, params: Mapping[str, str],
             session_context: str | None = None) -> SendResult:
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [phone]
        request.SmsSdkAppId = self.sdk_app_id
        request.SignName = self.sign_name
        request.TemplateId = template.provider_id
        request.TemplateParamSet = [str(params[name]) for name in template.params]
        if session_context:
            request.SessionContext = session_context
        # a client per send: the SDK's HTTP session is not documented as thread-safe
        profile = ClientProfile(httpProfile=HttpProfile(protocol=self.protocol, endpoint=self.endpoint,
                                                        reqTimeout=self.timeout))
        try:
            response = sms_client.SmsClient(self._credential, self.region, profile).SendSms(request)
        except TencentCloudSDKException as exc:
            return classify_tencent(str(exc.code), _text(exc.message))
        status = (response.SendStatusSet or [None])[0]
        if status is None:
            return SendResult.retry_later(f"tencent: no send status in the answer (request {response.RequestId})")
        if status.Code == "Ok":
            return SendResult.sent(f"tencent: sent (serial {status.SerialNo})")
        return classify_tencent(status.Code, status.Message or "")


def _text(message) -> str:
    return message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message or "")


_REQUIRED_FOR_TENCENT = ("secret_id", "secret_key", "sdk_app_id", "sign_name")


def make_backend(settings: Mapping) -> ConsoleBackend | TencentBackend:
    """The backend the ini chooses; a tencent backend without credentials or template ids stops start-up."""
    def value(name):
        return settings[f"tessera.notify_sms.{name}"]

    if value("backend") == "console":
        return ConsoleBackend()
    problems = []
    missing = [f"tessera.notify_sms.{name}" for name in _REQUIRED_FOR_TENCENT if not value(name)]
    if missing:
        problems.append(", ".join(missing) + " (or their environment variables, e.g. TESSERA_NOTIFY_SMS_SECRET_KEY)")
    unmapped = [code for code, template in value("templates").items() if not template.provider_id]
    if unmapped:
        problems.append("the Tencent template id of " + ", ".join(unmapped) + " in tessera.notify_sms.templates "
                        "(CODE=TEMPLATE_ID:param,param, e.g. SCHEDULE_REMINDER=123456:title,time)")
    if problems:
        raise ConfigurationError("tessera.notify_sms.backend = tencent needs " + "; and ".join(problems)
                                 + ". See docs/notifications.md.")
    return TencentBackend(value("secret_id"), value("secret_key"), value("sdk_app_id"), value("sign_name"),
                          value("region"), value("endpoint"), value("timeout"))


class RedactAuthorization(logging.Filter):
    """The Tencent SDK logs its requests at DEBUG with the Authorization header, which names the SecretId."""

    _HEADER = re.compile(r"(Authorization:\s*)[^\n]*", re.IGNORECASE)

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if "uthorization" in text:
            record.msg, record.args = self._HEADER.sub(r"\1[redacted]", text), ()
        return True


def redact_sdk_logs() -> None:
    sdk_logger = logging.getLogger("tencentcloud_sdk_common")
    if not any(isinstance(f, RedactAuthorization) for f in sdk_logger.filters):
        sdk_logger.addFilter(RedactAuthorization())
