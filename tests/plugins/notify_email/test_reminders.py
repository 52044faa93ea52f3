"""Schedule reminders by e-mail: the reminder engine, the email channel and a real SMTP server."""
from sqlalchemy import select

from core.testing import shanghai
from plugins.notify import SendLog
from tests.plugins.notify_email.conftest import smtp_settings


def test_a_reminder_arrives_by_email_rendered_from_the_schedule_reminder_template(make_site, clock, smtp):
    site = make_site(plugins=("schedule", "notify", "notify_email"), settings=smtp_settings(smtp.port))
    owner = site.create_user("lawyer", name="王律师", email="lawyer@example.com")
    site.post_json("/api/customer/schedules/", {
        "title": "与客户A洽谈合同", "schedule_type": "meeting", "start_time": shanghai(2025, 12, 26, 10, 40).isoformat(),
        "reminder_time": 30, "reminder_method": "email", "location": "会议室 <A>", "allow_conflict": True},
        headers=site.headers(owner))

    clock.set(shanghai(2025, 12, 26, 10, 10))
    site.run_periodic_tasks()

    (message,) = smtp.messages
    assert message["To"].addresses[0].addr_spec == "lawyer@example.com"
    assert message["Subject"] == "日程提醒: 与客户A洽谈合同"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "王律师，您好" in text and "时间：2025-12-26 10:40" in text and "地点：会议室 <A>" in text
    assert "会议室 &lt;A&gt;" in html


def test_a_retried_reminder_has_the_message_id_of_its_first_attempt(make_site, clock, smtp):
    site = make_site(plugins=("schedule", "notify", "notify_email"), settings=smtp_settings(smtp.port))
    owner = site.create_user("lawyer", email="lawyer@example.com")
    site.post_json("/api/customer/schedules/", {
        "title": "开庭", "schedule_type": "court", "start_time": shanghai(2025, 12, 26, 10, 40).isoformat(),
        "reminder_time": 30, "reminder_method": "email", "allow_conflict": True}, headers=site.headers(owner))

    clock.set(shanghai(2025, 12, 26, 10, 10))
    smtp.replies["lawyer@example.com"] = "451 4.3.0 mailbox busy"  # the server accepted nothing yet
    site.run_periodic_tasks()
    assert smtp.messages == []
    with site.transaction() as dbsession:
        (key,) = dbsession.scalars(select(SendLog.idempotency_key)).all()  # the refused attempt's, the reminder's
    del smtp.replies["lawyer@example.com"]
    clock.advance(minutes=5)
    site.run_periodic_tasks()

    (message,) = smtp.messages
    assert message["Message-ID"] == f"<{key}@example.com>"
    with site.transaction() as dbsession:
        logged = dbsession.scalars(select(SendLog.idempotency_key).order_by(SendLog.id)).all()
    assert logged == [key, key]  # the refused attempt and the accepted one: one message
