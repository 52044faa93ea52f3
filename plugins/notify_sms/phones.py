"""Which numbers we text, and which template parameters a message still lacks."""
from __future__ import annotations

import re
from typing import Any, Mapping

from plugins.notify_sms.settings import SmsTemplate

#: a mainland China mobile number (13800138000) or any E.164 number (+8613800138000)
PHONE_PATTERN = r"^(1[3-9][0-9]{9}|\+[1-9][0-9]{6,14})$"
PHONE_MESSAGE = "不是有效的手机号: 需为中国大陆手机号(如 13800138000)或 E.164 格式(如 +8613800138000)"
_PHONE = re.compile(PHONE_PATTERN)


def as_e164(phone: str | None) -> str | None:
    """The number in E.164 (mainland numbers get +86), or None when it is not a number we text."""
    phone = (phone or "").strip()
    if not _PHONE.match(phone):
        return None
    return phone if phone.startswith("+") else f"+86{phone}"


def missing_params(template: SmsTemplate, params: Mapping[str, Any]) -> list[str]:
    """The template's parameters that are absent, blank or not a plain text/number."""
    def usable(value: Any) -> bool:
        return isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value).strip() != ""

    return [name for name in template.params if not usable(params.get(name))]
