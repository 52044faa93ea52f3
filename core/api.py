"""API conventions shared by every plugin: envelopes, errors, validation, pagination.

A plugin declares, for the path prefix it serves, which envelope its clients
expect (``config.add_api_prefix``). Every answer under that prefix — success,
validation error, 401/403/404, 413, 429 or an unexpected 500 — is then written
in that envelope, with a real HTTP status.
"""
from __future__ import annotations

import json
import logging
import math
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping
from urllib.parse import urlencode

import colander
import cornice
import orjson
from cornice.pyramidhook import register_service_views
from cornice.renderer import CorniceRenderer
from pyramid.httpexceptions import HTTPException
from pyramid.request import Request
from pyramid.response import Response
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from core.inputs import json_problem, text_problem
from core.registrations import claim

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024


# --- envelopes ---------------------------------------------------------------

@dataclass(frozen=True)
class Envelope:
    """How a family of endpoints wraps its answers: ``{"code", <message_key>, "data"}``.

    ``error_codes`` maps an HTTP status to the envelope's code for it; a status
    not listed gets ``other_error_code``, or the status itself when that is None.
    """

    message_key: str
    success_code: int
    error_codes: Mapping[int, int] = field(default_factory=dict)
    other_error_code: int | None = None
    default_messages: Mapping[int, str] = field(default_factory=dict)

    def code_for(self, status: int) -> int:
        if status < 400:
            return self.success_code
        return self.error_codes.get(status, self.other_error_code or status)

    def body(self, status: int, message: str, data: Any, code: int | None = None) -> dict:
        return {"code": code or self.code_for(status), self.message_key: message, "data": data}


_MESSAGES = {
    400: "参数错误", 401: "未认证或登录已过期", 403: "权限不足", 404: "资源不存在",
    405: "请求方法不允许", 409: "资源冲突", 413: "请求体过大", 415: "不支持的媒体类型",
    429: "请求过于频繁", 500: "服务器内部错误",
}

#: ``{"code": 2000, "msg", "data"}`` with business codes 4000/4001/4003/4004/4005 (and 401):
#: the first client spec's vocabulary, also used by the core's own endpoints.
BUSINESS_CODE_ENVELOPE = Envelope(
    message_key="msg", success_code=2000,
    error_codes={400: 4001, 401: 401, 403: 4003, 404: 4004, 409: 4005},
    other_error_code=4000, default_messages=_MESSAGES,
)
#: ``{"code": 200, "message", "data"}`` where the code is the HTTP status: the contacts spec's vocabulary.
HTTP_CODE_ENVELOPE = Envelope(message_key="message", success_code=200, default_messages=_MESSAGES)


@dataclass(frozen=True)
class ApiPrefix:
    path: str
    envelope: Envelope
    trailing_slash: bool


def add_api_prefix(config, path: str, envelope: Envelope, trailing_slash: bool = False) -> None:
    """Config directive: answers under ``path`` use ``envelope``.

    With ``trailing_slash=True`` the services under it are declared with a
    trailing slash and requests without one are served the same (no redirect,
    so POST bodies survive) — except paths whose last segment has a dot (``export.ics``).
    """
    claim(config.registry, "API prefix", path.rstrip("/") or "/")
    prefixes = config.registry.tessera_api_prefixes
    prefixes.append(ApiPrefix(path.rstrip("/"), envelope, trailing_slash))
    prefixes.sort(key=lambda p: len(p.path), reverse=True)


def _prefix_of(registry, path: str) -> ApiPrefix | None:
    for prefix in registry.tessera_api_prefixes:
        if path == prefix.path or path.startswith(prefix.path + "/"):
            return prefix
    return None


def envelope_for(registry, path: str) -> Envelope:
    """The envelope of the answers under ``path`` on this site."""
    prefix = _prefix_of(registry, path)
    return prefix.envelope if prefix else BUSINESS_CODE_ENVELOPE


def request_envelope(request: Request) -> Envelope:
    return envelope_for(request.registry, request.path_info)


def ok(request: Request, data: Any = None, message: str = "操作成功") -> dict:
    """The success body for this request's envelope. ``data`` None becomes ``{}`` or ``null`` as the envelope expects."""
    envelope = request.envelope
    if data is None and envelope is BUSINESS_CODE_ENVELOPE:
        data = {}
    return envelope.body(200, message, data)


# --- JSON out ------------------------------------------------------------------------

def json_bytes(value: Any, default: Callable | None = None, **_options) -> bytes:
    """Compact UTF-8 JSON (Chinese as itself, not ``\\uXXXX``): orjson, several times faster than ``json``."""
    return orjson.dumps(value, default=default, option=orjson.OPT_NON_STR_KEYS)


#: the renderer of every ``api_service`` view: Cornice's, writing with ``json_bytes``
JSON_RENDERER = "tessera_json"


