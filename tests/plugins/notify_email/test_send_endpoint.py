"""POST /api/customer/schedules/notification/email/send/: who may send, what is valid, how often, what arrives."""
import pytest
from sqlalchemy import select

from core.toolkit import transaction_scope
from plugins.notify import SendLog
from tests.plugins.notify_email.conftest import smtp_settings

URL = "/api/customer/schedules/notification/email/send/"
GOOD = {"to": "user@example.com", "subject": "日程提醒: 客户拜访", "content": "您有一个日程即将开始...",
        "template": "schedule_reminder"}


def log_rows(site):
    with transaction_scope(site.registry) as dbsession:
        return [(row.requested_by_name, row.via, row.recipient, row.template, row.backend, row.status)
                for row in dbsession.scalars(select(SendLog).order_by(SendLog.id))]


def test_a_sent_email_arrives_as_utf8_multipart_with_both_parts(smtp_site, smtp):
    admin = smtp_site.create_user("boss", role="admin")

    response = smtp_site.post_json(URL, dict(GOOD, content="请带上<合同>与报价单 & 名片"), headers=smtp_site.headers(admin))

    assert response.json["code"] == 2000
    assert response.json["msg"] == "邮件发送成功"
    assert response.json["data"] == {"success": True, "message": "邮件发送成功", "to": "user@example.com",
                                     "subject": "日程提醒: 客户拜访", "backend": "smtp"}
    (envelope,) = smtp.envelopes
    assert envelope.mail_from == "noreply@example.com" and envelope.rcpt_tos == ["user@example.com"]
    raw_headers = envelope.content.split(b"\r\n\r\n", 1)[0]
    assert b"=?utf-8?" in raw_headers.lower()  # non-ASCII headers are RFC 2047 encoded, never raw bytes
    assert raw_headers.isascii()
    (message,) = smtp.messages
    assert message["Subject"] == "日程提醒: 客户拜访"
    assert message["From"].addresses[0].display_name == "Tessera 日程"
    assert message["From"].addresses[0].addr_spec == "noreply@example.com"
    assert message["To"].addresses[0].addr_spec == "user@example.com"
    assert message["Date"].datetime.isoformat() == "2025-12-26T02:00:00+00:00"
    assert message["Message-ID"].endswith("@example.com>")
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "请带上<合同>与报价单 & 名片" in text
    assert "请带上&lt;合同&gt;与报价单 &amp; 名片" in html and "<合同>" not in html
    assert log_rows(smtp_site) == [("boss", "api", "user@example.com", "schedule_reminder", "smtp", "sent")]


def test_without_a_template_the_generic_one_is_used_and_the_path_needs_no_slash(smtp_site, smtp):
    admin = smtp_site.create_user("boss", role="admin")
    body = {key: value for key, value in GOOD.items() if key != "template"}

    smtp_site.post_json(URL.rstrip("/"), body, headers=smtp_site.headers(admin))

    (message,) = smtp.messages
    assert "您有一个日程即将开始..." in message.get_body(preferencelist=("plain",)).get_content()
    assert log_rows(smtp_site)[0][3] == "generic"


@pytest.mark.parametrize("recipient, reply, status", [
    ("gone@example.com", "550 5.1.1 mailbox unknown", 422),
    ("full@example.com", "452 4.2.2 mailbox full, try later", 503),
])
def test_smtp_5xx_is_permanent_and_4xx_transient(smtp_site, smtp, recipient, reply, status):
    admin = smtp_site.create_user("boss", role="admin")
    smtp.replies[recipient] = reply

    response = smtp_site.post_json(URL, dict(GOOD, to=recipient), headers=smtp_site.headers(admin), status=status)

    assert response.json["code"] == 4000
    assert reply.split(" ", 2)[2] in response.json["msg"]
    assert response.json["data"]["success"] is False
    assert response.headers.get("Retry-After") == ("60" if status == 503 else None)
    assert smtp.envelopes == []
    assert [row[5] for row in log_rows(smtp_site)] == ["failed" if status == 422 else "retry"]


