"""The reminder engine, driven by the site clock: what falls due is sent once, the rest waits or is skipped with a reason."""
import datetime as dt

import pytest
from sqlalchemy import event

from core.testing import count_queries, shanghai
from core.toolkit import transaction_scope
from plugins.schedule.models import Schedule
from plugins.schedule.reminders.dispatch import dispatch_due
from tests.plugins.schedule.reminder_support import (  # noqa: F401 - fixtures shared by the reminder tests
    SCHEDULES,
    channels,
    create_schedule,
    deliveries,
    inbox_titles,
    owner,
    reminder_rows,
)


@pytest.fixture
def site(make_site, channels):
    return make_site(plugins=("schedule",), hookimpls=[channels])


def detail(site, user, schedule_id):
    return site.get(f"{SCHEDULES}{schedule_id}/", headers=site.headers(user)).json["data"]


def test_a_due_reminder_lands_in_the_creators_inbox_once(site, clock, owner):
    schedule = create_schedule(site, owner, shanghai(2025, 12, 26, 10, 40))
    assert dispatch_due(site.registry).sent == 0  # due at 10:10
    clock.set(shanghai(2025, 12, 26, 10, 9, 59))
    assert dispatch_due(site.registry).claimed == 0
    clock.set(shanghai(2025, 12, 26, 10, 10))
    report = dispatch_due(site.registry)
    assert (report.claimed, report.sent) == (1, 1)
    clock.advance(minutes=1)
    assert dispatch_due(site.registry).claimed == 0  # the next tick finds nothing to do again
    assert inbox_titles(site, owner) == ["日程提醒: 与客户A洽谈合同"]
    [reminder] = detail(site, owner, schedule["id"])["reminders"]
    assert reminder["is_sent"] is True and reminder["sent_time"] == "2025-12-26T10:10:00+08:00"
    assert reminder["remind_time"] == "2025-12-26T10:10:00+08:00" and reminder["remind_method"] == "system"
    assert "Lawyer <" in reminder["send_result"] and "sent" in reminder["send_result"]


@pytest.mark.parametrize("lead_minutes", [0, 24 * 60, 7 * 24 * 60])
def test_long_lead_times_fire_when_due_and_not_before(site, clock, owner, lead_minutes):
    start = shanghai(2026, 1, 10, 9, 0)
    create_schedule(site, owner, start, reminder_time=lead_minutes)
    remind_at = start.astimezone(clock.now().tzinfo) - dt.timedelta(minutes=lead_minutes)
    clock.set(remind_at)
    clock.advance(seconds=-1)
    dispatch_due(site.registry)
    assert inbox_titles(site, owner) == []
    clock.advance(seconds=1)
    assert dispatch_due(site.registry).sent == 1
    assert len(inbox_titles(site, owner)) == 1


def test_every_method_reaches_creator_and_participants_with_an_address_once(site, clock, owner, channels):
    participants = [
        {"name": "李四", "role": "客户", "phone": "13900000002", "email": "lisi@example.com"},
        {"name": "王五", "role": "律师", "phone": "", "email": "lawyer@example.com"},  # same address as the creator
        {"name": "赵六", "role": "客户"},
    ]
    create_schedule(site, owner, shanghai(2025, 12, 26, 10, 30), participants=participants, location="会议室A",
                    description="合同条款", reminder_method="system,email,sms")
    report = dispatch_due(site.registry)
    assert (report.sent, report.skipped, report.failed) == (3, 0, 0)
    assert channels.email.accepted_count() == {"lawyer@example.com": 1, "lisi@example.com": 1}
    assert channels.sms.accepted_count() == {"13800000001": 1, "13900000002": 1}
    assert inbox_titles(site, owner) == ["日程提醒: 与客户A洽谈合同"]
    address, notification = channels.sms.accepted[0]
    assert notification.template == "schedule_reminder" and notification.subject == "日程提醒: 与客户A洽谈合同"
    assert notification.params == {
        "title": "与客户A洽谈合同", "time": "2025-12-26 10:30", "description": "合同条款", "location": "会议室A",
        "schedule_id": notification.params["schedule_id"], "start_time": "2025-12-26T10:30:00+08:00"}
    email_row = next(r for r in reminder_rows(site) if r.remind_method == "email")
    assert "赵六: skipped（没有 email 地址）" in email_row.send_result
    assert "李四 <lisi@example.com>: sent" in email_row.send_result
    assert len(deliveries(site)) == 5


