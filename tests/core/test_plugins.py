"""Plugin discovery, per-site enabling, ordering, and the start-up errors that name the fix."""
import pytest

from core.app import make_config
from core.settings import ConfigurationError
from core.testing import settings_for


def start(database_url, plugins):
    return make_config(settings_for(database_url, plugins), environ={})


def test_unknown_plugin_stops_startup_listing_the_installed_ones(database_url):
    with pytest.raises(ConfigurationError) as error:
        start(database_url, ["schedule", "sms"])
    message = str(error.value)
    assert message.startswith("plugin 'sms' is not installed; installed: ")
    installed = message.split("installed: ", 1)[1].split(". ", 1)[0].split(", ")
    assert {"contacts", "notify_email", "notify_sms", "schedule"} <= set(installed)
    assert installed == sorted(installed)
    assert message.endswith("Install the package that provides it (pip install …) or remove it from tessera.plugins.")


def test_repeated_plugin_stops_startup(database_url):
    with pytest.raises(ConfigurationError, match="plugin 'schedule' is listed twice in tessera.plugins; list it once."):
        start(database_url, ["schedule", "schedule"])


@pytest.mark.usefixtures("outside_plugins")
@pytest.mark.parametrize("plugins, message", [
    (("needs_missing",), "plugin 'needs_missing' depends on 'nowhere', which is not enabled: install it and add it to tessera.plugins."),
    (("hello_needs_hello",), "plugin 'hello_needs_hello' depends on 'hello', which is not enabled: add it to tessera.plugins."),
    (("cycle_a", "cycle_b"), "plugin dependency cycle: cycle_a -> cycle_b -> cycle_a. Remove one of these dependencies."),
    (("broken_import",), "plugin 'broken_import' failed to import (tessera_hello.broken_import): ModuleNotFoundError"),
    (("no_manifest",), "plugin 'no_manifest' (tessera_hello.no_manifest) has no `manifest = core.plugins.Manifest(...)`"),
    (("future_core",), "plugin 'future_core' 0.3.0 requires core contract >=2.0,<3, but this Tessera (0.1.0) has contract 1.0: "
                       "install a version of 'future_core' built for contract 1.0, or remove it from tessera.plugins."),
    (("garbled_core",), "plugin 'garbled_core' declares requires_core = 'one point oh', which is not a version range"),
])
def test_broken_plugin_sets_stop_startup_naming_the_problem(database_url, plugins, message):
    with pytest.raises(ConfigurationError) as error:
        start(database_url, plugins)
    assert message in str(error.value)


@pytest.mark.usefixtures("outside_plugins")
def test_dependencies_are_set_up_first_whatever_the_ini_order(database_url):
    registry = start(database_url, ["hello_needs_hello", "contacts", "hello"]).registry
    assert [p.name for p in registry.tessera_enabled_plugins] == ["hello", "hello_needs_hello", "contacts"]
    registry.dbengine.dispose()


@pytest.mark.usefixtures("outside_plugins")
def test_out_of_tree_plugin_is_found_through_its_entry_point(make_site):
    site = make_site(plugins=["hello"])
    user = site.create_user("li", role="engineer")
    response = site.get("/api/hello", headers=site.headers(user))
    assert response.json == {"code": 2000, "msg": "操作成功", "data": {"hello": "li"}}
    assert "echo" in site.registry.tessera_channels and "system" in site.registry.tessera_channels


@pytest.mark.usefixtures("outside_plugins")
def test_installed_but_unlisted_plugin_adds_nothing(make_site):
    site = make_site(plugins=["contacts"])
    user = site.create_user("li", role="admin")
    response = site.get("/api/hello", headers=site.headers(user), status=404)
    assert response.json["code"] == 4004
    assert "echo" not in site.registry.tessera_channels
    assert "/api/hello" not in site.get("/api/openapi.json").json["paths"]


@pytest.mark.parametrize("path", ["/api/customer/schedules/", "/api/v1/contacts/customers"])
def test_disabled_plugins_routes_answer_404(make_site, path):
    site = make_site(plugins=[])
    admin = site.create_user("boss", role="admin")
    assert site.get(path, headers=site.headers(admin), status=404).json["code"] == 4004


@pytest.mark.usefixtures("outside_plugins")
def test_plugins_endpoint_lists_installed_plugins_for_admins_only(make_site):
    site = make_site(plugins=["hello", "schedule"])
    admin = site.create_user("boss", role="admin")
    engineer = site.create_user("li", role="engineer")
    rows = {row["name"]: row for row in site.get("/api/plugins", headers=site.headers(admin)).json["data"]}
    assert rows["hello"] == {"name": "hello", "version": "0.3.0", "enabled": True, "depends": [], "summary": "Says hello"}
    assert rows["hello_needs_hello"]["enabled"] is False and rows["hello_needs_hello"]["depends"] == ["hello"]
    assert rows["schedule"]["enabled"] is True and rows["contacts"]["enabled"] is False
    assert rows["broken_import"]["summary"].startswith("cannot load: plugin 'broken_import' failed to import")
    assert site.get("/api/plugins", headers=site.headers(engineer), status=403).json["code"] == 4003
    assert site.get("/api/plugins", status=401).json["code"] == 401


def test_health_needs_no_token_and_names_enabled_plugins(make_site):
    site = make_site(plugins=["contacts"])
    data = site.get("/api/health").json["data"]
    assert data["status"] == "ok" and data["database"] == "ok"
    assert data["plugins"] == [{"name": "contacts", "version": "0.1.0"}]
    assert data["version"] == "0.1.0"


def test_plugin_setting_outside_its_namespace_is_refused(database_url, outside_plugins, monkeypatch):
    import tessera_hello

    from core.plugins import Manifest
    from core.settings import Setting

    monkeypatch.setattr(tessera_hello, "manifest", Manifest(name="hello", settings=(Setting("tessera.other.key"),)))
    with pytest.raises(ConfigurationError, match="declares setting 'tessera.other.key' outside its namespace 'tessera.hello.\\*'"):
        start(database_url, ["hello"])


def test_every_shipped_plugin_says_which_core_contract_it_needs():
    from core.plugins import installed_plugins, load
    from core.toolkit import CONTRACT_VERSION
    from tests.support import ALL_PLUGINS

    installed = installed_plugins()
    for name in (*ALL_PLUGINS, "notify_webhook"):
        manifest = load(installed[name]).manifest
        assert manifest.requires_core == ">=1.0,<2", name
    assert CONTRACT_VERSION == "1.0"
