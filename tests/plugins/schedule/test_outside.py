"""Reminders to people who are not site users are a capability: the cap, the permission, the limits, the log.

The open relay this closes: a ``finance`` user, refused by both send endpoints, created a schedule
with 50 outside participants and ``reminder_method`` ``email,sms``, and the worker sent them all.
"""
import pytest
from sqlalchemy import func, select

from core.testing import shanghai
from plugins.notify import SendLog
from plugins.schedule.models import Schedule
from plugins.schedule.reminders.dispatch import dispatch_due

SCHEDULES = "/api/customer/schedules/"
PLUGINS = ("schedule", "notify", "notify_sms", "notify_email")
GRANT = "tessera.permission.schedule.remind_external"


@pytest.fixture
def site_settings():
    return {}  # the site's defaults, not the grant the other schedule tests model


def outsiders(count):
    return [{"name": f"客户{i}", "email": f"c{i}@example.com", "phone": f"+852912345{i:02d}"} for i in range(count)]


def body(**fields):
    values = {"title": "对账", "schedule_type": "meeting", "start_time": shanghai(2025, 12, 26, 10, 40).isoformat(),
              "reminder_time": 30, "reminder_method": "email,sms", "allow_conflict": True}
    values.update(fields)
    return values


def schedules(site):
    with site.transaction() as dbsession:
        return dbsession.scalar(select(func.count()).select_from(Schedule))


def send_log(site):
    with site.transaction() as dbsession:
        return [(row.channel, row.recipient, row.requested_by_name, row.outside, row.status)
                for row in dbsession.scalars(select(SendLog).order_by(SendLog.id))]


def test_a_finance_user_without_the_permission_cannot_make_the_site_email_or_sms_outsiders(make_site):
    site = make_site(plugins=PLUGINS)
    _, _, headers = site.user_with_token("fin", role="finance", email="fin@example.com")

    refused = site.post_json(SCHEDULES, body(participants=outsiders(50)), headers=headers, status=403)
    own = site.post_json(SCHEDULES, body(), headers=headers).json["data"]
    patched = site.patch_json(f"{SCHEDULES}{own['id']}/", {"participants": outsiders(1)}, headers=headers, status=403)
    leads = site.patch_json(f"{SCHEDULES}{own['id']}/", {"participants": outsiders(1), "reminder_method": "system",
                                                         "reminder_leads": [{"minutes": 30, "method": "system"},
                                                                            {"minutes": 60, "method": "email"}]},
                            headers=headers, status=403)

    for answer in (refused, patched, leads):
        assert answer.json["code"] == 4003 and "schedule.remind_external" in answer.json["msg"]
        assert list(answer.json["data"]) == ["participants"]
    assert schedules(site) == 1  # only its own, without outsiders
    assert site.get(f"{SCHEDULES}{own['id']}/", headers=headers).json["data"]["participants"] == []


def test_without_the_permission_participants_may_still_be_listed_and_reminded_in_the_inbox_only(make_site):
    site = make_site(plugins=PLUGINS)
    _, _, headers = site.user_with_token("fin", role="finance")
    colleague = site.create_user("colleague", email="colleague@example.com")

    site.post_json(SCHEDULES, body(participants=outsiders(3), reminder_method="system"), headers=headers)
    site.post_json(SCHEDULES, body(participants=[{"user_id": colleague.id}]), headers=headers)
    site.post_json(SCHEDULES, body(participants=outsiders(3), reminder_enabled=False), headers=headers)

    assert schedules(site) == 3


def test_the_ini_grants_the_permission_per_role(make_site):
    site = make_site(plugins=PLUGINS, settings={GRANT: "finance"})
    _, _, headers = site.user_with_token("fin", role="finance")
    _, _, other = site.user_with_token("eng", role="engineer")

    site.post_json(SCHEDULES, body(participants=outsiders(2)), headers=headers)
    site.post_json(SCHEDULES, body(participants=outsiders(2)), headers=other, status=403)

    assert site.registry.tessera_permissions["schedule.remind_external"] == {"admin", "finance"}


def test_participants_are_capped_by_a_setting_naming_the_field(make_site):
    site = make_site(plugins=PLUGINS)
    _, _, headers = site.user_with_token("boss", role="admin")
    small = make_site(plugins=PLUGINS, settings={"tessera.schedule.max_participants": "3"})

    site.post_json(SCHEDULES, body(participants=outsiders(100)), headers=headers)
    too_many = site.post_json(SCHEDULES, body(participants=outsiders(101)), headers=headers, status=400)
    over_the_site_cap = small.post_json(SCHEDULES, body(participants=outsiders(4)), headers=headers, status=400)

    for answer in (too_many, over_the_site_cap):
        assert answer.json["code"] == 4001 and "participants" in answer.json["data"]
    assert schedules(site) == 1


