"""Admin user management: ``/api/users`` and ``/api/users/{id}``."""
from __future__ import annotations

import colander
from sqlalchemy import select

from core.accounts import apply_user_fields, check_new_password, create_user
from core.api import MAX_ID, BadRequest, NotFound, answer_schema, api_service, ok, page_nodes, paginate, path_id
from core.auth import ADMIN, current_user
from core.db import contains_text
from core.inputs import Pattern, email_address, single_line, web_url
from core.models import User
from core.passwords import MAX_PASSWORD_LENGTH

users = api_service(name="core.users", path="/api/users", description="Users of the site (admin only).")
user = api_service(name="core.user", path="/api/users/{id:\\d+}", description="One user (admin only).")

ROLE_PATTERN = r"^[a-z][a-z0-9_]{0,49}$"


def user_json(person: User) -> dict:
    return {
        "id": person.id, "username": person.username, "name": person.name, "email": person.email,
        "mobile": person.mobile, "role": person.role, "is_active": person.is_active, "work_id": person.work_id,
        "avatar": person.avatar, "department": person.department, "location": person.location,
    }


class UserData(colander.MappingSchema):
    """What the API shows of a user (``data`` of GET /api/users/{id}; the fields that are never null)."""

    id = colander.SchemaNode(colander.Integer(), validator=colander.Range(1, MAX_ID))
    username = colander.SchemaNode(colander.String())
    name = colander.SchemaNode(colander.String())
    role = colander.SchemaNode(colander.String())
    is_active = colander.SchemaNode(colander.Boolean())


def _optional(node_type, **kw):
    return colander.SchemaNode(node_type, missing=colander.drop, **kw)


class UserFields(colander.MappingSchema):
    name = _optional(colander.String(), validator=colander.All(colander.Length(0, 150), single_line))
    email = _optional(colander.String(allow_empty=True), validator=colander.All(colander.Length(0, 254), email_address))
    mobile = _optional(colander.String(allow_empty=True), validator=Pattern(r"^\+?[0-9 -]{0,31}$", "不是有效的手机号"))
    role = _optional(colander.String(), validator=Pattern(ROLE_PATTERN, "角色名只能包含小写字母、数字和下划线"))
    is_active = _optional(colander.Boolean(false_choices=("false", "0"), true_choices=("true", "1")))
    work_id = _optional(colander.String(allow_empty=True), validator=colander.All(colander.Length(0, 64), single_line))
    avatar = _optional(colander.String(allow_empty=True), validator=colander.All(colander.Length(0, 500), web_url))
    department = _optional(colander.String(allow_empty=True), validator=colander.All(colander.Length(0, 150), single_line))
    location = _optional(colander.String(allow_empty=True), validator=colander.All(colander.Length(0, 150), single_line))
    password = _optional(colander.String(), validator=colander.Length(1, MAX_PASSWORD_LENGTH))


class NewUserFields(UserFields):
    username = colander.SchemaNode(colander.String(), validator=Pattern(r"^[\w.@+-]{1,150}$", "用户名只能包含字母、数字和 .@+-_"))
    password = colander.SchemaNode(colander.String(), validator=colander.Length(1, MAX_PASSWORD_LENGTH))
    role = colander.SchemaNode(colander.String(), validator=Pattern(ROLE_PATTERN, "角色名只能包含小写字母、数字和下划线"))


class ListUsersRequest(colander.MappingSchema):
    querystring = colander.SchemaNode(colander.Mapping(), *page_nodes("limit", 20),
                                      colander.SchemaNode(colander.String(), name="role", missing=None,
                                                          validator=colander.Length(max=50)),
                                      colander.SchemaNode(colander.String(), name="search", missing=None,
                                                          validator=colander.Length(max=150)))


class CreateUserRequest(colander.MappingSchema):
    body = NewUserFields()


class UpdateUserRequest(colander.MappingSchema):
    body = UserFields()


@users.get(schema=ListUsersRequest(), permission=ADMIN)
def list_users(request):
    query = request.validated["querystring"]
    statement = select(User).order_by(User.id)
    if query["role"]:
        statement = statement.where(User.role == query["role"])
    if query["search"]:
        statement = statement.where(contains_text(query["search"], User.username, User.name))
    page = paginate(request.dbsession, statement, query["page"], query["limit"])
    return ok(request, page.as_count_next_previous(request, [user_json(u) for u in page.items]), "获取成功")


@users.post(schema=CreateUserRequest(), permission=ADMIN)
def post_user(request):
    body = request.validated["body"]
    check_new_password(request.registry, body["password"], body["username"])
    return ok(request, user_json(create_user(request.dbsession, **body)), "创建成功")


def _get_user(request) -> User:
    person = request.dbsession.get(User, path_id(request, "id", "用户不存在"))
    if person is None:
        raise NotFound("用户不存在")
    return person


@user.get(permission=ADMIN, response_schemas={"200": answer_schema(UserData(), "the user")})
def get_user(request):
    return ok(request, user_json(_get_user(request)), "获取成功")


@user.patch(schema=UpdateUserRequest(), permission=ADMIN)
def patch_user(request):
    person = _get_user(request)
    fields = request.validated["body"]
    if person.id == current_user(request).id and (fields.get("is_active") is False or fields.get("role", ADMIN) != ADMIN):
        raise BadRequest.field("role", "不能停用自己或取消自己的管理员角色")
    if "password" in fields:
        check_new_password(request.registry, fields["password"], person.username)
    return ok(request, user_json(apply_user_fields(request.dbsession, person, fields)), "更新成功")


@user.delete(permission=ADMIN)
def delete_user(request):
    """Deactivates: whatever the user created keeps its author."""
    person = _get_user(request)
    if person.id == current_user(request).id:
        raise BadRequest.field("id", "不能删除自己")
    apply_user_fields(request.dbsession, person, {"is_active": False})
    return ok(request, None, "删除成功")


def includeme(config) -> None:
    config.add_cornice_service(users)
    config.add_cornice_service(user)