def envelope_response(request: Request, status: int, message: str | None = None, data: Any = None,
                      code: int | None = None, headers: Mapping[str, str] | None = None) -> Response:
    envelope = request.envelope if hasattr(request, "envelope") else BUSINESS_CODE_ENVELOPE
    message = message or envelope.default_messages.get(status, "请求失败")
    if data is None:
        data = {} if envelope is BUSINESS_CODE_ENVELOPE else None
    response = Response(
        body=json_bytes(envelope.body(status, message, data, code)), status=status, charset="utf-8",
        content_type="application/json",
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


# --- errors --------------------------------------------------------------------

class ApiError(Exception):
    """Raise from any view or function to answer an error in the request's envelope."""

    status = 400

    def __init__(self, message: str | None = None, data: Any = None, *, code: int | None = None,
                 headers: Mapping[str, str] | None = None):
        super().__init__(message or _MESSAGES.get(self.status, ""))
        self.message, self.data, self.code, self.headers = message, data, code, headers


class BadRequest(ApiError):
    status = 400

    @classmethod
    def field(cls, name: str, *messages: str) -> "BadRequest":
        """One invalid field: data ``{name: [messages]}``."""
        return cls(f"{name}: {messages[0]}", {name: list(messages)})


class Unauthorized(ApiError):
    status = 401


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409


class TooManyRequests(ApiError):
    status = 429


def api_error_view(exc: ApiError, request: Request) -> Response:
    return envelope_response(request, exc.status, exc.message, exc.data, exc.code, exc.headers)


def http_exception_view(exc: HTTPException, request: Request) -> Response:
    status = exc.code or 500
    if status < 400:  # redirects and the like pass through unchanged
        return exc
    headers = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
    return envelope_response(request, status, headers=headers)


def colander_invalid_view(exc: colander.Invalid, request: Request) -> Response:
    return envelope_response(request, 400, data=field_errors(exc))


def unexpected_error_view(exc: Exception, request: Request) -> Response:
    log.error("request %s %s %s failed", request.request_id, request.method, request.path, exc_info=exc)
    return envelope_response(request, 500, "服务器内部错误", {"request_id": request.request_id})


def field_errors(exc: colander.Invalid, strip_location: bool = False) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, message in exc.asdict().items():
        if strip_location:
            name = name.partition(".")[2] or name
        errors.setdefault(name, []).extend(m.strip() for m in message.split(";"))
    return errors


# --- validation -------------------------------------------------------------------

INVALID_JSON = "请求体不是有效的JSON"


class UnsupportedMediaType(ApiError):
    status = 415


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or (content_type.startswith("application/") and content_type.endswith("+json"))


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json_body(request: Request) -> Any:
    """The request's JSON body, checked as a whole (core.inputs); 415 for any other media type.

    A body in another media type is refused even where it would parse: a cross-site
    HTML form can send ``text/plain`` or a form encoding, never ``application/json``.
    """
    if not request.body:
        return {}
    if not _is_json(request.content_type):
        raise UnsupportedMediaType(f"请求体须为 application/json（收到 {request.content_type or '无 Content-Type'}）",
                                   {"body": ["Content-Type 须为 application/json"]})
    try:
        value = json.loads(request.body, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BadRequest(INVALID_JSON, {"body": [INVALID_JSON]})
    problem = json_problem(value)
    if problem:
        raise BadRequest.field(*problem)
    return value


def _query_and_path_problem(request: Request) -> tuple[str, str] | None:
    for name, value in [*request.GET.items(), *(request.matchdict or {}).items()]:
        for field_name, text in (("querystring", name), (name, str(value))):
            problem = text_problem(text)
            if problem:
                return field_name, problem
    return None


def bound_schema(registry, schema: colander.SchemaNode) -> colander.SchemaNode:
    """``schema`` bound to the site (``kw["registry"]`` for its deferreds), once per site.

    Binding copies the whole tree (a millisecond for a schedule's body, inside the write
    transaction); a site's settings do not change after start-up, so neither does the result.
    """
    bound = registry.__dict__.setdefault("tessera_bound_schemas", {})
    found = bound.get(schema)
    if found is None:
        found = bound[schema] = schema.bind(registry=registry)
    return found


def colander_validator(request: Request, schema: colander.SchemaNode | None = None, **_kw) -> None:
    """Cornice validator: validate ``body``/``querystring``/``path`` of the request against ``schema``.

    The schema is bound to the site once (``bound_schema``): deferred defaults and validators
    read the site's settings from ``kw["registry"]``, and a node's own methods from
    ``self.bindings["registry"]``; nothing of one request is bound. Errors go to ``request.errors``
    named by field (``title``, ``participants.0.name``); the result lands in
    ``request.validated["body"]`` / ``["querystring"]``.
    """
    if schema is None:
        return
    problem = _query_and_path_problem(request)
    if problem:
        raise BadRequest.field(*problem)
    schema = bound_schema(request.registry, schema)
    cstruct: dict[str, Any] = {}
    names = {child.name for child in schema.children}
    if "body" in names:
        cstruct["body"] = _json_body(request)
    if "querystring" in names:
        cstruct["querystring"] = {key: request.GET.getall(key) if key.endswith("[]") else value
                                  for key, value in request.GET.items()}
    if "path" in names:
        cstruct["path"] = dict(request.matchdict or {})
    try:
        request.validated.update(schema.deserialize(cstruct))
    except colander.Invalid as exc:
        for name, messages in field_errors(exc).items():
            location, _, field_name = name.partition(".")
            for message in messages:
                request.errors.add(location, field_name or location, message)


def cornice_error_handler(request: Request) -> Response:
    """Cornice's error handler: collected validation errors as a 400 envelope naming each field."""
    data: dict[str, list[str]] = {}
    for error in request.errors:
        data.setdefault(error["name"] or error["location"], []).append(error["description"])
    first = next(iter(data.items()), ("", [""]))
    status = getattr(request.errors, "status", 400) or 400
    return envelope_response(request, status, f"参数错误: {first[0]}: {first[1][0]}", data)


def answer_schema(data: colander.SchemaNode, description: str) -> colander.MappingSchema:
    """For ``response_schemas=``: an answer whose ``data`` is ``data`` (/api/openapi.json wraps it in the envelope)."""
    schema = colander.MappingSchema(description=description)
    schema.add(data.clone())
    schema.children[-1].name = "body"
    return schema


def api_service(**kwargs) -> cornice.Service:
    """A Cornice service with the platform's validator and error handler.

    Every view given a ``schema=`` is validated by ``colander_validator`` (its
    ``body``, ``querystring`` and ``path`` children); ``request.validated`` holds the result.

    Declare ``permission=`` on each view (``"authenticated"`` is the default);
    ``NO_PERMISSION_REQUIRED`` only for what must be public.
    """
    kwargs.setdefault("error_handler", cornice_error_handler)
    kwargs.setdefault("renderer", JSON_RENDERER)
    kwargs.setdefault("validators", (colander_validator,))
    kwargs.setdefault("cors_origins", ())
    return cornice.Service(**kwargs)


# --- ids ----------------------------------------------------------------------------

#: ids are INTEGER columns: a larger number can name no row, and the database would fail on it
MAX_ID = 2**31 - 1


def path_id(request: Request, name: str = "id", message: str | None = None) -> int:
    """The integer id in the path segment ``name``; anything no row can have answers 404 (never a 500)."""
    text = str(request.matchdict.get(name, ""))
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_ID:
        raise NotFound(message)
    return int(text)


# --- pagination -----------------------------------------------------------------

@dataclass
class Page:
    """One page of a query: the rows and the total they were cut from."""

    items: list
    total: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return math.ceil(self.total / self.size) if self.total else 0

    def as_count_next_previous(self, request: Request, results: list) -> dict:
        """``{"count", "next", "previous", "results"}`` (the business-code family's shape).

        The links are absolute under ``tessera.public_url`` when the site sets it, else relative
        to the host: never built from the request's ``Host`` header, which the client chooses.
        """
        def link(number: int) -> str:
            query = dict(request.GET)
            query["page"] = str(number)
            base = request.registry.settings["tessera.public_url"] or request.script_name
            return base + request.path_info + "?" + urlencode(query)

        return {
            "count": self.total,
            "next": link(self.number + 1) if self.number * self.size < self.total else None,
            "previous": link(self.number - 1) if self.number > 1 and self.total else None,
            "results": results,
        }

    def as_total_pages(self, results: list) -> dict:
        """``{"total", "pages", "current", "size", "list"}`` (the contacts spec's shape)."""
        return {"total": self.total, "pages": self.pages, "current": self.number, "size": self.size, "list": results}


def paginate(dbsession: Session, statement, number: int, size: int, scalars: bool = True) -> Page:
    """Run ``statement`` for one page: a count, then the page itself.

    ``scalars=False`` returns plain rows, read through the session's connection without the
    ORM's bookkeeping. A hot list whose statement can be built once uses ``PageQuery``.
    """
    count = select(func.count()).select_from(statement.order_by(None).subquery())
    page_statement = statement.limit(size).offset((number - 1) * size)
    if scalars:
        total = dbsession.scalar(count)
        # unique() folds the rows a joined eager load repeats
        items = list(dbsession.execute(page_statement).scalars().unique())
    else:
        connection = dbsession.connection()
        total = connection.execute(count).scalar()
        items = list(connection.execute(page_statement))
    return Page(items=items, total=total or 0, number=number, size=size)


class PageQuery:
    """A list's query built once and run for each request with its values as bind parameters.

    ``keys`` selects only a unique key, its filters written with ``bindparam`` (``page_size``
    and ``page_offset`` are taken: they bind the page); its count and its page are derived here once. Building a statement and its cache key each request cost
    a quarter of a schedule list's CPU; a statement kept, SQLAlchemy remembers both.

    A page's keys are read first, then their rows by ``rows_by_key``, a statement whose first
    column is the key and which takes the keys as the expanding bind parameter ``keys``. The
    database then sorts narrow index entries, not every matching row in full: a person's list
    of 280 matching rows cost 0.8 ms of SQLite time read whole, 0.25 ms this way.
    """

    def __init__(self, keys, rows_by_key):
        # the statement selects the key alone: counting needs no subquery around it
        self.count = keys.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)
        self.keys = keys.limit(bindparam("page_size")).offset(bindparam("page_offset"))
        self.rows_by_key = rows_by_key

    def page(self, dbsession: Session, number: int, size: int, parameters: Mapping[str, Any]) -> Page:
        connection = dbsession.connection()
        total = connection.execute(self.count, parameters).scalar()
        keys = connection.execute(self.keys, {**parameters, "page_size": size, "page_offset": (number - 1) * size}
                                  ).scalars().all()
        by_key = {row[0]: row for row in connection.execute(self.rows_by_key, {"keys": keys}).all()} if keys else {}
        return Page(items=[by_key[key] for key in keys], total=total or 0, number=number, size=size)


def page_nodes(size_name: str, default_size: int, max_size: int = 100) -> list[colander.SchemaNode]:
    """Query-string nodes for ``page`` (≥ 1, default 1) and the page size (1–max)."""
    return [
        colander.SchemaNode(colander.Integer(), name="page", missing=1, validator=colander.Range(min=1, max=MAX_ID),
                            description="页码，默认1"),
        colander.SchemaNode(colander.Integer(), name=size_name, missing=default_size,
                            validator=colander.Range(min=1, max=max_size),
                            description=f"每页数量，默认{default_size}，最大{max_size}"),
    ]


# --- request plumbing ---------------------------------------------------------------

def request_id(request: Request) -> str:
    return request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex


#: answers that may be cached: the docs page's static assets; every other API answer may carry tokens or personal data
_CACHEABLE_PREFIX = "/api/docs/static/"


def api_tween_factory(handler: Callable, registry) -> Callable:
    """Refuse oversized bodies before parsing, normalise trailing slashes, tag responses with the request id,
    and keep API answers out of every cache (``Cache-Control: no-store``)."""

    def tween(request: Request) -> Response:
        length = request.content_length
        if (length or 0) > MAX_BODY_BYTES or (length is None and _chunked_body_too_large(request)):
            return envelope_response(request, 413, f"请求体超过 {MAX_BODY_BYTES // 1024} KiB 上限")
        path = request.path_info
        prefix = _prefix_of(request.registry, path)
        if prefix and prefix.trailing_slash and not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
            request.path_info = path + "/"
        response = handler(request)
        response.headers["X-Request-ID"] = request.request_id
        if path.startswith("/api/") and not path.startswith(_CACHEABLE_PREFIX) and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response

    return tween


def _chunked_body_too_large(request: Request) -> bool:
    if "chunked" not in request.headers.get("Transfer-Encoding", "").lower():
        return False
    data = request.body_file_raw.read(MAX_BODY_BYTES + 1)
    if len(data) > MAX_BODY_BYTES:
        return True
    request.body = data
    return False


def add_cornice_service(config, service) -> None:
    """Config directive, in place of Cornice's own: claims the service's name and route before registering it.

    Cornice would let a second service with the same path replace the first without a word.
    """
    claim(config.registry, "service", service.name)
    claim(config.registry, "route", re.sub(r"\{[^}]*\}", "{}", service.path.rstrip("/")) or "/")
    register_service_views(config, service)


def includeme(config) -> None:
    config.registry.tessera_api_prefixes = []
    config.add_directive("add_api_prefix", add_api_prefix)
    config.add_renderer(JSON_RENDERER, CorniceRenderer(serializer=json_bytes))
    config.add_directive("add_cornice_service", add_cornice_service)
    config.add_request_method(request_envelope, "envelope", reify=True)
    config.add_request_method(request_id, "request_id", reify=True)
    config.add_tween("core.api.api_tween_factory", over="pyramid_tm.tm_tween_factory")
    config.add_exception_view(api_error_view, context=ApiError)
    config.add_exception_view(http_exception_view, context=HTTPException)
    config.add_exception_view(colander_invalid_view, context=colander.Invalid)
    config.add_exception_view(unexpected_error_view, context=Exception)
