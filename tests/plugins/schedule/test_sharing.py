"""Shared calendars through the API, with three users: a lawyer (owner), an assistant (delegate), a trainee (participant)."""
import pytest

from core.testing import shanghai
from plugins.schedule.reminders.dispatch import dispatch_due
from tests.plugins.schedule.api_support import API, call, create
from tests.plugins.schedule.reminder_support import inbox_titles

pytestmark = pytest.mark.plugins("schedule")


@pytest.fixture
def assistant(site):
    return site.create_user("assistant")


@pytest.fixture
def trainee(site):
    return site.create_user("trainee", name="实习生")


def court_date(site, owner, *participants, **fields):
    body = {"title": "开庭", "schedule_type": "court", "start_time": "2025-12-26T10:40:00+08:00",
            "end_time": "2025-12-26T12:00:00+08:00", "participants": list(participants), "related_type": None,
            "related_id": None, **fields}
    return create(site, owner, **body)["data"]


def ids(items):
    return [item["id"] for item in items]


def test_a_user_participant_sees_the_schedule_in_every_view(site, lawyer, trainee, assistant):
    created = court_date(site, lawyer, {"user_id": trainee.id}, {"name": "客户", "role": "客户"})
    assert created["participants"][0] == {"user_id": trainee.id, "name": "实习生"}
    assert created["attendees"] == [{"user": {"id": trainee.id, "username": "trainee", "name": "实习生"},
                                     "response": "needs_action", "responded_at": None}]
    for viewer, expected in ((trainee, [created["id"]]), (assistant, [])):
        assert ids(call(site, "GET", "", viewer)["data"]["results"]) == expected
        assert ids(call(site, "GET", "today/", viewer)["data"]["schedules"]) == expected
        assert ids(call(site, "GET", "this_week/", viewer)["data"]["schedules"]) == expected
        december = call(site, "GET", "calendar_view/", viewer, year=2025, month=12)["data"]["days"]
        assert ids(december[25]["schedules"]) == expected
        assert call(site, "GET", "statistics/", viewer)["data"]["total_count"] == len(expected)
    [item] = call(site, "GET", "today/", trainee)["data"]["schedules"]
    assert item["owner"] == {"id": lawyer.id, "username": "lawyer", "name": "Lawyer"}
    call(site, "GET", f"{created['id']}/", assistant, expect=404)


def test_a_participant_may_answer_but_not_edit(site, lawyer, trainee, assistant):
    created = court_date(site, lawyer, {"user_id": trainee.id})
    call(site, "PATCH", f"{created['id']}/", trainee, {"title": "改"}, expect=403)
    call(site, "POST", f"{created['id']}/update_status/", trainee, {"status": "completed"}, expect=403)
    call(site, "DELETE", f"{created['id']}/", trainee, expect=403)
    assert call(site, "POST", "batch_delete/", trainee, {"ids": [created["id"]]})["data"]["deleted_count"] == 0
    answered = call(site, "POST", f"{created['id']}/respond/", trainee, {"response": "tentative"})
    assert answered["msg"] == "答复成功"
    [attendee] = call(site, "GET", f"{created['id']}/", lawyer)["data"]["attendees"]
    assert attendee["response"] == "tentative" and attendee["responded_at"] == "2025-12-26T10:00:00+08:00"
    call(site, "POST", f"{created['id']}/respond/", lawyer, {"response": "accepted"}, expect=403)  # not invited
    call(site, "POST", f"{created['id']}/respond/", assistant, {"response": "accepted"}, expect=404)
    bad = call(site, "POST", f"{created['id']}/respond/", trainee, {"response": "maybe"}, expect=400)
    assert list(bad["data"]) == ["response"]


def test_a_participant_is_reminded_in_their_own_inbox_until_they_decline(site, clock, lawyer, trainee):
    court_date(site, lawyer, {"user_id": trainee.id}, title="第一次开庭")  # reminds at 10:10
    declined = court_date(site, lawyer, {"user_id": trainee.id}, title="第二次开庭",
                          start_time="2025-12-26T11:40:00+08:00", end_time="2025-12-26T11:50:00+08:00",
                          allow_conflict=True)  # reminds at 11:10
    call(site, "POST", f"{declined['id']}/respond/", trainee, {"response": "declined"})
    clock.set(shanghai(2025, 12, 26, 11, 10))
    dispatch_due(site.registry)
    assert inbox_titles(site, trainee) == ["日程提醒: 第一次开庭"]
    assert inbox_titles(site, lawyer) == ["日程提醒: 第一次开庭", "日程提醒: 第二次开庭"]


def test_participants_must_be_active_users(site, lawyer, trainee):
    answer = create(site, lawyer, expect=400, participants=[{"name": "张三"}, {"user_id": 999}])
    assert list(answer["data"]) == ["participants.1.user_id"]
    answer = create(site, lawyer, expect=400, participants=[{"role": "律师"}])
    assert list(answer["data"]) == ["participants.0.name"]
    assert call(site, "GET", "", lawyer)["data"]["count"] == 0


