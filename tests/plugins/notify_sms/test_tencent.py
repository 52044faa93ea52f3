"""The tencent backend through the real SDK against a local stand-in for Tencent Cloud's SendSms API."""
import logging

import pytest
from sqlalchemy import select

from core.testing import Answer
from core.toolkit import ConfigurationError, Notification, Recipient, transaction_scope
from plugins.notify import SendLog
from tests.plugins.notify_sms.conftest import SECRET_ID, SECRET_KEY, tencent_settings
from tests.plugins.notify_sms.fake_tencent import error_answer, ok_answer, status_answer

URL = "/api/customer/schedules/notification/sms/send/"
GOOD = {"phone": "13800138000", "template_code": "SCHEDULE_REMINDER", "params": {"time": "2025-12-26 15:00", "title": "客户拜访"}}


def statuses(site):
    with transaction_scope(site.registry) as dbsession:
        return [(row.via, row.status, row.detail) for row in dbsession.scalars(select(SendLog).order_by(SendLog.id))]


def test_the_sdk_calls_sendsms_signed_with_our_app_sign_template_and_ordered_params(tencent_site, tencent):
    admin = tencent_site.create_user("boss", role="admin")

    response = tencent_site.post_json(URL, GOOD, headers=tencent_site.headers(admin))

    assert response.json["code"] == 2000
    assert response.json["data"]["success"] is True and response.json["data"]["backend"] == "tencent"
    (call,) = tencent.requests
    assert call.headers["X-TC-Action"] == "SendSms"
    assert call.headers["X-TC-Version"] == "2021-01-11"
    assert call.headers["Authorization"].startswith("TC3-HMAC-SHA256 Credential=")
    assert call.json == {"PhoneNumberSet": ["+8613800138000"], "SmsSdkAppId": "1400000001", "SignName": "泰塞拉科技",
                            "TemplateId": "2000001", "TemplateParamSet": ["客户拜访", "2025-12-26 15:00"]}
    assert statuses(tencent_site) == [("api", "sent", "tencent: sent (serial 2645:000001)")]


@pytest.mark.parametrize("answer, status, words", [
    (error_answer("FailedOperation.TemplateIncorrectOrUnapproved", "template not approved"), 422, "template not approved"),
    (status_answer("InvalidParameterValue.IncorrectPhoneNumber", "incorrect phone number"), 422, "incorrect phone number"),
    (error_answer("AuthFailure.SignatureFailure", "signature mismatch"), 422, "signature mismatch"),
    (status_answer("LimitExceeded.PhoneNumberThirtySecondLimit", "too many in 30 s"), 503, "too many in 30 s"),
    (error_answer("RequestLimitExceeded", "request limit"), 503, "request limit"),
    (error_answer("InternalError.Timeout", "backend timeout"), 503, "backend timeout"),
    (Answer(502, "<html>bad gateway</html>", content_type="text/html"), 503, "ServerNetworkError"),
])
def test_the_providers_answer_decides_between_permanent_and_transient(tencent_site, tencent, answer, status, words):
    admin = tencent_site.create_user("boss", role="admin")
    tencent.answers.append(answer)

    response = tencent_site.post_json(URL, GOOD, headers=tencent_site.headers(admin), status=status)

    body = response.json
    transient = status == 503
    assert body["code"] == 4000 and words in body["msg"]
    assert body["data"]["success"] is False and body["data"]["send_time"] is None
    assert response.headers.get("Retry-After") == ("60" if transient else None)
    assert [row[:2] for row in statuses(tencent_site)] == [("api", "retry" if transient else "failed")]


def test_success_permanent_and_transient_in_turn_reach_the_channel_as_send_results(tencent_site, tencent):
    channel = tencent_site.registry.tessera_channels["sms"]
    recipient = Recipient(name="张三", mobile="13800138000")
    notification = Notification(template="schedule_reminder", subject="日程提醒: 客户拜访", text="…",
                                params={"title": "客户拜访", "time": "2025-12-26 15:00", "location": "", "schedule_id": 7})
    tencent.answers += [ok_answer(), error_answer("FailedOperation.PhoneNumberInBlacklist", "blacklisted"),
                        error_answer("InternalError.SendAndRecvFail", "try again")]
    address = channel.address_of(recipient)

    results = [channel.send(notification, recipient, address) for _ in range(3)]

    assert address == "+8613800138000"
    assert [(r.ok, r.transient) for r in results] == [(True, False), (False, False), (False, True)]
    assert "blacklisted" in results[1].detail
    assert [call.json["TemplateParamSet"] for call in tencent.requests] == [["客户拜访", "2025-12-26 15:00"]] * 3
    assert [row[:2] for row in statuses(tencent_site)] == [("channel", "sent"), ("channel", "failed"), ("channel", "retry")]


