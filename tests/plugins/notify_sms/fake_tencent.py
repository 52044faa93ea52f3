"""Tencent Cloud's SendSms answers, for the testing kit's JSON server to play to the real SDK."""
from __future__ import annotations

from core.testing import Answer


def ok_answer(phone: str = "+8613800138000") -> Answer:
    return Answer(200, {"Response": {"RequestId": "req-ok", "SendStatusSet": [{
        "SerialNo": "2645:000001", "PhoneNumber": phone, "Fee": 1, "SessionContext": "",
        "Code": "Ok", "Message": "send success", "IsoCode": "CN"}]}})


def error_answer(code: str, message: str) -> Answer:
    """An API-level error: the whole request was refused."""
    return Answer(200, {"Response": {"RequestId": "req-err", "Error": {"Code": code, "Message": message}}})


def status_answer(code: str, message: str, phone: str = "+8613800138000") -> Answer:
    """The request went through but this number's message was refused."""
    return Answer(200, {"Response": {"RequestId": "req-status", "SendStatusSet": [{
        "SerialNo": "", "PhoneNumber": phone, "Fee": 0, "SessionContext": "", "Code": code,
        "Message": message, "IsoCode": "CN"}]}})
