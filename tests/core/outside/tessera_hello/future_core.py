"""Built for a plugin contract this core does not have."""
from core.toolkit import Manifest

manifest = Manifest(name="future_core", requires_core=">=2.0,<3")


def includeme(config):
    pass