def test_the_channel_refuses_what_it_cannot_send_without_calling_the_provider(tencent_site, tencent):
    channel = tencent_site.registry.tessera_channels["sms"]
    person = Recipient(name="李四", mobile="13900139000")

    unknown = channel.send(Notification(template="birthday", subject="s", text="t"), person, "+8613900139000")
    lacking = channel.send(Notification(template="schedule_reminder", subject="s", text="t", params={"title": "x"}),
                           person, "+8613900139000")

    assert (unknown.ok, unknown.transient, lacking.ok, lacking.transient) == (False, False, False, False)
    assert "time" in lacking.detail
    assert channel.address_of(Recipient(name="王五", mobile="010-12345678")) is None
    assert channel.address_of(Recipient(name="赵六")) is None
    assert tencent.requests == []


def test_an_unreachable_provider_is_a_transient_failure(make_site, tencent):
    tencent.__exit__()  # nothing listens on that port any more
    site = make_site(plugins=("notify", "notify_sms"), settings=tencent_settings(tencent.url))
    admin = site.create_user("boss", role="admin")

    response = site.post_json(URL, GOOD, headers=site.headers(admin), status=503)

    assert response.headers["Retry-After"] == "60"
    assert "ClientNetworkError" in response.json["msg"]


def test_secrets_appear_in_no_log_response_or_log_row(tencent_site, tencent, caplog):
    caplog.set_level(logging.DEBUG)
    admin = tencent_site.create_user("boss", role="admin")
    tencent.answers += [ok_answer(), error_answer("AuthFailure.SecretIdNotFound", "secret id not found")]

    texts = [tencent_site.post_json(URL, GOOD, headers=tencent_site.headers(admin), status="*").text for _ in range(2)]
    texts.append(repr(statuses(tencent_site)))

    assert len(tencent.requests) == 2 and "SendSms" in caplog.text  # the SDK's own debug lines were captured
    for text in texts + [caplog.text]:
        assert SECRET_KEY not in text and SECRET_ID not in text


def _config(make_site, environ=None, **settings):
    return make_site(plugins=("notify", "notify_sms"), settings=settings, environ=environ)


def test_tencent_without_credentials_stops_start_up_naming_what_is_missing(make_site):
    with pytest.raises(ConfigurationError) as error:
        _config(make_site, **{"tessera.notify_sms.backend": "tencent", "tessera.notify_sms.sdk_app_id": "1400000001",
                                 "tessera.notify_sms.templates": "SCHEDULE_REMINDER=1:title,time"})

    message = str(error.value)
    assert "tessera.notify_sms.secret_id" in message and "tessera.notify_sms.secret_key" in message
    assert "tessera.notify_sms.sign_name" in message and "sdk_app_id" not in message


def test_secrets_come_from_the_environment(make_site, tencent):
    settings = tencent_settings(tencent.url)
    del settings["tessera.notify_sms.secret_id"], settings["tessera.notify_sms.secret_key"]
    environ = {"TESSERA_NOTIFY_SMS_SECRET_ID": SECRET_ID, "TESSERA_NOTIFY_SMS_SECRET_KEY": SECRET_KEY}

    registry = _config(make_site, environ, **settings).registry

    assert registry.notify_sms_backend.name == "tencent"


def test_tencent_needs_a_template_id_for_every_code(make_site, tencent):
    settings = tencent_settings(tencent.url, **{"tessera.notify_sms.templates": "SCHEDULE_REMINDER=:title,time"})

    with pytest.raises(ConfigurationError, match="SCHEDULE_REMINDER"):
        _config(make_site, **settings)


@pytest.mark.parametrize("templates", ["SCHEDULE_REMINDER", "schedule_reminder=1:title", "A=1:x A=2:y", ""])
def test_a_malformed_template_map_stops_start_up(make_site, templates):
    with pytest.raises(ConfigurationError, match="tessera.notify_sms.templates"):
        _config(make_site, **{"tessera.notify_sms.templates": templates})


def test_the_idempotency_key_goes_as_session_context_on_every_attempt(tencent_site, tencent):
    channel = tencent_site.registry.tessera_channels["sms"]
    recipient = Recipient(name="张三", mobile="13800138000")
    notification = Notification(template="schedule_reminder", subject="日程提醒: 客户拜访", text="…",
                                params={"title": "客户拜访", "time": "2025-12-26 15:00"}, idempotency_key="rem-7:sms")
    tencent.answers += [error_answer("InternalError.SendAndRecvFail", "try again"), ok_answer()]

    results = [channel.send(notification, recipient, "+8613800138000") for _ in range(2)]

    assert [(r.ok, r.transient) for r in results] == [(False, True), (True, False)]
    assert [call.json["SessionContext"] for call in tencent.requests] == ["rem-7:sms", "rem-7:sms"]


def test_a_send_without_a_key_sends_no_session_context(tencent_site, tencent):
    admin = tencent_site.create_user("boss", role="admin")

    tencent_site.post_json(URL, GOOD, headers=tencent_site.headers(admin))

    assert "SessionContext" not in tencent.requests[0].json