def test_a_write_delegate_creates_and_edits_in_the_owners_name_until_revoked(site, lawyer, assistant, trainee):
    call(site, "POST", "", assistant, {"title": "代建", "schedule_type": "meeting", "start_time": "2025-12-27T09:00:00",
                                       "owner_id": lawyer.id}, expect=400)  # no grant yet
    granted = call(site, "POST", "delegations/", lawyer, {"grantee_id": assistant.id, "access": "write"})["data"]
    assert (granted["owner"]["id"], granted["grantee"]["id"], granted["access"]) == (lawyer.id, assistant.id, "write")
    created = call(site, "POST", "", assistant, {"title": "代建", "schedule_type": "meeting",
                                                 "start_time": "2025-12-27T09:00:00", "owner_id": lawyer.id})["data"]
    assert created["creator"]["id"] == lawyer.id and created["modifier"]["id"] == assistant.id
    mine = court_date(site, lawyer)
    changed = call(site, "PATCH", f"{mine['id']}/", assistant, {"location": "第三法庭"})["data"]
    assert changed["creator"]["id"] == lawyer.id and changed["modifier"]["id"] == assistant.id
    assert ids(call(site, "GET", "", lawyer)["data"]["results"]) == [created["id"], mine["id"]]
    assert call(site, "GET", "delegations/", assistant)["data"]["received"][0]["id"] == granted["id"]
    call(site, "DELETE", f"delegations/{granted['id']}/", trainee, expect=404)  # not theirs to revoke
    call(site, "DELETE", f"delegations/{granted['id']}/", lawyer)
    call(site, "GET", f"{mine['id']}/", assistant, expect=404)
    call(site, "PATCH", f"{mine['id']}/", assistant, {"location": "x"}, expect=404)
    assert call(site, "GET", "", assistant)["data"]["count"] == 0


def test_a_read_delegate_sees_but_does_not_edit_and_filters_by_owner(site, lawyer, assistant, trainee):
    call(site, "POST", "delegations/", lawyer, {"grantee_id": assistant.id, "access": "read"})
    call(site, "POST", "delegations/", trainee, {"grantee_id": assistant.id, "access": "read"})
    theirs = court_date(site, lawyer)
    trainees = court_date(site, trainee, title="学习")
    own = court_date(site, assistant, title="自己的")
    assert sorted(ids(call(site, "GET", "", assistant)["data"]["results"])) == [theirs["id"], trainees["id"], own["id"]]
    only_lawyer = call(site, "GET", "today/", assistant, owner_id=str(lawyer.id))["data"]["schedules"]
    assert ids(only_lawyer) == [theirs["id"]]
    both = call(site, "GET", "", assistant, owner_id=f"{lawyer.id},{trainee.id}")["data"]["results"]
    assert sorted(ids(both)) == [theirs["id"], trainees["id"]]
    call(site, "PATCH", f"{theirs['id']}/", assistant, {"title": "改"}, expect=403)
    bad = call(site, "GET", "", assistant, owner_id="lawyer", expect=400)
    assert list(bad["data"]) == ["owner_id"]


def test_free_busy_hides_titles_from_freebusy_grants(site, lawyer, assistant, trainee):
    call(site, "POST", "delegations/", lawyer, {"grantee_id": assistant.id, "access": "freebusy"})
    call(site, "POST", "delegations/", trainee, {"grantee_id": assistant.id, "access": "read"})
    court_date(site, lawyer, start_time="2025-12-29T09:00:00", end_time="2025-12-29T10:00:00")
    court_date(site, lawyer, start_time="2025-12-29T10:00:00", end_time="2025-12-29T11:00:00", title="背靠背")
    study = court_date(site, trainee, title="学习", start_time="2025-12-30T14:00:00", end_time="2025-12-30T15:00:00")
    window = {"start": "2025-12-29", "end": "2026-01-05"}
    # a freebusy grant shows nothing else
    assert call(site, "GET", "", assistant)["data"]["count"] == 1
    answer = call(site, "GET", "free_busy/", assistant, user_ids=f"{lawyer.id},{trainee.id}", **window)["data"]
    lawyer_busy, trainee_busy = answer["users"]
    assert lawyer_busy["access"] == "freebusy"
    assert lawyer_busy["busy"] == [{"start_time": "2025-12-29T09:00:00+08:00", "end_time": "2025-12-29T11:00:00+08:00"}]
    assert trainee_busy["busy"] == [{"start_time": "2025-12-30T14:00:00+08:00", "end_time": "2025-12-30T15:00:00+08:00",
                                     "id": study["id"], "title": "学习"}]
    refused = call(site, "GET", "free_busy/", trainee, user_ids=str(lawyer.id), **window, expect=403)
    assert list(refused["data"]) == ["user_ids"]


