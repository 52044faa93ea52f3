"""Nothing is registered twice unnoticed: a clash stops start-up naming both plugins; tables carry their prefix."""
import re
from types import SimpleNamespace

import pytest

from core.app import make_config
from core.db import Base
from core.registrations import check_tables
from core.settings import ConfigurationError
from tests.support import ALL_PLUGINS, site_settings


@pytest.mark.usefixtures("outside_plugins")
@pytest.mark.parametrize("what, plugins, message", [
    ("permission", ["contacts"], "permission 'contacts.customers' is registered by both 'contacts' and 'clasher'"),
    ("prefix", ["contacts"], "API prefix '/api/v1/contacts' is registered by both 'contacts' and 'clasher'"),
    ("route", [], "route '/api/notifications/{}/read' is registered by both 'core' and 'clasher'"),
    ("service", [], "service 'core.health' is registered by both 'core' and 'clasher'"),
    ("source", ["schedule"], "notification source 'schedule' is registered by both 'schedule' and 'clasher'"),
    ("channel", [], "notification channel 'system' is registered by both 'core.inbox' and 'clasher'"),
])
def test_a_second_registration_stops_startup_naming_both(database_url, what, plugins, message):
    settings = site_settings(database_url, [*plugins, "clasher"], **{"tessera.clasher.what": what})
    with pytest.raises(ConfigurationError) as error:
        make_config(settings, environ={})
    assert str(error.value).startswith(message)


def test_the_shipped_plugins_register_nothing_twice_and_their_tables_carry_their_prefix(database_url):
    registry = make_config(site_settings(database_url, ALL_PLUGINS), environ={}).registry
    registered = registry.tessera_registrations
    assert registered["API prefix"]["/api/v1/contacts"] == "contacts"
    assert registered["notification channel"]["system"] == "core.inbox"
    assert registered["route"]["/api/customer/schedules/{}"] == "schedule"
    prefixes = {plugin.name: plugin.manifest.tables for plugin in registry.tessera_enabled_plugins}
    for mapper in Base.registry.mappers:
        package = mapper.class_.__module__.split(".")
        owner = package[1] if package[0] == "plugins" else package[0]
        assert mapper.local_table.name.startswith(prefixes.get(owner, "core_")), mapper.class_
    registry.dbengine.dispose()


def model(module, table):
    return SimpleNamespace(class_=type("Model", (), {"__module__": module}), tables=[SimpleNamespace(name=table)])


@pytest.mark.parametrize("mapper, message", [
    (model("crm.models", "contacts_account"), "'crm' defines table 'contacts_account' (Model) without its prefix 'crm_'"),
    (model("notify.models", "notify_sms_extra"), "'notify' defines table 'notify_sms_extra', which carries the prefix "
                                                 "'notify_sms_' of 'notify_sms'"),
])
def test_a_table_without_its_plugins_prefix_stops_startup(mapper, message):
    owners = [("core", "core", "core_"), ("crm", "crm", "crm_"), ("notify", "notify", "notify_"),
              ("notify_sms", "notify_sms", "notify_sms_"), ("contacts", "plugins.contacts", "contacts_")]
    with pytest.raises(ConfigurationError, match=re.escape(message)):
        check_tables([mapper], owners)
    check_tables([model("elsewhere.models", "anything"), model("notify_sms.models", "notify_sms_log")], owners)


def test_two_plugins_with_one_table_prefix_stop_startup():
    with pytest.raises(ConfigurationError, match="table prefix 'crm_' is used by both 'crm' and 'crm2'"):
        check_tables([], [("crm", "crm", "crm_"), ("crm2", "crm2", "crm_")])
