"""The notify base plugin as sites meet it: required by the channels, one rate limit, one send log."""
import pytest
from sqlalchemy import select

from core.toolkit import ConfigurationError, transaction_scope
from plugins.notify import SendLog

SMS = ("/api/customer/schedules/notification/sms/send/",
       {"phone": "13800138000", "template_code": "SCHEDULE_REMINDER", "params": {"title": "拜访", "time": "15:00"}})
EMAIL = ("/api/customer/schedules/notification/email/send/",
         {"to": "user@example.com", "subject": "日程提醒", "content": "您有一个日程即将开始"})


@pytest.mark.parametrize("channel_plugin", ["notify_sms", "notify_email"])
def test_a_channel_without_notify_stops_start_up_saying_what_to_list(make_site, channel_plugin):
    with pytest.raises(ConfigurationError) as error:
        make_site(plugins=("schedule", channel_plugin))

    assert str(error.value) == (f"plugin '{channel_plugin}' depends on 'notify', which is not enabled: "
                                "add it to tessera.plugins.")


def test_one_rate_limit_counts_every_channel_and_one_log_names_them(make_site, clock):
    site = make_site(plugins=("notify", "notify_sms", "notify_email"),
                     settings={"tessera.notify.rate_limit_per_minute": "2"})
    admin = site.create_user("boss", role="admin")
    headers = site.headers(admin)

    site.post_json(*SMS, headers=headers)
    site.post_json(*EMAIL, headers=headers)
    refused = site.post_json(*SMS, headers=headers, status=429)

    assert refused.json["data"] == {"limit": 2, "retry_after": 60}
    with transaction_scope(site.registry) as dbsession:
        rows = [(row.channel, row.via, row.requested_by, row.requested_by_name, row.recipient, row.outside, row.status)
                for row in dbsession.scalars(select(SendLog).order_by(SendLog.id))]
    assert rows == [("sms", "api", admin.id, "boss", "+8613800138000", True, "sent"),
                    ("email", "api", admin.id, "boss", "user@example.com", True, "sent")]


@pytest.mark.plugins("notify", "notify_sms")
def test_notify_send_is_declared_once_by_notify_and_granted_by_the_ini(make_site):
    site = make_site(plugins=("notify", "notify_sms"), settings={"tessera.permission.notify.send": "dispatcher"})
    dispatcher, finance = site.create_user("disp", role="dispatcher"), site.create_user("fin", role="finance")

    site.post_json(*SMS, headers=site.headers(dispatcher))
    site.post_json(*SMS, headers=site.headers(finance), status=403)

    assert site.registry.tessera_permissions["notify.send"] == {"admin", "dispatcher"}


def test_upgrading_a_site_moves_each_channels_old_send_log_into_notify_send_log(old_database):
    database = old_database(plugins=("notify_sms", "notify_email", "notify"),  # each channel at its first revision
                            revisions={"notify": "base", "notify_sms": "7d13002127db", "notify_email": "3c080fcb0879"})
    for table, recipient in (("notify_sms_send_log", "+8613800138000"), ("notify_email_send_log", "a@example.com")):
        database.execute(f"INSERT INTO {table} (requested_at, requested_by, requested_by_name, via, recipient, "
                         f"template, backend, status, detail) VALUES ('2025-12-26 02:00:00.000000', 7, 'boss', 'api', "
                         f":recipient, 'SCHEDULE_REMINDER', 'tencent', 'sent', 'ok')", {"recipient": recipient})

    database.upgrade()

    moved = database.execute("SELECT channel, requested_by_name, recipient, status FROM notify_send_log ORDER BY channel")
    assert moved == [("email", "boss", "a@example.com", "sent"), ("sms", "boss", "+8613800138000", "sent")]
    assert not {"notify_sms_send_log", "notify_email_send_log"} & database.tables()