@pytest.mark.parametrize("path, params, expected_dates", [
    ("today/", {"date": "2026-01-07"}, ["2026-01-07"]),
    ("this_week/", {"date": "2026-01-07"}, ["2026-01-05", "2026-01-11"]),
    ("calendar_view/", {"date": "2026-02-14"}, ["2026-02-01", "2026-02-28"]),
    ("range/", {"start_date": "2026-01-06", "end_date": "2026-01-08"}, ["2026-01-06", "2026-01-08"]),
])
def test_any_day_week_month_or_range(site, lawyer, path, params, expected_dates):
    series = court_date(site, lawyer, start_time="2026-01-01T09:00:00", end_time="2026-01-01T10:00:00",
                        recurrence_rule={"frequency": "daily"})
    data = call(site, "GET", path, lawyer, **params)["data"]
    if path == "today/":
        assert data["date"] == expected_dates[0] and ids(data["schedules"]) == [series["id"]]
        assert data["schedules"][0]["start_time"] == "2026-01-07T09:00:00+08:00"
    elif path == "this_week/":
        assert [data["week_start"], data["week_end"]] == expected_dates and data["total_count"] == 7
    else:
        assert [data["days"][0]["date"], data["days"][-1]["date"]] == expected_dates
        assert all(day["count"] == 1 for day in data["days"])


def test_range_is_bounded(site, lawyer):
    answer = call(site, "GET", "range/", lawyer, start_date="2026-01-01", end_date="2026-06-01", expect=400)
    assert list(answer["data"]) == ["end_date"]
    answer = call(site, "GET", "calendar_view/", lawyer, expect=400)
    assert list(answer["data"]) == ["year"]


def test_admins_still_see_everything(site, lawyer):
    admin = site.create_user("boss", role="admin")
    created = court_date(site, lawyer)
    assert ids(call(site, "GET", f"{API}/", admin)["data"]["results"]) == [created["id"]]


def _notices(site, user) -> list[str]:
    site.run_queued_tasks()
    return [title for title in inbox_titles(site, user) if not title.startswith("日程提醒")]


def test_attendees_are_told_once_when_a_schedule_moves_is_cancelled_or_deleted(site, lawyer, assistant, trainee):
    call(site, "POST", "delegations/", lawyer, {"grantee_id": assistant.id, "access": "write"})
    created = court_date(site, lawyer, {"user_id": trainee.id})
    call(site, "PATCH", f"{created['id']}/", assistant, {"title": "开庭（第一次）"})  # not a move
    assert _notices(site, trainee) == []
    call(site, "PATCH", f"{created['id']}/", assistant, {"start_time": "2025-12-29T10:40:00+08:00",
                                                          "end_time": "2025-12-29T12:00:00+08:00"})
    assert _notices(site, trainee) == ["日程时间已变更: 开庭（第一次）"]
    assert _notices(site, lawyer) == ["日程时间已变更: 开庭（第一次）"]  # a delegate moved it
    assert _notices(site, assistant) == []  # who made the change is not told
    site.run_queued_tasks()
    assert len(_notices(site, trainee)) == 1  # once per change
    call(site, "POST", f"{created['id']}/update_status/", lawyer, {"status": "cancelled"})
    call(site, "DELETE", f"{created['id']}/", lawyer)
    assert _notices(site, trainee)[1:] == ["日程已取消: 开庭（第一次）", "日程已删除: 开庭（第一次）"]
    assert len(_notices(site, lawyer)) == 1  # their own changes


def test_no_notice_for_a_refused_change_or_a_declined_attendee(site, lawyer, trainee, assistant):
    created = court_date(site, lawyer, {"user_id": trainee.id}, {"user_id": assistant.id})
    court_date(site, lawyer, title="另一个", start_time="2025-12-30T09:00:00", end_time="2025-12-30T10:00:00")
    call(site, "POST", f"{created['id']}/respond/", assistant, {"response": "declined"})
    call(site, "PATCH", f"{created['id']}/", lawyer, {"start_time": "2025-12-30T09:30:00",
                                                      "end_time": "2025-12-30T10:30:00"}, expect=409)
    assert _notices(site, trainee) == []
    call(site, "PATCH", f"{created['id']}/", lawyer, {"start_time": "2025-12-31T09:30:00",
                                                      "end_time": "2025-12-31T10:30:00"})
    assert _notices(site, trainee) == ["日程时间已变更: 开庭"] and _notices(site, assistant) == []


def test_an_attendee_sees_their_upcoming_reminders_until_they_decline(site, lawyer, trainee):
    created = court_date(site, lawyer, {"user_id": trainee.id})  # reminds at 10:10
    [item] = call(site, "GET", "upcoming_reminders/", trainee)["data"]["reminders"]
    assert item["schedule_id"] == created["id"] and item["remind_time"] == "2025-12-26T10:10:00+08:00"
    call(site, "POST", f"{created['id']}/respond/", trainee, {"response": "declined"})
    assert call(site, "GET", "upcoming_reminders/", trainee)["data"]["count"] == 0