def test_a_reminder_nobody_can_receive_is_skipped_with_the_reason(site, clock, channels):
    owner = site.create_user("noaddress")
    create_schedule(site, owner, shanghai(2025, 12, 26, 10, 30), reminder_method="email",
                    participants=[{"name": "李四", "role": "客户", "phone": "13900000002"}])
    assert dispatch_due(site.registry).skipped == 1
    [row] = reminder_rows(site)
    assert row.state == "skipped" and not row.is_sent and row.sent_time is None
    assert "没有收件人有 email 地址" in row.send_result and "李四: skipped" in row.send_result
    assert channels.email.calls == []


@pytest.mark.parametrize("change", [
    {"status": "cancelled"}, {"status": "completed"}, {"reminder_enabled": False}, "delete"])
def test_no_reminder_for_a_schedule_cancelled_completed_deleted_or_silenced(site, clock, owner, change):
    schedule = create_schedule(site, owner, shanghai(2025, 12, 26, 11, 0))
    headers = site.headers(owner)
    if change == "delete":
        site.delete(f"{SCHEDULES}{schedule['id']}/", headers=headers)
    else:
        site.patch_json(f"{SCHEDULES}{schedule['id']}/", change, headers=headers)
    clock.set(shanghai(2025, 12, 26, 10, 30))
    assert dispatch_due(site.registry).claimed == 0
    assert inbox_titles(site, owner) == []
    [row] = reminder_rows(site)
    assert row.state == "cancelled" and row.send_result


def test_reopening_a_cancelled_schedule_brings_its_reminder_back(site, clock, owner):
    schedule = create_schedule(site, owner, shanghai(2025, 12, 26, 11, 0))
    url = f"{SCHEDULES}{schedule['id']}/"
    site.patch_json(url, {"status": "cancelled"}, headers=site.headers(owner))
    site.patch_json(url, {"status": "pending"}, headers=site.headers(owner))
    clock.set(shanghai(2025, 12, 26, 10, 30))
    assert dispatch_due(site.registry).sent == 1


def test_a_schedule_cancelled_while_its_reminder_is_due_is_skipped_not_sent(site, clock, owner):
    """The tick may claim a row in the instant the schedule is cancelled; the dispatcher checks again."""
    schedule = create_schedule(site, owner, shanghai(2025, 12, 26, 10, 20))
    with transaction_scope(site.registry) as dbsession:  # the status write whose sync has not run yet
        dbsession.get(Schedule, schedule["id"]).status = "cancelled"
    assert dispatch_due(site.registry).skipped == 1
    [row] = reminder_rows(site)
    assert row.state == "skipped" and row.send_result == "日程已取消"
    assert inbox_titles(site, owner) == []


def test_moving_a_schedule_moves_its_unsent_reminder_and_keeps_sent_history(site, clock, owner):
    schedule = create_schedule(site, owner, shanghai(2025, 12, 26, 10, 20), recurrence_rule={
        "frequency": "daily", "interval": 1, "count": 3})
    assert dispatch_due(site.registry).sent == 1  # today's, created late: sent at once
    site.patch_json(f"{SCHEDULES}{schedule['id']}/", {"start_time": shanghai(2025, 12, 26, 15, 0).isoformat(),
                                                      "allow_conflict": True}, headers=site.headers(owner))
    rows = reminder_rows(site, schedule["id"])
    assert [(r.remind_time, r.state) for r in rows] == [
        (shanghai(2025, 12, 26, 9, 50), "sent"),
        (shanghai(2025, 12, 26, 14, 30), "pending"),
        (shanghai(2025, 12, 27, 14, 30), "pending"),
        (shanghai(2025, 12, 28, 14, 30), "pending")]


