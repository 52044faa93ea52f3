"""Registers, as its setting says, something another plugin or the core already registered."""
from core.toolkit import BUSINESS_CODE_ENVELOPE, Manifest, SendResult, Setting, api_service, hookimpl, ok, one_of

WHAT = ("permission", "prefix", "route", "service", "source", "channel")
manifest = Manifest(name="clasher", settings=(Setting("tessera.clasher.what", "permission", one_of(*WHAT), "what to clash on"),))

same_route = api_service(name="clasher.read", path="/api/notifications/{pk}/read", description="Clashes with the inbox")
same_name = api_service(name="core.health", path="/api/clasher/health", description="Clashes with the core's name")


@same_route.post()
@same_name.get()
def answer(request):
    return ok(request, {})


class SystemChannel:
    name = "system"

    def address_of(self, recipient):
        return None

    def send(self, notification, recipient, address):
        return SendResult.sent()


def includeme(config):
    what = config.registry.settings["tessera.clasher.what"]
    if what == "permission":
        config.declare_permission("contacts.customers")
    elif what == "prefix":
        config.add_api_prefix("/api/v1/contacts/", BUSINESS_CODE_ENVELOPE)
    elif what == "route":
        config.add_cornice_service(same_route)
    elif what == "service":
        config.add_cornice_service(same_name)
    elif what == "source":
        config.add_notification_source("schedule")


@hookimpl
def tessera_notification_channels(registry):
    return [SystemChannel()] if registry.settings["tessera.clasher.what"] == "channel" else []
