"""``POST /api/auth/login`` and ``GET /api/auth/me``."""
from __future__ import annotations

import colander
from pyramid.security import NO_PERMISSION_REQUIRED
from sqlalchemy import select

from core.api import Forbidden, Unauthorized, api_service, ok
from core.auth import AUTHENTICATED, current_user, issue_token
from core.models import User
from core.passwords import verify_password
from core.views.users import user_json

login = api_service(name="core.login", path="/api/auth/login", description="Sign in: exchange a username and password for a JWT.")
me = api_service(name="core.me", path="/api/auth/me", description="The signed-in user.")


class LoginBody(colander.MappingSchema):
    username = colander.SchemaNode(colander.String(), validator=colander.Length(1, 150))
    password = colander.SchemaNode(colander.String(), validator=colander.Length(1, 1024))


class LoginRequest(colander.MappingSchema):
    body = LoginBody()


WRONG_CREDENTIALS = "用户名或密码错误"


@login.post(schema=LoginRequest(), permission=NO_PERMISSION_REQUIRED,
            response_schemas={"200": colander.MappingSchema(description="token, expires_in, user"),
                              "400": colander.MappingSchema(description="missing username or password"),
                              "401": colander.MappingSchema(description="unknown user or wrong password"),
                              "403": colander.MappingSchema(description="user is inactive (code 4003)")})
def post_login(request):
    body = request.validated["body"]
    user = request.dbsession.scalar(select(User).where(User.username == body["username"]))
    # the same answer for an unknown user and a wrong password: usernames stay private
    if not verify_password(user.password_hash if user else None, body["password"]):
        raise Unauthorized(WRONG_CREDENTIALS)
    if not user.is_active:
        raise Forbidden("账号已停用")
    token, lifetime = issue_token(request.registry, user)
    return ok(request, {"token": token, "expires_in": lifetime, "user": user_json(user)}, "登录成功")


@me.get(permission=AUTHENTICATED)
def get_me(request):
    return ok(request, user_json(current_user(request)), "获取成功")


def includeme(config) -> None:
    config.add_cornice_service(login)
    config.add_cornice_service(me)
