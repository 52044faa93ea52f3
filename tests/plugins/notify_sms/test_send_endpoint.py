"""POST /api/customer/schedules/notification/sms/send/: who may send, what is valid, how often.

On the console backend, or on the SendSms stand-in where the provider must see nothing.
"""
import concurrent.futures
import threading

import pytest
from sqlalchemy import select

from core.toolkit import transaction_scope
from plugins.notify import SendLog

URL = "/api/customer/schedules/notification/sms/send/"
GOOD = {"phone": "13800138000", "template_code": "SCHEDULE_REMINDER", "params": {"title": "客户拜访", "time": "2025-12-26 15:00"}}


def log_rows(site):
    with transaction_scope(site.registry) as dbsession:
        return [(row.requested_by_name, row.via, row.recipient, row.template, row.backend, row.status)
                for row in dbsession.scalars(select(SendLog).order_by(SendLog.id))]


def outbox(site):
    return list(site.registry.notify_sms_backend.outbox)


@pytest.mark.plugins("notify", "notify_sms")
def test_admin_sends_on_the_console_backend_which_says_so(site):
    admin = site.create_user("boss", role="admin")

    response = site.post_json(URL, GOOD, headers=site.headers(admin))

    body = response.json
    assert body["code"] == 2000
    assert body["data"] == {
        "success": True, "message": body["msg"], "phone": "13800138000", "template_code": "SCHEDULE_REMINDER",
        "send_time": "2025-12-26T10:00:00+08:00", "backend": "console"}
    assert "console" in body["msg"]
    assert outbox(site) == [{"phone": "+8613800138000", "template_code": "SCHEDULE_REMINDER",
                             "params": {"title": "客户拜访", "time": "2025-12-26 15:00"}, "session_context": None}]
    assert log_rows(site) == [("boss", "api", "+8613800138000", "SCHEDULE_REMINDER", "console", "sent")]


@pytest.mark.plugins("notify", "notify_sms")
def test_the_path_without_trailing_slash_and_an_e164_number_work(site):
    admin = site.create_user("boss", role="admin")

    response = site.post_json(URL.rstrip("/"), dict(GOOD, phone="+85291234567"), headers=site.headers(admin))

    assert response.json["data"]["phone"] == "+85291234567"
    assert outbox(site)[0]["phone"] == "+85291234567"


def test_it_works_beside_the_schedule_plugin(site):
    admin = site.create_user("boss", role="admin")

    assert site.post_json(URL, GOOD, headers=site.headers(admin)).json["code"] == 2000


def test_without_a_token_401_with_another_role_403_and_nothing_reaches_the_provider(tencent_site, tencent):
    engineer = tencent_site.create_user("eng", role="engineer")

    assert tencent_site.post_json(URL, GOOD, status=401).json["code"] == 401
    assert tencent_site.post_json(URL, GOOD, headers=tencent_site.headers(engineer), status=403).json["code"] == 4003
    assert tencent.requests == [] and log_rows(tencent_site) == []


def test_the_ini_grants_notify_send_to_other_roles(make_site):
    site = make_site(plugins=("notify", "notify_sms"), settings={"tessera.permission.notify.send": "admin dispatcher"})
    dispatcher = site.create_user("disp", role="dispatcher")
    engineer = site.create_user("eng", role="engineer")

    assert site.post_json(URL, GOOD, headers=site.headers(dispatcher)).json["code"] == 2000
    site.post_json(URL, GOOD, headers=site.headers(engineer), status=403)


@pytest.mark.parametrize("change, field", [
    ({"phone": "12800138000"}, "phone"),          # 12x is not a mobile prefix
    ({"phone": "1380013800"}, "phone"),           # ten digits
    ({"phone": "+0123456789"}, "phone"),
    ({"phone": "138-0013-8000"}, "phone"),
    ({"phone": None}, "phone"),
    ({"template_code": "NO_SUCH"}, "template_code"),
    ({"template_code": "VERIFY"}, "params.code"),  # a known template whose parameter is missing
    ({"params": {"title": "客户拜访"}}, "params.time"),
    ({"params": {"title": "客户拜访", "time": "  "}}, "params.time"),
    ({"params": {"title": {"nested": 1}, "time": "15:00"}}, "params.title"),
    ({"params": "title=x"}, "params"),
])
def test_invalid_input_is_4001_naming_the_field_and_nothing_is_sent_or_logged(tencent_site, tencent, change, field):
    admin = tencent_site.create_user("boss", role="admin")
    body = {key: value for key, value in dict(GOOD, **change).items() if value is not None}

    response = tencent_site.post_json(URL, body, headers=tencent_site.headers(admin), status=400)

    assert response.json["code"] == 4001
    assert field in response.json["data"]
    assert tencent.requests == [] and log_rows(tencent_site) == []


