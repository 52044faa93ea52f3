"""One migration history per plugin: only enabled plugins are migrated, enabling one later adds its tables."""
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from core import migrate
from core.app import make_config
from core.db import Base
from core.testing import settings_for
from tests.support import ALL_PLUGINS


def _registry(url, plugins):
    return make_config(settings_for(url, plugins), environ={}).registry


def _tables(engine):
    return set(inspect(engine).get_table_names())


def test_enabling_a_plugin_later_adds_its_tables_and_touches_nothing_else(tmp_path):
    url = f"sqlite:///{tmp_path / 'site.sqlite'}"
    first = _registry(url, ["contacts"])
    migrate.upgrade(first.dbengine, migrate.units_for(first), log=lambda _: None)
    tables = _tables(first.dbengine)
    assert {"core_user", "alembic_version_core", "alembic_version_contacts"} <= tables
    assert not any(name.startswith("schedule_") for name in tables)
    with first.dbengine.begin() as connection:
        connection.execute(text("INSERT INTO core_user (username, password_hash, name, role, is_active) "
                                "VALUES ('keep', 'x', 'Keep', 'admin', 1)"))
    first.dbengine.dispose()

    later = _registry(url, ["contacts", "schedule"])
    lines = []
    migrate.upgrade(later.dbengine, migrate.units_for(later), log=lines.append)
    assert lines[0].startswith("core: up to date") and lines[1].startswith("contacts: up to date")
    assert lines[2].startswith("schedule: empty -> ")
    assert any(name.startswith("schedule_") for name in _tables(later.dbengine))
    with later.dbengine.connect() as connection:
        assert connection.execute(text("SELECT username FROM core_user")).scalars().all() == ["keep"]
    later.dbengine.dispose()


def test_the_migrations_create_exactly_what_the_models_describe(database_url):
    """The session database was migrated with every shipped plugin: no model differs from it."""
    registry = _registry(database_url, ALL_PLUGINS)
    with registry.dbengine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [d for d in compare_metadata(context, Base.metadata)
                       if not (d[0] == "remove_table" and d[1].name.startswith("alembic_version_"))]
    registry.dbengine.dispose()
    assert differences == []


def test_inbox_links_move_to_the_generic_source_and_back(tmp_path):
    """Rows written before 0004 kept a ``schedule_id``: they become ``source='schedule'`` links, and back on downgrade."""
    from alembic import command

    registry = _registry(f"sqlite:///{tmp_path / 'site.sqlite'}", [])
    [core_unit] = migrate.units_for(registry)
    with registry.dbengine.begin() as connection:
        command.upgrade(migrate._alembic_config(core_unit, connection), "b61372c3e636")
        connection.execute(text("INSERT INTO core_user (id, username, password_hash, name, role, is_active) "
                                "VALUES (1, 'u', 'x', 'U', 'admin', 1)"))
        connection.execute(text("INSERT INTO core_notification (id, user_id, title, content, schedule_id, is_read, "
                                "create_datetime) VALUES (1, 1, 'linked', '', 7, 0, '2025-12-26 02:00:00'), "
                                "(2, 1, 'plain', '', NULL, 0, '2025-12-26 02:00:00')"))
    migrate.upgrade(registry.dbengine, [core_unit], log=lambda _: None)
    with registry.dbengine.begin() as connection:
        rows = connection.execute(text("SELECT id, source, source_id FROM core_notification ORDER BY id")).all()
        assert [tuple(row) for row in rows] == [(1, "schedule", 7), (2, None, None)]
        assert "schedule_id" not in {c["name"] for c in inspect(connection).get_columns("core_notification")}
        command.downgrade(migrate._alembic_config(core_unit, connection), "9a4d1f7b2c60")
        rows = connection.execute(text("SELECT id, schedule_id FROM core_notification ORDER BY id")).all()
        assert [tuple(row) for row in rows] == [(1, 7), (2, None)]
    registry.dbengine.dispose()


def test_a_unit_leaves_a_longer_prefix_to_its_owner(database_url):
    """``notify_`` and ``notify_sms_``: autogenerating notify's migrations must not touch notify_sms' tables."""
    registry = _registry(database_url, ["notify", "notify_sms", "notify_email"])
    units = {unit.name: unit for unit in migrate.units_for(registry)}
    assert set(units["notify"].foreign_prefixes) == {"notify_sms_", "notify_email_"}
    assert units["notify_sms"].foreign_prefixes == () and units["core"].foreign_prefixes == ()
    registry.dbengine.dispose()
