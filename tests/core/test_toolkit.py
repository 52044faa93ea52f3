"""Plugins meet the core only through ``core.toolkit``; their tests add ``core.testing``, the testing kit."""
from __future__ import annotations

import ast
import importlib
import pathlib

import core.toolkit

ROOT = pathlib.Path(__file__).resolve().parents[2]
PLUGIN_SOURCES = sorted([*ROOT.glob("plugins/**/*.py"), *ROOT.glob("examples/*/notify_*/**/*.py")])
#: a third party's tests, as they would live in its own repository
PLUGIN_TEST_SOURCES = sorted(ROOT.glob("examples/*/tests/**/*.py"))


def core_imports(path: pathlib.Path) -> list[str]:
    """Every ``core.…`` module a file imports, as written."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        else:
            continue
        found += [module for module in modules if module == "core" or module.startswith("core.")]
    return found


def test_the_sources_are_found():
    assert any(path.match("plugins/schedule/__init__.py") for path in PLUGIN_SOURCES)
    assert any(path.match("examples/notify_webhook/notify_webhook/*.py") for path in PLUGIN_SOURCES)
    assert any(path.match("examples/notify_webhook/tests/conftest.py") for path in PLUGIN_TEST_SOURCES)


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
    sneaky.write_text("from core.app import make_config\nimport core.db\n")
    assert core_imports(sneaky) == ["core.app", "core.db"]


def test_everything_the_toolkit_names_exists():
    missing = [name for name in core.toolkit.__all__ if not hasattr(core.toolkit, name)]
    assert missing == []


def plugin_imports(path: pathlib.Path) -> list[str]:
    """Every ``plugins.…`` module a file imports, as written (``from plugins.notify import x`` -> ``plugins.notify``)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return [module for module in found if module.startswith("plugins.")]


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
