"""The permission matrix, generated from the route table: every operation of every enabled plugin is called
with no token, a bad token, an inactive user's token and each role's, and answers what its declared
permission says. A route that declares no permission fails here before it ships."""
from __future__ import annotations

import re

import pytest
from pyramid.interfaces import IRoutesMapper
from pyramid.security import NO_PERMISSION_REQUIRED

from core.accounts import apply_user_fields
from core.auth import ADMIN, AUTHENTICATED
from core.db import transaction_scope
from core.models import User

#: routes served outside Cornice, with the permission their view is registered with (core/openapi.py)
PLAIN_ROUTES = {"core.openapi": NO_PERMISSION_REQUIRED, "core.docs": NO_PERMISSION_REQUIRED,
                "core.docs_asset": NO_PERMISSION_REQUIRED}
#: roles of the shipped defaults, plus one that no permission names
ROLES = (ADMIN, "engineer", "sales", "finance")
_PLACEHOLDER = re.compile(r"\{(\w+)(?::[^}]+)?\}")


def operations(registry):
    """(service name, method, concrete path, permission) for every Cornice view of the site; signing out last."""
    for service in sorted(registry.cornice_services.values(), key=lambda s: (s.name == "core.logout", s.name)):
        for method, _view, args in service.definitions:
            if method != "HEAD":
                yield service.name, method, _PLACEHOLDER.sub("999999", service.path), args.get("permission")


def test_every_route_declares_a_permission(site):
    cornice_paths = {service.path: service for service in site.registry.cornice_services.values()}
    undeclared = []
    for route in site.registry.getUtility(IRoutesMapper).get_routes():
        service = cornice_paths.get(route.pattern)
        if service is None:
            if route.name not in PLAIN_ROUTES:
                undeclared.append(f"{route.name} {route.pattern}: not a Cornice service and not in PLAIN_ROUTES")
            continue
        undeclared += [f"{method} {route.pattern}" for method, _view, args in service.definitions
                       if args.get("permission") is None]
    assert undeclared == [], "declare permission= on each view (AUTHENTICATED, a declared one or NO_PERMISSION_REQUIRED)"


def _call(site, method, path, authorization=None):
    headers = {"Authorization": authorization} if authorization else {}
    body = {} if method == "GET" else {"body": b"{}", "content_type": "application/json"}
    return site.app.request(path, method=method, headers=headers, expect_errors=True, **body)


@pytest.fixture
def identities(site):
    tokens = {role: f"Bearer {site.token(site.create_user(f'matrix-{role}', role=role))}" for role in ROLES}
    inactive = site.create_user("matrix-gone")
    tokens["inactive"] = f"Bearer {site.token(inactive)}"
    with transaction_scope(site.registry) as dbsession:
        apply_user_fields(dbsession, dbsession.get(User, inactive.id), {"is_active": False})
    tokens["bad token"] = "Bearer not.a.token"
    tokens["no token"] = None
    return tokens


def _expected(registry, permission, identity) -> str:
    if permission == NO_PERMISSION_REQUIRED:
        return "served"
    if identity in ("no token", "bad token", "inactive"):
        return "401"
    if permission == AUTHENTICATED or identity == ADMIN or identity in registry.tessera_permissions[permission]:
        return "served"
    return "403"


def test_every_operation_answers_each_identity_as_its_permission_says(site, identities):
    wrong = []
    for name, method, path, permission in operations(site.registry):
        for identity, authorization in identities.items():
            status = _call(site, method, path, authorization).status_int
            expected = _expected(site.registry, permission, identity)
            held = status < 500 and (status == int(expected) if expected != "served" else status not in (401, 403))
            if not held:
                wrong.append(f"{method} {path} ({name}, {permission}) as {identity}: {status}, expected {expected}")
    assert wrong == []
