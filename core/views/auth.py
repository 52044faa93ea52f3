"""Signing in and out: ``POST /api/auth/login``, ``/logout``, ``/password`` and ``GET /api/auth/me``.

A password is verified outside any database transaction: the hash is read in
one short transaction, argon2 runs with no lock held, and the outcome is
written in another. A slow hash never keeps other requests waiting on SQLite.
"""
from __future__ import annotations

import colander
from pyramid.security import NO_PERMISSION_REQUIRED
from sqlalchemy import select

from core import throttle
from core.accounts import apply_user_fields, check_new_password
from core.api import BadRequest, TooManyRequests, answer_schema, api_service, envelope_response, ok
from core.auth import AUTHENTICATED, current_user, issue_token
from core.models import User
from core.passwords import MAX_PASSWORD_LENGTH, verify_password
from core.views.users import UserData, user_json

login = api_service(name="core.login", path="/api/auth/login", description="Sign in: exchange a username and password for a JWT.")
logout = api_service(name="core.logout", path="/api/auth/logout",
                     description="Sign out everywhere: every token of the caller stops working.")
password = api_service(name="core.password", path="/api/auth/password",
                       description="Change one's own password (the current one is required); other tokens stop working.")
me = api_service(name="core.me", path="/api/auth/me", description="The signed-in user.")


def _password_node(name: str):
    return colander.SchemaNode(colander.String(), name=name, validator=colander.Length(1, MAX_PASSWORD_LENGTH))


class LoginBody(colander.MappingSchema):
    username = colander.SchemaNode(colander.String(), validator=colander.Length(1, 150))
    password = _password_node("password")


class LoginRequest(colander.MappingSchema):
    body = LoginBody()


class PasswordBody(colander.MappingSchema):
    old_password = _password_node("old_password")
    new_password = _password_node("new_password")


class PasswordRequest(colander.MappingSchema):
    body = PasswordBody()


class TokenData(colander.MappingSchema):
    token = colander.SchemaNode(colander.String(), description="send as Authorization: Bearer <token>")
    expires_in = colander.SchemaNode(colander.Integer(), description="seconds the token stays valid")
    user = UserData()


WRONG_CREDENTIALS = "用户名或密码错误"


def _token_answer(request, user: User, message: str) -> dict:
    token, lifetime = issue_token(request.registry, user)
    return ok(request, {"token": token, "expires_in": lifetime, "user": user_json(user)}, message)


@login.post(schema=LoginRequest(), permission=NO_PERMISSION_REQUIRED,
            response_schemas={"200": answer_schema(TokenData(), "token, expires_in, user"),
                              "400": colander.MappingSchema(description="missing username or password"),
                              "401": colander.MappingSchema(
                                  description="unknown user, wrong password or deactivated account (one answer for all)"),
                              "429": colander.MappingSchema(
                                  description="too many failed sign-ins for this username or address; see Retry-After")})
def post_login(request):
    body = request.validated["body"]
    registry = request.registry
    limits = registry.tessera_login_limits
    keys = limits.keys(body["username"], throttle.client_address(request))
    now = registry.clock.now()
    wait = throttle.seconds_refused(request.dbsession, limits, keys, now)
    if wait:
        raise TooManyRequests(f"登录失败次数过多，请 {wait} 秒后再试", {"retry_after": wait},
                              headers={"Retry-After": str(wait)})
    account = request.dbsession.execute(select(User.id, User.password_hash, User.is_active)
                                        .where(User.username == body["username"])).first()
    _end_the_transaction(request)
    # the same answer for an unknown user, a wrong password and a deactivated account: accounts stay private
    if not (verify_password(account.password_hash if account else None, body["password"]) and account.is_active):
        throttle.record_failure(request.dbsession, limits, keys, now)
        return envelope_response(request, 401, WRONG_CREDENTIALS)  # an answer, not an error: the count is committed
    throttle.clear_user(request.dbsession, limits, body["username"])
    return _token_answer(request, request.dbsession.get(User, account.id), "登录成功")


@logout.post(permission=AUTHENTICATED, response_schemas={"200": colander.MappingSchema(description="signed out")})
def post_logout(request):
    current_user(request).revoke_tokens()
    return ok(request, None, "已退出登录")


def _end_the_transaction(request) -> None:
    """End the request's transaction (it only read) and begin the one its writes go in: argon2 runs between."""
    request.tm.abort()
    request.tm.begin()


@password.post(schema=PasswordRequest(), permission=AUTHENTICATED,
               response_schemas={"200": answer_schema(TokenData(), "a new token, expires_in, user"),
                                 "400": colander.MappingSchema(
                                     description="old_password is wrong, or new_password breaks the policy")})
def post_password(request):
    body = request.validated["body"]
    user_id, username = current_user(request).id, current_user(request).username
    check_new_password(request.registry, body["new_password"], username, field="new_password")
    password_hash = current_user(request).password_hash
    _end_the_transaction(request)
    if not verify_password(password_hash, body["old_password"]):
        raise BadRequest.field("old_password", "当前密码不正确")
    user = request.dbsession.get(User, user_id)
    apply_user_fields(request.dbsession, user, {"password": body["new_password"]})
    return _token_answer(request, user, "密码已修改")


@me.get(permission=AUTHENTICATED, response_schemas={"200": answer_schema(UserData(), "the signed-in user")})
def get_me(request):
    return ok(request, user_json(current_user(request)), "获取成功")


def includeme(config) -> None:
    for service in (login, logout, password, me):
        config.add_cornice_service(service)
