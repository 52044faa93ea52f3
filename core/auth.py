"""Who is asking: JWT bearer tokens, the security policy and role-based permissions.

Every view declares a permission. ``authenticated`` (the default) needs a valid
token of an active user; ``admin`` needs the admin role; any other permission
(``notify.send``…) is granted to the roles a plugin declares by default
(``config.declare_permission``) or that the ini lists in ``tessera.permission.<name>``.
"""
from __future__ import annotations

import logging
from typing import Iterable

import jwt
from pyramid.interfaces import ISecurityPolicy
from pyramid.request import Request, RequestLocalCache
from pyramid.security import Allowed, Denied
from zope.interface import implementer

from core.models import User
from core.settings import as_list

log = logging.getLogger(__name__)

AUTHENTICATED = "authenticated"
ADMIN = "admin"
_ALGORITHM = "HS256"


class TokenError(Exception):
    """Why a token was refused, in words a client can show."""


def issue_token(registry, user: User) -> tuple[str, int]:
    lifetime = registry.settings["tessera.jwt_lifetime"]
    now = registry.clock.now()
    claims = {"sub": str(user.id), "iat": int(now.timestamp()), "exp": int(now.timestamp()) + lifetime}
    return jwt.encode(claims, registry.settings["tessera.jwt_secret"], algorithm=_ALGORITHM), lifetime


def read_token(registry, token: str) -> int:
    """The user id a token speaks for; TokenError when it is malformed, tampered, of another algorithm or expired."""
    try:
        claims = jwt.decode(
            token, registry.settings["tessera.jwt_secret"], algorithms=[_ALGORITHM],
            # expiry is checked against the site clock below, so tests can move time
            options={"require": ["sub", "exp", "iat"], "verify_exp": False, "verify_iat": False},
        )
    except jwt.InvalidSignatureError:
        raise TokenError("token signature is invalid")
    except jwt.InvalidAlgorithmError:
        raise TokenError("token algorithm is not accepted")
    except jwt.InvalidTokenError:
        raise TokenError("token is malformed")
    if registry.clock.now().timestamp() >= claims["exp"]:
        raise TokenError("token has expired")
    try:
        return int(claims["sub"])
    except (TypeError, ValueError):
        raise TokenError("token is malformed")


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() in ("bearer", "jwt") and token.strip():
        return token.strip()
    if header:
        request.environ["tessera.auth_error"] = "Authorization header must be 'Bearer <token>' or 'JWT <token>'"
    return None


@implementer(ISecurityPolicy)
class TokenSecurityPolicy:
    def __init__(self):
        # Pyramid asks for the identity several times a request (views, pyramid_tm); resolve it once
        self.identity_cache = RequestLocalCache(self._load_identity)

    def identity(self, request: Request) -> User | None:
        return self.identity_cache.get_or_create(request)

    def _load_identity(self, request: Request) -> User | None:
        token = bearer_token(request)
        if token is None:
            return None
        try:
            user_id = read_token(request.registry, token)
        except TokenError as exc:
            request.environ["tessera.auth_error"] = str(exc)
            return None
        user = request.dbsession.get(User, user_id)
        if user is None or not user.is_active:
            request.environ["tessera.auth_error"] = "user is unknown or inactive"
            return None
        request.registry.tessera_plugin_manager.hook.tessera_authenticated_request(request=request, user=user)
        return user

    def authenticated_userid(self, request: Request) -> int | None:
        user = request.identity
        return user.id if user else None

    def permits(self, request: Request, context, permission: str):
        user = request.identity
        if user is None:
            return Denied("authentication required")
        if permission == AUTHENTICATED or user.is_admin:
            return Allowed("admin" if user.is_admin else "authenticated")
        roles = request.registry.tessera_permissions.get(permission)
        if roles is None:
            log.error("view declares unknown permission %r; declare it with config.declare_permission", permission)
            return Denied(f"unknown permission {permission}")
        if user.role in roles:
            return Allowed(f"role {user.role} has {permission}")
        return Denied(f"role {user.role} lacks {permission}")

    def remember(self, request, userid, **kw):
        return []

    def forget(self, request, **kw):
        return []


def declare_permission(config, name: str, default_roles: Iterable[str] = ()) -> None:
    """Config directive: declare a permission; ``tessera.permission.<name>`` in the ini overrides its roles."""
    configured = config.registry.settings.get(f"tessera.permission.{name}")
    roles = set(as_list(configured)) if configured is not None else set(default_roles)
    config.registry.tessera_permissions[name] = roles | {ADMIN}


def forbidden_view(exc, request: Request):
    """Pyramid denies both the anonymous and the unauthorised: answer 401 and 403 respectively."""
    from core.api import envelope_response

    if request.identity is None:
        reason = request.environ.get("tessera.auth_error", "authentication required: send 'Authorization: Bearer <token>'")
        return envelope_response(request, 401, f"未认证: {reason}")
    return envelope_response(request, 403)


def current_user(request: Request) -> User:
    """The signed-in user of a view that declared a permission (never None there)."""
    return request.identity


def includeme(config) -> None:
    config.registry.tessera_permissions = {}
    config.add_directive("declare_permission", declare_permission)
    config.set_security_policy(TokenSecurityPolicy())
    config.set_default_permission(AUTHENTICATED)
    config.declare_permission(ADMIN, default_roles=[ADMIN])
    config.add_forbidden_view(forbidden_view)

