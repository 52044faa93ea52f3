"""Tessera's core: the small Pyramid platform every plugin stands on."""
import warnings

# pyramid, cornice and cornice_swagger still import pkg_resources (pinned setuptools<81 keeps it);
# the deprecation notice says nothing an operator can act on.
warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)

__version__ = "0.1.0"

#: the plugin contract's version (docs/plugins.md): what ``Manifest.requires_core`` is checked against.
#: Minor versions only add; a major version may change or remove what ``core.toolkit`` names.
CONTRACT_VERSION = "1.0"


def main(global_config, **settings):
    """The paste entry point (``pserve development.ini``)."""
    from core.app import make_app, with_ini_defaults

    return make_app(with_ini_defaults(settings, global_config.get("here", ".")))