def test_outsiders_are_skipped_at_send_time_when_the_organiser_has_lost_the_permission(make_site, clock):
    granted = make_site(plugins=PLUGINS, settings={GRANT: "finance"})
    _, _, headers = granted.user_with_token("fin", role="finance", email="fin@example.com")
    created = granted.post_json(SCHEDULES, body(participants=outsiders(2), reminder_method="email"), headers=headers)
    revoked = make_site(plugins=PLUGINS)  # the same database, the permission taken away

    clock.set(shanghai(2025, 12, 26, 10, 10))
    dispatch_due(revoked.registry)

    sent = [message["To"].addresses[0].addr_spec for message in revoked.registry.notify_email_backend.outbox]
    assert sent == ["fin@example.com"]
    (reminder,) = revoked.get(f"{SCHEDULES}{created.json['data']['id']}/", headers=headers).json["data"]["reminders"]
    assert reminder["is_sent"] is True
    assert reminder["send_result"].count("skipped（组织者没有 schedule.remind_external 权限") == 2
    assert send_log(revoked) == [("email", "fin@example.com", "fin", False, "sent")]


def test_reminders_to_outsiders_are_logged_for_the_organiser_and_count_against_the_limits(make_site, clock):
    site = make_site(plugins=PLUGINS, settings={GRANT: "finance", "tessera.notify.rate_limit_per_minute": "2",
                                                "tessera.notify.daily_quota": "3"})
    _, _, headers = site.user_with_token("fin", role="finance", email="fin@example.com")
    created = site.post_json(SCHEDULES, body(participants=outsiders(3), reminder_method="email"), headers=headers)
    detail = f"{SCHEDULES}{created.json['data']['id']}/"

    clock.set(shanghai(2025, 12, 26, 10, 10))
    first = dispatch_due(site.registry)  # the organiser's own e-mail, and two of three outsiders (2 a minute)
    (waiting,) = site.get(detail, headers=headers).json["data"]["reminders"]
    clock.advance(minutes=1)
    second = dispatch_due(site.registry)  # the third outsider: the pace allows it, the quota has 1 left

    assert (first.retrying, second.sent) == (1, 1)
    assert sorted(send_log(site)) == [("email", "c0@example.com", "fin", True, "sent"),
                                      ("email", "c1@example.com", "fin", True, "sent"),
                                      ("email", "c2@example.com", "fin", True, "sent"),
                                      ("email", "fin@example.com", "fin", False, "sent")]
    assert "1 分钟后重试" in waiting["send_result"] and "retry（未发送: 发送过于频繁: 每分钟最多 2 条" in waiting["send_result"]

    # the day's quota of 3 outside sends is used up: the next reminder to an outsider is skipped with the reason
    site.post_json(SCHEDULES, body(title="复核", participants=outsiders(1), reminder_method="email",
                                   start_time=shanghai(2025, 12, 26, 11, 40).isoformat()), headers=headers)
    clock.set(shanghai(2025, 12, 26, 11, 10))
    third = dispatch_due(site.registry)

    assert third.sent == 1  # the organiser's own
    with site.transaction() as dbsession:
        results = dbsession.scalars(select(Schedule).where(Schedule.title == "复核")).one()
    (reminder,) = site.get(f"{SCHEDULES}{results.id}/", headers=headers).json["data"]["reminders"]
    assert "c0@example.com>: skipped（未发送: 本站今日向站外发送的额度（3 条）已用完" in reminder["send_result"]


def test_the_send_endpoints_share_the_daily_quota(make_site):
    site = make_site(plugins=PLUGINS, settings={"tessera.notify.daily_quota": "1"})
    _, _, headers = site.user_with_token("boss", role="admin")
    email = {"to": "user@example.com", "subject": "s", "content": "c"}

    site.post_json("/api/customer/schedules/notification/email/send/", email, headers=headers)
    refused = site.post_json("/api/customer/schedules/notification/email/send/", email, headers=headers, status=429)

    assert refused.json["data"] == {"daily_quota": 1, "retry_after": 50400}  # 10:00 in Shanghai: 14 h to midnight
    assert refused.headers["Retry-After"] == "50400"
