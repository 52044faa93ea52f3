"""Its requires_core is no version range."""
from core.toolkit import Manifest

manifest = Manifest(name="garbled_core", requires_core="one point oh")


def includeme(config):
    pass
