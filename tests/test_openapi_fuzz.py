"""Every operation in /api/openapi.json, fed inputs generated from its own schema, never answers 500 and
answers only what the document says: a documented status, JSON, in the typed envelope of that status.

Deterministic (a derandomised search, a few examples per operation), so it guards against regressions
without making CI flaky; bench/fuzz_server.py runs the long, random search against a running server
(docs/security.md). The site is built when the module is imported — schemathesis reads the spec then —
on its own SQLite file.
"""
import tempfile

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from core import migrate
from core.accounts import create_user
from core.app import make_config
from core.auth import issue_token
from core.db import transaction_scope
from core.models import User
from core.testing import settings_for
from tests.support import ALL_PLUGINS

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _site():
    config = make_config(settings_for(f"sqlite:///{tempfile.mkdtemp()}/fuzz.sqlite", ALL_PLUGINS), environ={})
    migrate.upgrade(config.registry.dbengine, migrate.units_for(config.registry), log=lambda _line: None)
    with transaction_scope(config.registry) as dbsession:
        admin = create_user(dbsession, username="fuzz-admin", password="a-long-fuzz-phrase", role="admin", name="管理员")
        create_user(dbsession, username="fuzz-engineer", password="a-long-fuzz-phrase", role="engineer")
    return config, admin.id


CONFIG, ADMIN_ID = _site()
APP = CONFIG.make_wsgi_app()
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", APP)


def admin_token() -> str:
    """A token of the admin as they are now (a generated POST /api/auth/logout ends the earlier ones)."""
    with transaction_scope(CONFIG.registry) as dbsession:
        return issue_token(CONFIG.registry, dbsession.get(User, ADMIN_ID))[0]


@schema.parametrize()
@settings(max_examples=6, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_every_answer_is_one_the_spec_documents(case):
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {admin_token()}"}
    case.call_and_validate(checks=CHECKS)
