"""With the schedule plugin: the customer team reads its schedules; tasks sit on their engineers' calendars."""
from __future__ import annotations

import datetime as dt

SCHEDULES = "/api/customer/schedules"


def get(world, path: str, user, status: int = 200, **params) -> dict:
    return world.site.get(path, params=params, headers=world.site.headers(user), status=status).json


def test_the_customer_team_reads_the_schedules_of_the_customer_and_its_plans(world, spec_customer):
    customer_id = spec_customer["customer"]["customerId"]
    plan = world.call("POST", f"{spec_customer['path']}/plans", world.zhaoliu, {
        "title": "季度回访", "planTime": "2024-06-12T10:00:00+08:00", "reminderMinutes": 60})["data"]
    schedule_id = plan["scheduleId"]
    about_customer = world.site.post_json(f"{SCHEDULES}/", {
        "title": "合同谈判", "schedule_type": "meeting", "start_time": "2024-06-13T14:00:00+08:00",
        "related_type": "customer", "related_id": customer_id}, headers=world.site.headers(world.zhaoliu)).json["data"]

    zhangsan = world.zhangsan  # the customer's engineer: reads both, changes neither
    assert get(world, f"{SCHEDULES}/{schedule_id}/", zhangsan)["data"]["title"] == "季度回访"
    listed = {item["id"] for item in get(world, f"{SCHEDULES}/", zhangsan)["data"]["results"]}
    assert listed == {schedule_id, about_customer["id"]}
    related = get(world, f"{SCHEDULES}/by_related/", zhangsan, related_type="customer_plan", related_id=plan["planId"])
    assert [item["id"] for item in related["data"]] == [schedule_id]
    world.site.patch_json(f"{SCHEDULES}/{schedule_id}/", {"title": "改"}, headers=world.site.headers(zhangsan),
                          status=403)
    upcoming = world.call("GET", spec_customer["path"], zhangsan)["data"]["upcomingSchedules"]
    assert [item["id"] for item in upcoming] == [schedule_id, about_customer["id"]]
    # their own day stays theirs
    world.clock.set(dt.datetime(2024, 6, 12, 1, 0, tzinfo=dt.timezone.utc))
    assert get(world, f"{SCHEDULES}/today/", zhangsan)["data"]["total_count"] == 0

    for outsider in (world.wangwu, world.other_sales):  # not on the customer's team
        get(world, f"{SCHEDULES}/{schedule_id}/", outsider, status=404)
        assert get(world, f"{SCHEDULES}/", outsider)["data"]["count"] == 0

    world.call("POST", f"{spec_customer['path']}/remove-engineer/{zhangsan.id}", world.zhaoliu)
    get(world, f"{SCHEDULES}/{schedule_id}/", zhangsan, status=404)  # off the team, out of sight


def test_a_task_sits_on_its_engineers_calendars_from_start_to_deadline(world, spec_customer):
    # RP-2024-001: 2024-06-08 09:00Z to 2024-06-15 18:00Z, 张三 and 李四; MT-2024-001 has no start date
    today = get(world, f"{SCHEDULES}/today/", world.lisi)["data"]
    [item] = today["items"]
    assert (item["kind"], item["id"], item["title"], item["status"]) == ("task", "RP-2024-001", "气相色谱仪维修", "in_progress")
    assert (item["start_time"], item["end_time"]) == ("2024-06-08T17:00:00+08:00", "2024-06-16T02:00:00+08:00")
    assert item["url"] == "/api/v1/contacts/tasks/RP-2024-001" and item["customer_name"] == "上海医疗器械有限公司"
    assert today["total_count"] == 0 and today["schedules"] == []  # the spec's fields count schedules only

    week = get(world, f"{SCHEDULES}/this_week/", world.zhangsan)["data"]
    assert [each["id"] for each in week["items"]] == ["RP-2024-001"]
    month = get(world, f"{SCHEDULES}/calendar_view/", world.lisi, year=2024, month=6)["data"]["days"]
    with_task = [day["date"] for day in month if day["items"]]
    assert with_task == [f"2024-06-{n:02d}" for n in range(8, 17)]

    assert get(world, f"{SCHEDULES}/today/", world.wangwu)["data"]["items"] == []  # not on it
    world.call("POST", "tasks/RP-2024-001/status", world.zhaoliu, {"status": "cancelled"})
    assert get(world, f"{SCHEDULES}/today/", world.lisi)["data"]["items"] == []


def test_people_of_one_shape_of_access_each_list_their_own(world, spec_customer):
    """The list's and the calendar's statements are built once per shape of access (an engineer on one
    customer's team, say) and run with each request's values: no one's ids reach another's answer."""
    other_customer = world.create_customer(world.zhaoliu, name="北京仪器有限公司", engineerIds=[world.wangwu.id])
    teams = {world.zhangsan: spec_customer["customer"]["customerId"], world.wangwu: other_customer["customerId"]}
    expected = {}
    for engineer, customer_id in teams.items():
        about = world.site.post_json(f"{SCHEDULES}/", {
            "title": f"拜访{customer_id}", "schedule_type": "meeting", "start_time": "2024-06-11T14:00:00+08:00",
            "related_type": "customer", "related_id": customer_id}, headers=world.site.headers(world.zhaoliu)).json["data"]
        own = world.site.post_json(f"{SCHEDULES}/", {
            "title": f"{engineer.username}的日程", "schedule_type": "other", "start_time": "2024-06-12T09:00:00+08:00"},
            headers=world.site.headers(engineer)).json["data"]
        expected[engineer] = (about["id"], own["id"])

    for engineer in (world.zhangsan, world.wangwu, world.zhangsan, world.wangwu):
        about_id, own_id = expected[engineer]
        listed = world.site.get(f"{SCHEDULES}/", params={"status": "pending", "ordering": "-start_time"},
                                headers=world.site.headers(engineer)).json["data"]
        assert [item["id"] for item in listed["results"]] == [own_id, about_id] and listed["count"] == 2
        searched = get(world, f"{SCHEDULES}/", engineer, search="日程")["data"]["results"]
        assert [item["id"] for item in searched] == [own_id]
        week = get(world, f"{SCHEDULES}/this_week/", engineer)["data"]
        assert [schedule["id"] for schedule in week["schedules"]] == [own_id]  # their own calendar: not the team's
    assert get(world, f"{SCHEDULES}/", world.admin, ordering="-start_time", limit=2)["data"]["count"] == 4


def test_an_engineer_taken_off_the_team_no_longer_lists_its_schedules_though_they_listed_them_just_before(
        world, spec_customer):
    """The list's answers are reused while nothing they read changed (core.readcache): the team is read too."""
    customer_id = spec_customer["customer"]["customerId"]
    about_customer = world.site.post_json(f"{SCHEDULES}/", {
        "title": "合同谈判", "schedule_type": "meeting", "start_time": "2024-06-13T14:00:00+08:00",
        "related_type": "customer", "related_id": customer_id}, headers=world.site.headers(world.zhaoliu)).json["data"]
    for _ in range(3):
        assert [item["id"] for item in get(world, f"{SCHEDULES}/", world.zhangsan)["data"]["results"]] == [
            about_customer["id"]]
    world.call("POST", f"{spec_customer['path']}/remove-engineer/{world.zhangsan.id}", world.zhaoliu)
    assert get(world, f"{SCHEDULES}/", world.zhangsan)["data"]["results"] == []
