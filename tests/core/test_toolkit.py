"""Plugins meet the core only through ``core.toolkit``; their tests add ``core.testing``, the testing kit,
and use another plugin only as its users do: through its public module, never through its tests."""
from __future__ import annotations

import ast
import importlib
import pathlib

import core.toolkit

ROOT = pathlib.Path(__file__).resolve().parents[2]
PLUGIN_SOURCES = sorted([*ROOT.glob("plugins/**/*.py"), *ROOT.glob("examples/*/notify_*/**/*.py")])
#: the shipped plugins' tests, each plugin's under tests/plugins/<name>/
SHIPPED_PLUGIN_TEST_SOURCES = sorted(ROOT.glob("tests/plugins/**/*.py"))
#: every plugin's tests: the shipped ones' and a third party's, as they would live in its own repository
PLUGIN_TEST_SOURCES = sorted([*SHIPPED_PLUGIN_TEST_SOURCES, *ROOT.glob("examples/*/tests/**/*.py")])


def imported_modules(path: pathlib.Path) -> list[str]:
    """Every module a file imports, as written; a relative one keeps its dots (``from ..x import y`` -> ``..x``)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            found.append("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return found


def core_imports(path: pathlib.Path) -> list[str]:
    """Every ``core.…`` module a file imports, as written."""
    return [module for module in imported_modules(path) if module == "core" or module.startswith("core.")]


def test_the_sources_are_found():
    assert any(path.match("plugins/schedule/__init__.py") for path in PLUGIN_SOURCES)
    assert any(path.match("examples/notify_webhook/notify_webhook/*.py") for path in PLUGIN_SOURCES)
    assert any(path.match("examples/notify_webhook/tests/conftest.py") for path in PLUGIN_TEST_SOURCES)
    assert any(path.match("tests/plugins/notify/test_base_plugin.py") for path in PLUGIN_TEST_SOURCES)


def test_plugins_import_only_the_toolkit_from_the_core():
    offenders = {str(path.relative_to(ROOT)): modules for path in PLUGIN_SOURCES
                 if (modules := [m for m in core_imports(path) if m != "core.toolkit"])}
    assert offenders == {}


def test_plugin_tests_import_only_the_toolkit_and_the_testing_kit_from_the_core():
    offenders = {str(path.relative_to(ROOT)): modules for path in PLUGIN_TEST_SOURCES
                 if (modules := [m for m in core_imports(path) if m not in ("core.toolkit", "core.testing")])}
    assert offenders == {}


def test_the_check_sees_a_private_import(tmp_path):
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("from core.app import make_config\nimport core.db\nfrom core import migrate\n"
                      "from core.testing.database import TestDatabase\nfrom core.testing import Site\n")
    assert core_imports(sneaky) == ["core.app", "core.db", "core", "core.testing.database", "core.testing"]


def test_everything_the_toolkit_names_exists():
    missing = [name for name in core.toolkit.__all__ if not hasattr(core.toolkit, name)]
    assert missing == []


def plugin_imports(path: pathlib.Path) -> list[str]:
    """Every ``plugins.…`` module a file imports, as written (``from plugins.notify import x`` -> ``plugins.notify``)."""
    return [module for module in imported_modules(path) if module.startswith("plugins.")]


def owning_plugin(path: pathlib.Path):
    """The plugin module a source file belongs to: ``plugins/<name>/…`` or ``examples/<dist>/<name>/…``."""
    parts = path.relative_to(ROOT).parts
    return importlib.import_module(f"plugins.{parts[1]}" if parts[0] == "plugins" else parts[2])


def forbidden_plugin_imports(path: pathlib.Path, own: str, depends: tuple[str, ...]) -> list[str]:
    """Imports of another plugin that are not exactly the public module of one of ``depends``."""
    allowed = {f"plugins.{name}" for name in depends}
    return [module for module in plugin_imports(path)
            if not (module == own or module.startswith(own + ".")) and module not in allowed]


def test_a_plugin_imports_another_only_from_a_declared_dependencys_public_module():
    """docs/plugins.md, "Building on another plugin": ``from plugins.notify import …`` needs depends=("notify",)."""
    offenders = {}
    for path in PLUGIN_SOURCES:
        if path.relative_to(ROOT) == pathlib.Path("plugins/__init__.py"):
            continue
        plugin = owning_plugin(path)
        if wrong := forbidden_plugin_imports(path, plugin.__name__, plugin.manifest.depends):
            offenders[str(path.relative_to(ROOT))] = wrong
    assert offenders == {}


def test_the_check_sees_an_undeclared_or_private_plugin_import(tmp_path):
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("from plugins.notify.sendlog import SendLog\nfrom plugins.notify import post_json\n"
                      "import plugins.schedule.models\nfrom plugins.notify_sms.phones import as_e164\n")

    assert forbidden_plugin_imports(sneaky, "plugins.notify_sms", ("notify",)) == [
        "plugins.notify.sendlog", "plugins.schedule.models"]
    assert "plugins.notify" in forbidden_plugin_imports(sneaky, "plugins.notify_sms", ())


def test_what_a_dependency_offers_is_named_in_its_all():
    import plugins.notify

    assert all(hasattr(plugins.notify, name) for name in plugins.notify.__all__)


def plugin_under_test(path: pathlib.Path) -> str:
    """The plugin a shipped test belongs to: ``tests/plugins/<name>/…`` -> ``name``."""
    return path.relative_to(ROOT / "tests" / "plugins").parts[0]


def forbidden_test_imports(path: pathlib.Path, own: str) -> list[str]:
    """What a test of plugin ``own`` may not import: another plugin's tests or private modules, the suite's
    own helpers (``tests.support``), or anything through a relative import that climbs out of its folder."""
    own_tests, own_plugin = f"tests.plugins.{own}", f"plugins.{own}"
    return [module for module in imported_modules(path)
            if module.startswith("..")
            or ((module == "tests" or module.startswith("tests."))
                and not (module == own_tests or module.startswith(own_tests + ".")))
            or (module.startswith("plugins.") and module.count(".") > 1
                and not (module == own_plugin or module.startswith(own_plugin + ".")))]


def test_a_plugins_tests_use_another_plugin_only_through_its_public_module():
    """A plugin's tests stand alone, as in a repository of their own: shared fixtures live in core.testing."""
    offenders = {str(path.relative_to(ROOT)): wrong for path in SHIPPED_PLUGIN_TEST_SOURCES
                 if (wrong := forbidden_test_imports(path, plugin_under_test(path)))}
    assert offenders == {}


def test_the_check_sees_another_plugins_tests_or_private_modules(tmp_path):
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("from tests.plugins.schedule.api_support import create\nimport tests.support\n"
                      "from tests.plugins.webhooks.conftest import register\nfrom plugins.notify import SendLog\n"
                      "from plugins.schedule.reminders.models import ReminderDelivery\nfrom ..schedule import x\n"
                      "from plugins.webhooks.dispatch import deliver\nfrom .conftest import admin\n")

    assert forbidden_test_imports(sneaky, "webhooks") == [
        "tests.plugins.schedule.api_support", "tests.support", "plugins.schedule.reminders.models", "..schedule"]
