"""Who is asking: JWT bearer tokens, the security policy and role-based permissions.

Every view declares a permission. ``authenticated`` (the default) needs a valid
token of an active user; ``admin`` needs the admin role; any other permission
(``notify.send``…) is granted to the roles a plugin declares by default
(``config.declare_permission``) or that the ini lists in ``tessera.permission.<name>``.
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Iterable

import jwt
from pyramid.interfaces import ISecurityPolicy
from pyramid.request import Request, RequestLocalCache
from pyramid.security import Allowed, Denied
from sqlalchemy import bindparam, select
from sqlalchemy.orm import make_transient_to_detached
from zope.interface import implementer

from core.api import MAX_ID
from core.db import reading_before_work
from core.models import User
from core.registrations import claim
from core.settings import as_list
from core.throttle import LoginLimits

log = logging.getLogger(__name__)

AUTHENTICATED = "authenticated"
ADMIN = "admin"
_ALGORITHM = "HS256"


class TokenError(Exception):
    """Why a token was refused, in words a client can show."""


def issue_token(registry, user: User) -> tuple[str, int]:
    lifetime = registry.settings["tessera.jwt_lifetime"]
    now = int(registry.clock.now().timestamp())
    claims = {"sub": str(user.id), "ver": user.token_version or 0, "iat": now, "exp": now + lifetime}
    return jwt.encode(claims, registry.settings["tessera.jwt_secret"], algorithm=_ALGORITHM), lifetime


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    version: int


# the leeway for a token issued by another process whose clock runs a little ahead
_CLOCK_SKEW_SECONDS = 60


def _whole_number(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def read_token(registry, token: str) -> TokenClaims:
    """Whom a token speaks for; TokenError when it is malformed, tampered, of another algorithm or expired.

    Every claim is checked for its type and range: a token is only ever as long-lived as this site
    issues them (``tessera.jwt_lifetime``), whatever its ``exp`` says.
    """
    issued, expires, user_id, version = _signed_claims(registry.settings["tessera.jwt_secret"], token)
    now = registry.clock.now().timestamp()
    if issued > now + _CLOCK_SKEW_SECONDS or expires - issued > registry.settings["tessera.jwt_lifetime"]:
        raise TokenError("token lifetime is not one this site issues")
    if now >= expires:
        raise TokenError("token has expired")
    return TokenClaims(user_id, version)


# A client sends the same token with every request, and checking its signature is a third of what
# authenticating costs; the verdict on the same bytes under the same secret never changes, so it is
# remembered. Refusals are not (an exception is never cached), so garbage cannot fill it, and the
# time checks above still run on every request.
@functools.lru_cache(maxsize=4096)
def _signed_claims(secret: str, token: str) -> tuple[int, int, int, int]:
    """(iat, exp, user id, token version) of a token signed with ``secret``; TokenError otherwise."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=[_ALGORITHM],
            # times are checked against the site clock by read_token, so tests can move time
            options={"require": ["sub", "ver", "exp", "iat"], "verify_exp": False, "verify_iat": False},
        )
    except jwt.InvalidSignatureError:
        raise TokenError("token signature is invalid")
    except jwt.InvalidAlgorithmError:
        raise TokenError("token algorithm is not accepted")
    except jwt.InvalidTokenError:
        raise TokenError("token is malformed")
    issued, expires, version, subject = claims["iat"], claims["exp"], claims["ver"], claims["sub"]
    if not (_whole_number(issued) and _whole_number(expires) and _whole_number(version)
            and isinstance(subject, str) and subject.isascii() and subject.isdigit() and 0 < int(subject) <= MAX_ID):
        raise TokenError("token is malformed")
    return issued, expires, int(subject), version


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
            claims = read_token(request.registry, token)
        except TokenError as exc:
            request.environ["tessera.auth_error"] = str(exc)
            return None
        user = _signed_in_user(request, claims.user_id)
        if user is None or not user.is_active:
            request.environ["tessera.auth_error"] = "user is unknown or inactive"
            return None
        if user.token_version != claims.version:
            request.environ["tessera.auth_error"] = "token was revoked (signed out, password changed or account changed)"
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
        if permission not in request.registry.tessera_permissions:
            log.error("view declares unknown permission %r; declare it with config.declare_permission", permission)
            return Denied(f"unknown permission {permission}")
        if user_has_permission(request.registry, user, permission):
            return Allowed(f"role {user.role} has {permission}")
        return Denied(f"role {user.role} lacks {permission}")

    def remember(self, request, userid, **kw):
        return []

    def forget(self, request, **kw):
        return []


_USER_ROW = select(*User.__table__.columns).where(User.__table__.c.id == bindparam("user_id"))


def _signed_in_user(request: Request, user_id: int) -> User | None:
    """The user ``user_id`` in ``request.dbsession``, as ``dbsession.get`` would give it, at half the cost.

    Every request asks this once, and the ORM's load of one row took more than its query:
    the row is read with a statement built once (``reading_before_work``: not yet inside a
    writer's lock) and made the session's own, persistent and unchanged
    (``make_transient_to_detached`` resets what the constructor recorded as changes).
    """
    with reading_before_work(request) as connection:
        row = connection.execute(_USER_ROW, {"user_id": user_id}).first()
    if row is None:
        return None
    user = User(**row._mapping)
    make_transient_to_detached(user)
    request.dbsession.add(user)
    return user


def user_has_permission(registry, user: User, permission: str) -> bool:
    """Whether ``user``'s role has a declared ``permission`` (admins have every one) — outside a request too,
    e.g. when a worker acts in a user's name. An undeclared permission is nobody's but the admins'."""
    return user.is_admin or user.role in registry.tessera_permissions.get(permission, ())


def declare_permission(config, name: str, default_roles: Iterable[str] = ()) -> None:
    """Config directive: declare a permission; ``tessera.permission.<name>`` in the ini overrides its roles."""
    claim(config.registry, "permission", name)
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
    config.registry.tessera_login_limits = LoginLimits.from_settings(config.registry.settings)
    config.add_directive("declare_permission", declare_permission)
    config.set_security_policy(TokenSecurityPolicy())
    config.set_default_permission(AUTHENTICATED)
    config.declare_permission(ADMIN, default_roles=[ADMIN])
    config.add_forbidden_view(forbidden_view)

