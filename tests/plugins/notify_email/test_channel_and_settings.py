"""The ``email`` channel the reminder engine uses, the SMTP login, and the start-up checks of the settings."""
import dataclasses
import hashlib
import logging

import pytest
from sqlalchemy import select

from core.toolkit import ConfigurationError, Notification, Recipient, transaction_scope
from plugins.notify import SendLog
from tests.plugins.notify_email.conftest import SMTP_PASSWORD, smtp_settings

# the test server takes a login over plain SMTP (no certificates in tests); aiosmtpd warns about that
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

REMINDER = Notification(
    template="schedule_reminder", subject="日程提醒: 开庭", text="您的日程「开庭」将于 2025-12-27 09:30 开始。",
    params={"title": "开庭 <第二次>", "time": "2025-12-27 09:30", "location": "朝阳法院 3 号庭", "description": "",
            "schedule_id": 3, "start_time": "2025-12-27T09:30:00+08:00"})
PERSON = Recipient(name="张律师", email="zhang@example.com")


def channel_rows(site):
    with transaction_scope(site.registry) as dbsession:
        return [(row.via, row.requested_by, row.recipient, row.template, row.status)
                for row in dbsession.scalars(select(SendLog).order_by(SendLog.id))]


def test_a_reminder_arrives_with_the_schedule_details_and_the_recipients_name(smtp_site, smtp):
    channel = smtp_site.registry.tessera_channels["email"]

    result = channel.send(REMINDER, PERSON, channel.address_of(PERSON))

    assert result.ok and result.detail == "smtp: accepted by 127.0.0.1"
    (message,) = smtp.messages
    assert message["To"].addresses[0].display_name == "张律师"
    assert message["Subject"] == "日程提醒: 开庭"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "张律师，您好" in text and "时间：2025-12-27 09:30" in text and "地点：朝阳法院 3 号庭" in text
    assert "说明" not in text  # empty values are left out
    assert "开庭 &lt;第二次&gt;" in html
    assert channel_rows(smtp_site) == [("channel", None, "zhang@example.com", "schedule_reminder", "sent")]


def test_the_channel_answers_transient_and_permanent_smtp_refusals(smtp_site, smtp):
    channel = smtp_site.registry.tessera_channels["email"]
    smtp.replies.update({"later@example.com": "421 4.7.0 try again later", "gone@example.com": "550 5.1.1 no such user"})

    later = channel.send(REMINDER, PERSON, "later@example.com")
    gone = channel.send(REMINDER, PERSON, "gone@example.com")

    assert (later.ok, later.transient, gone.ok, gone.transient) == (False, True, False, False)
    assert "no such user" in gone.detail
    assert [row[4] for row in channel_rows(smtp_site)] == ["retry", "failed"]


def test_an_unknown_template_falls_back_to_the_generic_one_and_addresses_are_checked(smtp_site, smtp):
    channel = smtp_site.registry.tessera_channels["email"]

    channel.send(Notification(template="birthday", subject="生日快乐", text="祝您生日快乐"), PERSON, "zhang@example.com")

    assert "祝您生日快乐" in smtp.messages[0].get_body(preferencelist=("plain",)).get_content()
    assert channel_rows(smtp_site)[0][3] == "generic"
    assert channel.address_of(Recipient(name="x", email="not an address")) is None
    assert channel.address_of(Recipient(name="x")) is None


def test_the_smtp_login_uses_the_password_and_never_logs_it(make_site, smtp_with_login, caplog):
    caplog.set_level(logging.DEBUG)
    site = make_site(plugins=("notify", "notify_email"), settings=smtp_settings(
        smtp_with_login.port, **{"tessera.notify_email.authenticate": "true", "tessera.notify_email.user": "mailer",
                                 "tessera.notify_email.password": SMTP_PASSWORD}))
    admin = site.create_user("boss", role="admin")

    response = site.post_json("/api/customer/schedules/notification/email/send/",
                              {"to": "user@example.com", "subject": "s", "content": "c"}, headers=site.headers(admin))

    assert smtp_with_login.logins == [(b"mailer", SMTP_PASSWORD.encode())]
    assert len(smtp_with_login.envelopes) == 1
    assert SMTP_PASSWORD not in caplog.text and SMTP_PASSWORD not in response.text


