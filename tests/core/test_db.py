"""SQLite serves readers side by side: only writers queue for the write lock."""
import contextlib
import datetime as dt
import sqlite3

import pytest
from sqlalchemy import event, select

from core.db import transaction_scope
from core.models import User


@pytest.fixture
def site(make_site):
    site = make_site(plugins=[])
    if site.registry.dbengine.dialect.name != "sqlite":
        pytest.skip("the write lock taken up front is SQLite's; PostgreSQL locks rows")
    return site


@pytest.fixture
def begins(site):
    """The BEGIN statements the site's engine sends, in order."""
    sent = []

    def record(_conn, _cursor, statement, *_args):
        if statement.startswith("BEGIN"):
            sent.append(statement)

    event.listen(site.registry.dbengine, "before_cursor_execute", record)
    yield sent
    event.remove(site.registry.dbengine, "before_cursor_execute", record)


def test_a_read_request_answers_while_a_writer_holds_the_lock(site):
    admin = site.create_user("boss", role="admin")
    writer = sqlite3.connect(site.registry.dbengine.url.database, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE core_user SET name = 'writing' WHERE id = ?", (admin.id,))
        users = site.get("/api/users", headers=site.headers(admin)).json["data"]["results"]
        assert [user["name"] for user in users] == ["Boss"]  # the last committed state
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_reads_begin_deferred_and_writes_take_the_lock_up_front(site, begins):
    admin = site.create_user("boss", role="admin")
    headers = site.headers(admin)
    begins.clear()
    site.get("/api/users", headers=headers)
    assert begins == ["BEGIN"]
    site.patch_json(f"/api/users/{admin.id}", {"department": "服务部"}, headers=headers)
    # who is asking is read before the write begins (see the test below)
    assert begins == ["BEGIN", "BEGIN", "BEGIN IMMEDIATE"]


def test_a_write_refused_before_its_view_does_not_wait_for_the_writer(site):
    admin = site.create_user("boss", role="admin")
    writer = sqlite3.connect(site.registry.dbengine.url.database, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        # authentication and validation take no write lock: with it held elsewhere, this answers at once
        body = site.patch_json(f"/api/users/{admin.id}", {"is_active": "maybe"}, headers=site.headers(admin),
                               status=400).json
        assert body["code"] == 4001 and "is_active" in body["data"]
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_background_work_writes_unless_it_says_it_only_reads(site, begins):
    with transaction_scope(site.registry) as dbsession:
        dbsession.scalar(select(User.id))
    with transaction_scope(site.registry, write=False) as dbsession:
        dbsession.scalar(select(User.id))
    assert begins == ["BEGIN IMMEDIATE", "BEGIN"]


@pytest.mark.parametrize("stored, read", [
    ("2026-05-01 01:00:00.000000", dt.datetime(2026, 5, 1, 1, tzinfo=dt.timezone.utc)),
    ("2026-05-01 01:00:00", dt.datetime(2026, 5, 1, 1, tzinfo=dt.timezone.utc)),
    ("2026-05-01", dt.datetime(2026, 5, 1, tzinfo=dt.timezone.utc)),
])
def test_instants_stored_on_sqlite_read_back_aware_in_utc(site, stored, read):
    user = site.create_user("li")
    with contextlib.closing(sqlite3.connect(site.registry.dbengine.url.database)) as connection, connection:
        connection.execute("UPDATE core_user SET created_at = ? WHERE id = ?", (stored, user.id))
    with transaction_scope(site.registry, write=False) as dbsession:
        assert dbsession.scalar(select(User.created_at).where(User.id == user.id)) == read
