"""Schedule reminders by SMS: the reminder engine, the sms channel and the SDK against the SendSms stand-in."""
from core.testing import shanghai
from tests.plugins.notify_sms.conftest import tencent_settings
from tests.plugins.notify_sms.fake_tencent import error_answer, ok_answer


def test_a_reminder_is_texted_to_creator_and_participant_and_a_transient_refusal_is_retried(make_site, clock, tencent):
    site = make_site(plugins=("schedule", "notify", "notify_sms"), settings=tencent_settings(
        tencent.url, **{"tessera.permission.schedule.remind_external": "engineer"}))
    owner = site.create_user("lawyer", mobile="13800000001")
    site.post_json("/api/customer/schedules/", {
        "title": "开庭", "schedule_type": "court", "start_time": shanghai(2025, 12, 26, 10, 40).isoformat(),
        "reminder_time": 30, "reminder_method": "sms", "allow_conflict": True,
        "participants": [{"name": "客户", "phone": "+85291234567"}]}, headers=site.headers(owner))
    tencent.answers += [ok_answer(), error_answer("LimitExceeded.PhoneNumberThirtySecondLimit", "slow down")]

    clock.set(shanghai(2025, 12, 26, 10, 10))
    site.run_periodic_tasks()
    assert len(tencent.requests) == 2
    clock.advance(minutes=5)
    site.run_periodic_tasks()

    phones = [call.json["PhoneNumberSet"][0] for call in tencent.requests]
    # both at once (the engine sends concurrently); the one refused in the second answer is texted again
    assert sorted(phones[:2]) == ["+85291234567", "+8613800000001"] and phones[2] == phones[1]
    # each message carries its delivery's idempotency key, the same again on the retry
    contexts = [call.json["SessionContext"] for call in tencent.requests]
    assert contexts[2] == contexts[1] != contexts[0] and all(contexts)
    assert {tuple(call.json["TemplateParamSet"]) for call in tencent.requests} == {("开庭", "2025-12-26 10:40")}
