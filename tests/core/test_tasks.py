"""Background jobs: one Huey per site, built from the ini; jobs queued by a request run only if it commits."""
import os

import pytest
from huey import MemoryHuey, RedisHuey, SqliteHuey


@pytest.fixture
def hello(outside_plugins):
    import tessera_hello

    tessera_hello.remembered.clear()
    return tessera_hello


def test_a_job_queued_by_a_request_runs_after_commit_and_never_after_a_rollback(make_site, hello):
    site = make_site(plugins=["hello"], settings={"huey.immediate": "true"})
    headers = site.headers(site.create_user("li"))
    site.post("/api/hello/later?text=kept", headers=headers)
    site.post("/api/hello/later?text=dropped&fail=1", headers=headers, status=400)
    assert hello.remembered == ["kept"]


def test_a_plugins_tasks_are_registered_only_where_it_is_enabled(make_site, hello):
    assert "hello.remember" in make_site(plugins=["hello"]).registry.tessera_tasks
    assert "hello.remember" not in make_site(plugins=[]).registry.tessera_tasks


def test_the_queue_backend_comes_from_the_ini(make_site, tmp_path):
    assert isinstance(make_site(plugins=[]).registry.huey, MemoryHuey)
    sqlite = make_site(plugins=[], settings={"huey.backend": "sqlite", "huey.path": str(tmp_path / "q" / "huey.sqlite")})
    assert isinstance(sqlite.registry.huey, SqliteHuey) and (tmp_path / "q" / "huey.sqlite").exists()


@pytest.mark.skipif(not os.environ.get("TESSERA_TEST_REDIS_URL"), reason="the Redis suite (make test-pg) sets TESSERA_TEST_REDIS_URL")
def test_redis_backend_queues_in_redis(make_site, hello):
    site = make_site(plugins=["hello"], settings={"huey.backend": "redis", "huey.url": os.environ["TESSERA_TEST_REDIS_URL"],
                                                  "huey.name": "tessera-test-tasks"})
    huey = site.registry.huey
    assert isinstance(huey, RedisHuey)
    huey.flush()
    site.post("/api/hello/later?text=via-redis", headers=site.headers(site.create_user("li")))
    assert huey.pending_count() == 1
    task = huey.dequeue()
    huey.execute(task)
    assert hello.remembered == ["via-redis"]
    huey.flush()