def test_a_disabled_channel_skips_with_the_reason(site, make_site, clock, owner, channels):
    create_schedule(site, owner, shanghai(2025, 12, 26, 10, 30), reminder_method="sms")
    without_sms = make_site(plugins=("schedule",))  # the same database, the SMS plugin no longer enabled
    assert dispatch_due(without_sms.registry).skipped == 1
    [row] = reminder_rows(site)
    assert row.state == "skipped" and "sms 未在本站启用" in row.send_result
    assert channels.sms.calls == []


def test_after_an_outage_the_next_tick_catches_up_within_the_grace_period(site, clock, owner):
    create_schedule(site, owner, shanghai(2025, 12, 26, 14, 0), title="下午会议")
    create_schedule(site, owner, shanghai(2025, 12, 27, 20, 0), title="晚上会议")
    clock.set(shanghai(2025, 12, 27, 19, 35))  # workers down for more than a day
    report = dispatch_due(site.registry)
    assert (report.sent, report.skipped) == (1, 1)
    assert inbox_titles(site, owner) == ["日程提醒: 晚上会议"]
    stale = next(r for r in reminder_rows(site) if r.state == "skipped")
    assert stale.send_result.startswith("已过期") and "1440" in stale.send_result


def test_late_rule_send_at_once_while_the_occurrence_is_ahead_nothing_once_it_started(site, clock, owner):
    soon = create_schedule(site, owner, shanghai(2025, 12, 26, 10, 10), title="十分钟后")
    started = create_schedule(site, owner, shanghai(2025, 12, 26, 9, 50), title="已开始")
    assert [r.next_attempt_at for r in reminder_rows(site, soon["id"])] == [clock.now()]
    assert reminder_rows(site, started["id"]) == []
    assert dispatch_due(site.registry).sent == 1
    assert inbox_titles(site, owner) == ["日程提醒: 十分钟后"]


def test_all_day_schedules_count_back_from_the_configured_local_time(make_site, clock):
    site = make_site(plugins=("schedule",), settings={"tessera.schedule.all_day_reminder_time": "08:30"})
    owner = site.create_user("lawyer")
    create_schedule(site, owner, shanghai(2025, 12, 28, 0, 0), is_all_day=True, reminder_time=60)
    [row] = reminder_rows(site)
    assert row.remind_time == shanghai(2025, 12, 28, 7, 30)


def test_each_occurrence_of_a_series_gets_its_reminder(site, clock, owner):
    create_schedule(site, owner, shanghai(2025, 12, 27, 9, 0), title="晨会", reminder_time=15,
                    recurrence_rule={"frequency": "daily", "interval": 1, "count": 4})
    for day in (27, 28, 29, 30, 31):
        clock.set(shanghai(2025, 12, day, 8, 45))
        dispatch_due(site.registry)
    assert inbox_titles(site, owner) == ["日程提醒: 晨会"] * 4
    assert [r.occurrence_start for r in reminder_rows(site)] == [shanghai(2025, 12, d, 9, 0) for d in (27, 28, 29, 30)]


def test_the_rolling_window_moves_on_with_an_endless_series(site, clock, owner):
    create_schedule(site, owner, shanghai(2025, 12, 29, 9, 0), title="周会",
                    recurrence_rule={"frequency": "weekly", "interval": 1, "by_weekday": [1]})
    first = [r.occurrence_start for r in reminder_rows(site)]
    assert first[0] == shanghai(2025, 12, 29, 9, 0) and first[-1] <= shanghai(2026, 1, 27, 10, 0) and len(first) == 5
    sent = 0
    for week in range(8):  # two months of Mondays, one tick each
        clock.set(shanghai(2025, 12, 29, 8, 30) + dt.timedelta(weeks=week))
        sent += dispatch_due(site.registry).sent
    assert sent == 8 and len(inbox_titles(site, owner)) == 8
    latest = reminder_rows(site)[-1].occurrence_start
    assert latest >= clock.now() + dt.timedelta(days=28)


