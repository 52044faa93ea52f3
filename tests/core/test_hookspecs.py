"""Every hook is declared once, documented for third parties, and implemented by a shipped plugin."""
import inspect
import os

import pytest

from core import hookspecs

HOOKS = [name for name, obj in vars(hookspecs).items() if name.startswith("tessera_") and inspect.isfunction(obj)]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))


def test_there_are_hooks():
    assert len(HOOKS) >= 6


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_has_a_docstring_and_is_in_the_plugin_guide(hook):
    assert len(inspect.getdoc(getattr(hookspecs, hook)) or "") > 80
    with open(os.path.join(ROOT, "docs", "plugins.md"), encoding="utf-8") as guide:
        assert f"`{hook}(" in guide.read()


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_implemented_by_a_shipped_plugin(site, hook):
    implementations = site.registry.tessera_plugin_manager.hook.__dict__[hook].get_hookimpls()
    assert implementations, f"no shipped plugin implements {hook}"