def test_a_server_that_cannot_be_reached_is_transient(make_site, smtp):
    site = make_site(plugins=("notify", "notify_email"), settings=smtp_settings(smtp.port + 1 if smtp.port < 65535 else 1))
    admin = site.create_user("boss", role="admin")

    response = site.post_json(URL, GOOD, headers=site.headers(admin), status=503)

    assert "connection failed" in response.json["msg"]


def test_starttls_against_a_server_without_it_is_a_permanent_configuration_error(make_site, smtp):
    site = make_site(plugins=("notify", "notify_email"), settings=smtp_settings(smtp.port, **{"tessera.notify_email.security": "starttls"}))
    admin = site.create_user("boss", role="admin")

    response = site.post_json(URL, GOOD, headers=site.headers(admin), status=422)

    assert "STARTTLS" in response.json["msg"]
    assert smtp.envelopes == []


def test_without_a_token_401_and_with_another_role_403(smtp_site, smtp):
    engineer = smtp_site.create_user("eng", role="engineer")

    assert smtp_site.post_json(URL, GOOD, status=401).json["code"] == 401
    assert smtp_site.post_json(URL, GOOD, headers=smtp_site.headers(engineer), status=403).json["code"] == 4003
    assert smtp.envelopes == [] and log_rows(smtp_site) == []


@pytest.mark.parametrize("change, field", [
    ({"to": "not-an-address"}, "to"),
    ({"to": "two@example.com, three@example.com"}, "to"),
    ({"to": None}, "to"),
    ({"subject": ""}, "subject"),
    ({"subject": "hi\r\nBcc: victim@example.com"}, "subject"),
    ({"subject": "\x0c0"}, "subject"),  # the e-mail package breaks header lines on form feeds too
    ({"subject": "a\u2028b"}, "subject"),
    ({"subject": "长" * 201}, "subject"),
    ({"content": None}, "content"),
    ({"template": "no_such_template"}, "template"),
])
def test_invalid_input_is_4001_naming_the_field_and_nothing_is_sent_or_logged(smtp_site, smtp, change, field):
    admin = smtp_site.create_user("boss", role="admin")
    body = {key: value for key, value in dict(GOOD, **change).items() if value is not None}

    response = smtp_site.post_json(URL, body, headers=smtp_site.headers(admin), status=400)

    assert response.json["code"] == 4001
    assert field in response.json["data"]
    assert smtp.envelopes == [] and log_rows(smtp_site) == []


def test_the_rate_limit_answers_429_with_retry_after_and_refused_requests_do_not_count(make_site, clock):
    site = make_site(plugins=("notify", "notify_email"), settings={"tessera.notify.rate_limit_per_minute": "2"})
    admin = site.create_user("boss", role="admin")
    headers = site.headers(admin)
    site.post_json(URL, GOOD, headers=headers)
    site.post_json(URL, dict(GOOD, to="bad"), headers=headers, status=400)
    clock.advance(seconds=15)
    site.post_json(URL, GOOD, headers=headers)

    refused = site.post_json(URL, GOOD, headers=headers, status=429)

    assert refused.headers["Retry-After"] == "45"
    assert len(site.registry.notify_email_backend.outbox) == 2 and len(log_rows(site)) == 2
    clock.advance(seconds=45)
    site.post_json(URL, GOOD, headers=headers)


@pytest.mark.plugins("notify", "notify_email")
def test_the_console_backend_keeps_the_message_and_says_it_was_not_sent(site):
    admin = site.create_user("boss", role="admin")

    response = site.post_json(URL, GOOD, headers=site.headers(admin))

    assert "console" in response.json["msg"] and response.json["data"]["backend"] == "console"
    (message,) = site.registry.notify_email_backend.outbox
    assert message["To"] == "user@example.com" and message["Subject"] == GOOD["subject"]
    assert log_rows(site) == [("boss", "api", "user@example.com", "schedule_reminder", "console", "sent")]


@pytest.mark.plugins("schedule", "notify", "notify_sms")
def test_when_not_enabled_the_endpoint_is_404_and_there_is_no_email_channel(site):
    admin = site.create_user("boss", role="admin")

    site.post_json(URL, GOOD, headers=site.headers(admin), status=404)

    assert "email" not in site.registry.tessera_channels