def test_a_wrong_password_is_a_permanent_failure(make_site, smtp_with_login):
    site = make_site(plugins=("notify", "notify_email"), settings=smtp_settings(
        smtp_with_login.port, **{"tessera.notify_email.authenticate": "true", "tessera.notify_email.user": "mailer",
                                 "tessera.notify_email.password": "wrong"}))
    channel = site.registry.tessera_channels["email"]

    result = channel.send(REMINDER, PERSON, "zhang@example.com")

    assert (result.ok, result.transient) == (False, False) and "535" in result.detail
    assert smtp_with_login.envelopes == []


def _config(make_site, environ=None, **settings):
    return make_site(plugins=("notify", "notify_email"), settings=settings, environ=environ)


def test_smtp_without_credentials_stops_start_up_naming_what_is_missing(make_site):
    with pytest.raises(ConfigurationError) as error:
        _config(make_site, **{"tessera.notify_email.backend": "smtp", "tessera.notify_email.host": "smtp.example.com"})

    message = str(error.value)
    for key in ("from_address", "user", "password"):
        assert f"tessera.notify_email.{key}" in message
    assert "tessera.notify_email.host" not in message


def test_the_password_may_come_from_the_environment(make_site):
    settings = smtp_settings(2525, **{"tessera.notify_email.authenticate": "true", "tessera.notify_email.user": "mailer"})

    registry = _config(make_site, {"TESSERA_NOTIFY_EMAIL_PASSWORD": SMTP_PASSWORD}, **settings).registry

    assert registry.notify_email_backend.name == "smtp"


@pytest.mark.parametrize("settings, words", [
    ({"tessera.notify_email.from_address": "not an address"}, "tessera.notify_email.from_address"),
    ({"tessera.notify_email.security": "tls"}, "tessera.notify_email.security"),
    ({"tessera.notify_email.backend": "sendmail"}, "tessera.notify_email.backend"),
])
def test_malformed_settings_stop_start_up(make_site, settings, words):
    with pytest.raises(ConfigurationError, match=words):
        _config(make_site, **smtp_settings(2525, **settings))


def test_the_idempotency_key_is_the_message_id_of_every_attempt(smtp_site, smtp):
    channel = smtp_site.registry.tessera_channels["email"]
    keyed = dataclasses.replace(REMINDER, idempotency_key="rem-42.occ-20251227T0130Z.email")
    smtp.replies["zhang@example.com"] = "451 4.3.0 try again later"

    first = channel.send(keyed, PERSON, "zhang@example.com")
    del smtp.replies["zhang@example.com"]
    # the provider accepted but its answer was lost: the engine sends again, the receiver sees the same id
    accepted = [channel.send(keyed, PERSON, "zhang@example.com") for _ in range(2)]

    assert first.transient and all(result.ok for result in accepted)
    assert [m["Message-ID"] for m in smtp.messages] == ["<rem-42.occ-20251227T0130Z.email@example.com>"] * 2
    with transaction_scope(smtp_site.registry) as dbsession:
        keys = dbsession.scalars(select(SendLog.idempotency_key).order_by(SendLog.id)).all()
    assert keys == ["rem-42.occ-20251227T0130Z.email"] * 3


def test_a_key_that_cannot_stand_in_a_message_id_is_hashed_and_no_key_means_a_fresh_id(smtp_site, smtp):
    channel = smtp_site.registry.tessera_channels["email"]
    odd = dataclasses.replace(REMINDER, idempotency_key="rem 42/<x>@y")

    for notification in (odd, odd, REMINDER, REMINDER):
        assert channel.send(notification, PERSON, "zhang@example.com").ok

    ids = [m["Message-ID"] for m in smtp.messages]
    assert ids[0] == ids[1] == f"<{hashlib.sha256(b'rem 42/<x>@y').hexdigest()}@example.com>"
    assert len({ids[1], ids[2], ids[3]}) == 3
