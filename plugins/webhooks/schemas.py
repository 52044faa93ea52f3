"""Request schemas of the webhooks API."""
from __future__ import annotations

from urllib.parse import urlsplit

import colander

from core.toolkit import page_nodes
from plugins.webhooks.models import DELIVERY_STATES
from plugins.webhooks.signing import secret_key

MAX_URL = 2000


def http_url(node, value: str) -> None:
    """An absolute http(s) URL with a host, no spaces or control characters."""
    try:
        parts = urlsplit(value)
        acceptable = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # a malformed [IPv6] host or port
        acceptable = False
    if not acceptable or any(ch.isspace() or not ch.isprintable() for ch in value):
        raise colander.Invalid(node, "须为 http:// 或 https:// 开头、含主机名的地址，且不含空白字符")


def whsec_secret(node, value: str) -> None:
    try:
        secret_key(value)
    except ValueError as exc:
        raise colander.Invalid(node, str(exc))


@colander.deferred
def known_event_type(_node, kw):
    return colander.OneOf(sorted(kw["registry"].webhooks_event_types))


def url_node(**kw) -> colander.SchemaNode:
    return colander.SchemaNode(colander.String(), validator=colander.All(colander.Length(1, MAX_URL), http_url),
                               description="接收事件的地址（http/https）", **kw)


def event_types_node(**kw) -> colander.SchemaNode:
    return colander.SchemaNode(
        colander.Sequence(), colander.SchemaNode(colander.String(), name="type", validator=known_event_type),
        validator=colander.Length(min=1, max=50), description="订阅的事件类型（见 event_types 接口）", **kw)


def endpoint_nodes(required: bool) -> list[colander.SchemaNode]:
    """The fields of an endpoint; in a change every one may be left out."""
    optional = {} if required else {"missing": colander.drop}
    return [
        url_node(name="url", **optional),
        event_types_node(name="event_types", **optional),
        colander.SchemaNode(colander.String(allow_empty=True), name="description", validator=colander.Length(0, 500),
                            missing="" if required else colander.drop),
        colander.SchemaNode(colander.String(), name="secret", validator=whsec_secret, missing=colander.drop,
                            description="whsec_ 加 base64 密钥；省略时新建端点会生成一个"),
        colander.SchemaNode(colander.Boolean(false_choices=("false", "0"), true_choices=("true", "1")), name="is_active",
                            missing=True if required else colander.drop,
                            description="false 停用：不再收到事件，待发的投递作废"),
    ]


class CreateEndpointRequest(colander.MappingSchema):
    body = colander.SchemaNode(colander.Mapping(), *endpoint_nodes(required=True))


class ChangeEndpointRequest(colander.MappingSchema):
    body = colander.SchemaNode(colander.Mapping(), *endpoint_nodes(required=False))


class ListEndpointsRequest(colander.MappingSchema):
    querystring = colander.SchemaNode(colander.Mapping(), *page_nodes("limit", 20))


class ListDeliveriesRequest(colander.MappingSchema):
    querystring = colander.SchemaNode(
        colander.Mapping(), *page_nodes("limit", 20),
        colander.SchemaNode(colander.String(), name="state", missing=None, validator=colander.OneOf(DELIVERY_STATES),
                            description="/".join(DELIVERY_STATES)),
        colander.SchemaNode(colander.String(), name="event_type", missing=None, validator=colander.Length(1, 100)))
