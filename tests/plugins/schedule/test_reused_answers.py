"""The schedule list's answers are reused while nothing they read has changed (core.readcache), and never after."""

import threading

import pytest
from sqlalchemy import create_engine, text

from core.testing import DEFAULT_PASSWORD, count_queries
from tests.plugins.schedule.api_support import API, call, create

pytestmark = pytest.mark.plugins("schedule")

LIST = f"{API}/?ordering=-start_time&limit=20"


@pytest.fixture
def assistant(site):
    return site.create_user("assistant")


def titles(site, user, expect: int = 200, headers=None) -> list[str] | None:
    response = site.get(LIST, headers=headers or site.headers(user), status=expect)
    return [item["title"] for item in response.json["data"]["results"]] if expect == 200 else None


def signed_in(site, username: str) -> dict:
    token = site.post_json("/api/auth/login", {"username": username, "password": DEFAULT_PASSWORD}).json["data"]["token"]
    return {"Authorization": f"Bearer {token}"}


def test_a_repeated_list_is_answered_again_without_a_statement_with_its_own_request_id(site, lawyer):
    create(site, lawyer, title="开庭")
    first = site.get(LIST, headers=site.headers(lawyer))
    site.get(LIST, headers=site.headers(lawyer))  # the first time its path is seen as reusable, nothing is kept
    with count_queries(site.registry) as queries:
        again = site.get(LIST, headers={**site.headers(lawyer), "X-Request-ID": "second-look"})
    assert queries.count == 0
    assert again.body == first.body
    assert again.headers["X-Request-ID"] == "second-look"
    assert again.headers["Cache-Control"] == "no-store" and again.content_type == "application/json"


def test_a_change_through_the_api_shows_in_the_next_list(site, lawyer):
    create(site, lawyer, title="开庭")
    for _ in range(3):
        assert titles(site, lawyer) == ["开庭"]
    created = create(site, lawyer, title="见客户", start_time="2025-12-28T09:00:00+08:00",
                     end_time="2025-12-28T10:00:00+08:00")["data"]
    assert titles(site, lawyer) == ["见客户", "开庭"]
    call(site, "PATCH", f"{created['id']}/", lawyer, {"title": "见客户B"})
    assert titles(site, lawyer) == ["见客户B", "开庭"]
    call(site, "DELETE", f"{created['id']}/", lawyer)
    assert titles(site, lawyer) == ["开庭"]


def test_a_change_made_by_another_process_shows_in_the_next_list(site, make_site, lawyer):
    """Another web process or a worker: a site of its own on the same database, with its own kept answers."""
    create(site, lawyer, title="开庭")
    for _ in range(3):
        assert titles(site, lawyer) == ["开庭"]
    other = make_site()
    create(other, lawyer, title="见客户", start_time="2025-12-28T09:00:00+08:00", end_time="2025-12-28T10:00:00+08:00")
    assert titles(site, lawyer) == ["见客户", "开庭"]
    with other.registry.dbengine.begin() as connection:  # SQL of its own, through the site's engine
        connection.execute(text("UPDATE schedule_schedule SET title = 'A' WHERE title = '开庭'"))
    assert titles(site, lawyer) == ["见客户", "A"]


def test_each_caller_gets_their_own_list(site, lawyer, assistant):
    create(site, lawyer, title="开庭")
    create(site, assistant, title="整理卷宗")
    for _ in range(3):
        assert titles(site, lawyer) == ["开庭"]
        assert titles(site, assistant) == ["整理卷宗"]


def test_a_kept_list_is_not_given_to_a_token_signed_out_or_expired_or_to_a_deactivated_user(site, clock, lawyer):
    create(site, lawyer, title="开庭")
    admin = site.create_user("boss", role="admin")
    headers = site.headers(lawyer)
    for _ in range(3):
        assert titles(site, lawyer, headers=headers) == ["开庭"]
    site.post_json("/api/auth/logout", {}, headers=headers)
    titles(site, lawyer, expect=401, headers=headers)

    headers = signed_in(site, "lawyer")
    for _ in range(3):
        assert titles(site, lawyer, headers=headers) == ["开庭"]
    clock.advance(seconds=site.registry.settings["tessera.jwt_lifetime"])
    titles(site, lawyer, expect=401, headers=headers)

    headers = signed_in(site, "lawyer")
    for _ in range(3):
        assert titles(site, lawyer, headers=headers) == ["开庭"]
    site.patch_json(f"/api/users/{lawyer.id}", {"is_active": False}, headers=site.headers(admin))
    titles(site, lawyer, expect=401, headers=headers)


def test_a_revoked_delegation_takes_the_owners_schedules_out_of_the_next_list(site, lawyer, assistant):
    create(site, lawyer, title="开庭")
    granted = call(site, "POST", "delegations/", lawyer, {"grantee_id": assistant.id, "access": "read"})["data"]
    for _ in range(3):
        assert titles(site, assistant) == ["开庭"]
    call(site, "DELETE", f"delegations/{granted['id']}/", lawyer)
    assert titles(site, assistant) == []


def test_a_change_made_outside_tessera_shows_once_a_kept_answer_is_too_old(site, clock, database_url, lawyer):
    create(site, lawyer, title="开庭")
    for _ in range(3):
        assert titles(site, lawyer) == ["开庭"]
    outside = create_engine(database_url)  # a SQL shell: Tessera does not see its writes as they happen
    with outside.begin() as connection:
        connection.execute(text("UPDATE schedule_schedule SET title = 'A'"))
    outside.dispose()
    assert titles(site, lawyer) == ["开庭"]
    clock.advance(seconds=site.registry.settings["tessera.read_cache.max_age"])
    assert titles(site, lawyer) == ["A"]


def test_a_site_may_turn_reuse_off(make_site):
    site = make_site(settings={"tessera.read_cache.megabytes": "0"})
    lawyer = site.create_user("lawyer")
    for _ in range(2):
        site.get(LIST, headers=site.headers(lawyer))
    with count_queries(site.registry) as queries:
        site.get(LIST, headers=site.headers(lawyer))
    assert queries.count > 0


def test_readers_side_by_side_with_a_writer_never_see_less_than_what_was_written_before_they_asked(site, lawyer):
    """Four threads list while a fifth creates schedules: every answer holds at least the schedules whose
    creation had been answered when its request began (reused, made anew, or taken from another thread)."""
    headers = site.headers(lawyer)
    answered = [0]
    stale: list[tuple[int, int]] = []
    writing = threading.Event()
    writing.set()

    def write() -> None:
        try:
            for day in range(1, 21):
                create(site, lawyer, title=f"第{day}件", start_time=f"2025-11-{day:02}T09:00:00+08:00",
                       end_time=f"2025-11-{day:02}T10:00:00+08:00")
                answered[0] = day
        finally:
            writing.clear()

    def read() -> None:
        while writing.is_set():
            before = answered[0]
            count = site.get(f"{API}/?limit=100", headers=headers).json["data"]["count"]
            if count < before:
                stale.append((before, count))

    threads = [threading.Thread(target=write)] + [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answered[0] == 20 and stale == []
    assert site.get(f"{API}/?limit=100", headers=headers).json["data"]["count"] == 20