@pytest.mark.plugins("notify", "notify_sms")
def test_thirty_sends_a_minute_then_429_with_retry_after_until_the_window_moves_on(site, clock):
    admin = site.create_user("boss", role="admin")
    headers = site.headers(admin)
    for _ in range(15):
        site.post_json(URL, GOOD, headers=headers)
    clock.advance(seconds=20)
    for _ in range(15):
        site.post_json(URL, GOOD, headers=headers)
    site.post_json(URL, dict(GOOD, phone="bad"), headers=headers, status=400)  # refused: not counted, not limited

    refused = site.post_json(URL, GOOD, headers=headers, status=429)

    assert refused.json["code"] == 4000
    assert refused.headers["Retry-After"] == "40"  # the first fifteen leave the window 60 s after they were sent
    assert len(outbox(site)) == 30 and len(log_rows(site)) == 30
    clock.advance(seconds=40)
    site.post_json(URL, GOOD, headers=headers)
    assert len(log_rows(site)) == 31


def test_the_limit_is_per_user_and_set_in_the_ini(make_site, clock):
    site = make_site(plugins=("notify", "notify_sms"), settings={"tessera.notify.rate_limit_per_minute": "2"})
    first, second = site.create_user("a", role="admin"), site.create_user("b", role="admin")
    for _ in range(2):
        site.post_json(URL, GOOD, headers=site.headers(first))

    site.post_json(URL, GOOD, headers=site.headers(first), status=429)
    site.post_json(URL, GOOD, headers=site.headers(second))


def test_the_limit_holds_across_processes_sharing_the_database(make_site):
    settings = {"tessera.notify.rate_limit_per_minute": "3"}
    one, other = make_site(plugins=("notify", "notify_sms"), settings=settings), make_site(plugins=("notify", "notify_sms"), settings=settings)
    admin = one.create_user("boss", role="admin")

    for site in (one, other, one):
        site.post_json(URL, GOOD, headers=site.headers(admin))

    other.post_json(URL, GOOD, headers=other.headers(admin), status=429)
    one.post_json(URL, GOOD, headers=one.headers(admin), status=429)


@pytest.mark.plugins("schedule", "notify", "notify_email")
def test_when_not_enabled_the_endpoint_is_404_and_there_is_no_sms_channel(site):
    admin = site.create_user("boss", role="admin")

    site.post_json(URL, GOOD, headers=site.headers(admin), status=404)

    assert "sms" not in site.registry.tessera_channels
    assert "email" in site.registry.tessera_channels


@pytest.mark.plugins("notify", "notify_sms", "notify_email")
def test_the_api_description_lists_every_answer_of_both_send_endpoints(site):
    paths = site.get("/api/openapi.json").json["paths"]

    for kind in ("sms", "email"):
        responses = paths[f"/api/customer/schedules/notification/{kind}/send/"]["post"]["responses"]
        assert {"200", "400", "401", "403", "422", "429", "503"} <= set(responses)


def test_concurrent_requests_on_two_processes_cannot_slip_past_the_limit(make_site):
    settings = {"tessera.notify.rate_limit_per_minute": "5"}
    sites = [make_site(plugins=("notify", "notify_sms"), settings=settings) for _ in range(2)]
    admin = sites[0].create_user("boss", role="admin")
    headers = sites[0].headers(admin)
    start = threading.Barrier(12)

    def post(index):
        start.wait()
        return sites[index % 2].post_json(URL, GOOD, headers=headers, status="*").status_int

    with concurrent.futures.ThreadPoolExecutor(max_workers=12) as pool:
        statuses = sorted(pool.map(post, range(12)))

    assert statuses == [200] * 5 + [429] * 7
    assert len(log_rows(sites[0])) == 5
