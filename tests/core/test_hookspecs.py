"""Every hook is declared once, by the core or the plugin that calls it, documented for third parties,
and implemented by a shipped plugin; implementing a disabled plugin's hook is harmless only when optional."""
import inspect
import os

import pytest

from core import hookspecs
from core.app import make_config
from core.plugins import installed_plugins, load
from core.settings import ConfigurationError
from tests.support import ALL_PLUGINS, site_settings

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))


def declared_hooks():
    """(declarer, hook name, spec function) for the core and every shipped plugin."""
    sources = [("core", hookspecs)]
    installed = installed_plugins()
    for name in ALL_PLUGINS:
        manifest = load(installed[name]).manifest
        if manifest.hookspecs:
            sources.append((name, manifest.hookspecs))
    return [(declarer, name, function) for declarer, module in sources
            for name, function in vars(module).items() if name.startswith("tessera_") and inspect.isfunction(function)]


HOOKS = declared_hooks()
IDS = [f"{declarer}.{name}" for declarer, name, _ in HOOKS]


def test_the_core_declares_only_platform_hooks():
    assert sorted(name for declarer, name, _ in HOOKS if declarer == "core") == [
        "tessera_authenticated_request", "tessera_demo_data", "tessera_event", "tessera_event_types",
        "tessera_notification_channels"]
    assert {declarer for declarer, _, _ in HOOKS} == {"core", "schedule", "contacts"}


@pytest.mark.parametrize("declarer, hook, spec", HOOKS, ids=IDS)
def test_hook_has_a_docstring_and_is_in_the_plugin_guide(declarer, hook, spec):
    assert len(inspect.getdoc(spec) or "") > 80, f"{declarer} declares {hook} without a docstring a third party can follow"
    with open(os.path.join(ROOT, "docs", "plugins.md"), encoding="utf-8") as guide:
        assert f"`{hook}(" in guide.read()


@pytest.mark.parametrize("declarer, hook, spec", HOOKS, ids=IDS)
def test_hook_is_implemented_by_a_shipped_plugin(site, declarer, hook, spec):
    assert site.registry.tessera_hook_declarers[hook] == declarer
    implementations = getattr(site.registry.tessera_plugin_manager.hook, hook).get_hookimpls()
    assert implementations, f"no shipped plugin implements {hook}"


def test_each_plugin_starts_without_the_plugin_whose_hooks_it_answers(make_site):
    """contacts answers schedule's hooks and schedule answers contacts': each alone starts, the others' hooks unused."""
    for alone in ("contacts", "schedule"):
        registry = make_site(plugins=[alone]).registry
        assert set(registry.tessera_hook_declarers.values()) == {"core", alone}


@pytest.mark.usefixtures("outside_plugins")
def test_a_hook_declared_twice_stops_startup_naming_both(database_url):
    with pytest.raises(ConfigurationError, match="hook 'tessera_related_info' is declared by both 'schedule' and 'hooks_clash'"):
        make_config(site_settings(database_url, ["schedule", "hooks_clash"]), environ={})


@pytest.mark.usefixtures("outside_plugins")
def test_implementing_a_disabled_plugins_hook_needs_optionalhook(database_url):
    with pytest.raises(ConfigurationError) as error:
        make_config(site_settings(database_url, ["strict_impl"]), environ={})
    assert "unknown hook 'tessera_related_info'" in str(error.value)
    assert "@hookimpl(optionalhook=True)" in str(error.value)
    registry = make_config(site_settings(database_url, ["schedule", "strict_impl"]), environ={}).registry
    assert "strict_impl" in [impl.plugin_name for impl in registry.tessera_plugin_manager.hook.tessera_related_info.get_hookimpls()]
    registry.dbengine.dispose()

