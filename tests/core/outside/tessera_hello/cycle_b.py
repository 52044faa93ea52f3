from core.plugins import Manifest

manifest = Manifest(name="cycle_b", depends=("cycle_a",))


def includeme(config):
    pass
