"""The contacts API's Cornice services, one module per family of endpoints."""
from plugins.contacts.views import customers, people, plans, work


def includeme(config) -> None:
    for module in (people, customers, work, plans):
        for service in module.SERVICES:
            config.add_cornice_service(service)
