"""Plugins meet the core only through ``core.toolkit``; their tests add ``core.testing``, the testing kit."""
from __future__ import annotations

import ast
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
