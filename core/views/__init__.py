"""The core's own endpoints: sign-in, users, health and plugins."""


def includeme(config) -> None:
    config.include("core.views.auth")
    config.include("core.views.users")
    config.include("core.views.system")
