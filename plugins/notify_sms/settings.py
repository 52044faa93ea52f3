"""The SMS plugin's settings (``tessera.notify_sms.*``) and the template map they hold."""
from __future__ import annotations

import re
from dataclasses import dataclass

from core.toolkit import Setting, as_positive_int, one_of

_TEMPLATE_ENTRY = re.compile(r"^([A-Z][A-Z0-9_]*)=([0-9]*):(\w+(?:,\w+)*)?$")


@dataclass(frozen=True)
class SmsTemplate:
    """One of our template codes: the provider's template id and the parameters it takes, in order."""

    code: str
    provider_id: str
    params: tuple[str, ...]


def as_templates(value) -> dict[str, SmsTemplate]:
    """``SCHEDULE_REMINDER=123456:title,time OTHER=654321:code`` -> {code: SmsTemplate}."""
    templates: dict[str, SmsTemplate] = {}
    for entry in str(value or "").split():
        match = _TEMPLATE_ENTRY.match(entry)
        if not match:
            raise ValueError(f"{entry!r} is not CODE=TENCENT_TEMPLATE_ID:param,param (e.g. SCHEDULE_REMINDER=123456:title,time)")
        code, provider_id, params = match.groups()
        if code in templates:
            raise ValueError(f"template {code} is listed twice")
        templates[code] = SmsTemplate(code, provider_id, tuple(params.split(",")) if params else ())
    if not templates:
        raise ValueError("at least one template is needed (e.g. SCHEDULE_REMINDER=123456:title,time)")
    return templates


SETTINGS = (
    Setting("tessera.notify_sms.backend", "console", one_of("console", "tencent"),
            "console logs messages and keeps them in memory (development); tencent sends through Tencent Cloud SMS"),
    Setting("tessera.notify_sms.secret_id", None, str, "Tencent Cloud API SecretId (CAM)", secret=True),
    Setting("tessera.notify_sms.secret_key", None, str, "Tencent Cloud API SecretKey (CAM)", secret=True),
    Setting("tessera.notify_sms.sdk_app_id", None, str, "SmsSdkAppId of the SMS application (the spec's TENCENT_SMS_APP_ID)"),
    Setting("tessera.notify_sms.sign_name", None, str, "approved signature content (the spec's TENCENT_SMS_SIGN)"),
    Setting("tessera.notify_sms.region", "ap-guangzhou", str, "Tencent Cloud region of the SMS API"),
    Setting("tessera.notify_sms.endpoint", "sms.tencentcloudapi.com", str,
            "API host (HTTPS), or a full http://host:port URL for a local stand-in"),
    Setting("tessera.notify_sms.timeout", 10, as_positive_int, "seconds to wait for the provider"),
    Setting("tessera.notify_sms.templates", "SCHEDULE_REMINDER=:title,time", as_templates,
            "our template codes -> Tencent template id and parameter order: CODE=ID:param,param …"),
)