def test_a_ticks_cost_grows_with_due_reminders_not_with_schedules(site, clock, owner):
    create_schedule(site, owner, shanghai(2025, 12, 26, 10, 20), title="due")
    dispatch_due(site.registry)

    def quiet_tick_queries():
        clock.advance(minutes=1)
        with count_queries(site.registry) as counter:
            assert dispatch_due(site.registry).claimed == 0
        return counter.count

    few = quiet_tick_queries()
    for day in range(1, 41):
        create_schedule(site, owner, shanghai(2026, 1, 1, 9, 0) + dt.timedelta(days=day),
                        title=f"later {day}", recurrence_rule={"frequency": "monthly", "interval": 1})
    assert quiet_tick_queries() == few


def test_a_one_off_far_ahead_shows_its_reminder_at_once_and_sends_it_when_due(site, clock, owner):
    far = create_schedule(site, owner, shanghai(2027, 3, 1, 9, 0), title="远期开庭", reminder_time=7 * 24 * 60)
    [reminder] = detail(site, owner, far["id"])["reminders"]  # not [] ("no reminder"): the row exists
    assert reminder["remind_time"] == "2027-02-22T09:00:00+08:00" and reminder["is_sent"] is False
    clock.set(shanghai(2027, 2, 22, 8, 59))
    assert dispatch_due(site.registry).claimed == 0
    clock.set(shanghai(2027, 2, 22, 9, 0))
    assert dispatch_due(site.registry).sent == 1


def test_a_series_beyond_the_window_gets_its_rows_when_its_reminders_come_within_it(site, clock, owner):
    far = create_schedule(site, owner, shanghai(2026, 3, 2, 9, 0), title="远期周会", reminder_time=7 * 24 * 60,
                          recurrence_rule={"frequency": "weekly", "interval": 1, "count": 3})
    assert reminder_rows(site, far["id"]) == []  # reminds from 2026-02-23: beyond the 30-day window
    clock.set(shanghai(2026, 1, 20, 9, 0))
    assert dispatch_due(site.registry).extended == 0  # not yet within the window: not touched
    clock.set(shanghai(2026, 1, 24, 9, 1))
    assert dispatch_due(site.registry).extended == 1
    assert [row.remind_time for row in reminder_rows(site, far["id"])][0] == shanghai(2026, 2, 23, 9, 0)
    clock.advance(minutes=1)
    assert dispatch_due(site.registry).extended == 0
    clock.set(shanghai(2026, 2, 23, 9, 0))
    assert dispatch_due(site.registry).sent == 1


def test_a_full_batch_costs_a_few_commits_not_a_few_per_reminder(make_site, clock):
    site = make_site(plugins=("schedule",), settings={"tessera.schedule.reminder_batch_size": 50})
    owners = [site.create_user(f"lawyer{n}") for n in range(100)]
    for n, person in enumerate(owners):
        create_schedule(site, person, shanghai(2025, 12, 26, 10, 20), title=f"会议 {n}")
    commits = []

    def count(connection):
        commits.append(connection)

    event.listen(site.registry.dbengine, "commit", count)
    try:
        report = dispatch_due(site.registry)
    finally:
        event.remove(site.registry.dbengine, "commit", count)
    assert (report.claimed, report.sent) == (100, 100)
    assert all(len(inbox_titles(site, person)) == 1 for person in owners)
    # per batch: the claim, the inbox's write, the record; then the claim that finds nothing
    assert len(commits) == 2 * 3 + 1
    assert len(commits) / report.sent <= 0.1
