"""Request schemas of the contacts API (camelCase, as the spec's clients send them)."""
from __future__ import annotations

import colander

from core.toolkit import MAX_ID, Pattern, email_address, page_nodes, single_line, supported_year
from plugins.contacts.models import (
    CUSTOMER_LEVELS,
    ENGINEER_STATUSES,
    PLAN_STATUSES,
    TASK_PRIORITIES,
    TASK_STATUSES,
    TASK_TYPE_PREFIXES,
)

PHONE = Pattern(r"^\+?[0-9][0-9 -]{2,30}$", "不是有效的电话号码")


ID_RANGE = colander.Range(1, MAX_ID)


def id_node(**kw) -> colander.SchemaNode:
    return colander.SchemaNode(colander.Integer(strict=True), validator=ID_RANGE, **kw)


def text(max_length: int, required: bool = True, **kw) -> colander.SchemaNode:
    """A string field: required ones need a non-blank value; optional ones may be empty."""
    if required:
        return colander.SchemaNode(colander.String(), validator=colander.All(colander.Length(1, max_length), single_line),
                                   **kw)
    return colander.SchemaNode(colander.String(allow_empty=True),
                               validator=colander.All(colander.Length(0, max_length), single_line),
                               missing=colander.drop, **kw)


def one_of(choices, **kw) -> colander.SchemaNode:
    return colander.SchemaNode(colander.String(), validator=colander.OneOf(list(choices)), **kw)


#: the most ids one request may name
MAX_IDS = 1000


def ids(**kw) -> colander.SchemaNode:
    kw.setdefault("validator", colander.Length(0, MAX_IDS))
    return colander.SchemaNode(colander.Sequence(), id_node(name="id"), **kw)


def optional(node: colander.SchemaNode) -> colander.SchemaNode:
    node = node.clone()
    node.missing = colander.drop
    return node


def when(**kw) -> colander.SchemaNode:
    kw["validator"] = colander.All(supported_year, kw["validator"]) if "validator" in kw else supported_year
    return colander.SchemaNode(colander.DateTime(default_tzinfo=None), **kw)


class ClearableDateTime(colander.SchemaNode):
    """A task's date that a change may take away: ``null`` gives None, leaving it out changes nothing."""

    validator = staticmethod(supported_year)

    @staticmethod
    def schema_type():
        return colander.DateTime(default_tzinfo=None)  # a naive time is the site's (work._times)

    def deserialize(self, cstruct=colander.null):
        return None if cstruct is None else super().deserialize(cstruct)


def query(*nodes: colander.SchemaNode) -> colander.SchemaNode:
    return colander.SchemaNode(colander.Mapping(), *nodes)


def keyword() -> colander.SchemaNode:
    return colander.SchemaNode(colander.String(), name="keyword", missing=None, validator=colander.Length(max=200),
                               description="搜索关键词")


# --- people --------------------------------------------------------------------------

class StatusBody(colander.MappingSchema):
    status = one_of(ENGINEER_STATUSES, description="online/busy/offline")


class UpdateStatusRequest(colander.MappingSchema):
    body = StatusBody()


class OtherContactsRequest(colander.MappingSchema):
    querystring = query(keyword())


# --- customers -------------------------------------------------------------------------

def customer_fields(required: bool) -> list[colander.SchemaNode]:
    """The fields a client writes on a customer; all optional in a change."""
    def need(node: colander.SchemaNode) -> colander.SchemaNode:
        return node if required else optional(node)

    return [
        need(text(200, name="name", description="客户名称")),
        need(one_of(CUSTOMER_LEVELS, name="level", description="客户级别(A/B/C)")),
        need(text(100, name="contact", description="联系人")),
        need(colander.SchemaNode(colander.String(), name="phone", validator=PHONE, description="联系电话")),
        need(text(500, name="address", description="地址")),
        colander.SchemaNode(colander.String(allow_empty=True), name="email", missing=colander.drop,
                            validator=colander.All(colander.Length(0, 254), email_address), description="邮箱，空字符串清除"),
        text(150, required=False, name="department"),
        text(150, required=False, name="position"),
    ]


def new_customer_fields() -> colander.SchemaNode:
    return colander.SchemaNode(
        colander.Mapping(), *customer_fields(required=True),
        id_node(name="salesId", missing=None, description="销售ID（工程师新增时必填）"),
        ids(name="engineerIds", missing=(), description="工程师ID列表（销售或管理员新增时可选）"),
        name="body")


class ListCustomersRequest(colander.MappingSchema):
    querystring = query(*page_nodes("size", 10), keyword())


class CustomerDetailRequest(colander.MappingSchema):
    querystring = query(
        colander.SchemaNode(colander.Boolean(), name="includeDevices", missing=True),
        colander.SchemaNode(colander.Boolean(), name="includeTasks", missing=True),
    )


class CreateCustomerRequest(colander.MappingSchema):
    body = new_customer_fields()


class UpdateCustomerRequest(colander.MappingSchema):
    body = colander.SchemaNode(colander.Mapping(), *customer_fields(required=False))


class PasswordBody(colander.MappingSchema):
    password = colander.SchemaNode(colander.String(), validator=colander.Length(1, 1024), description="当前用户的密码")


class DeleteCustomerRequest(colander.MappingSchema):
    body = PasswordBody()


class SalesBody(colander.MappingSchema):
    salesId = id_node()


class AssignSalesRequest(colander.MappingSchema):
    body = SalesBody()


class EngineersBody(colander.MappingSchema):
    engineerIds = ids(validator=colander.Length(1, MAX_IDS))


class AssignEngineersRequest(colander.MappingSchema):
    body = EngineersBody()


# --- devices and tasks -------------------------------------------------------------------

def device_fields(required: bool) -> list[colander.SchemaNode]:
    name = text(200, name="deviceName", description="设备名称")
    quantity = colander.SchemaNode(colander.Integer(strict=True), name="quantity", missing=1, validator=colander.Range(1, 1_000_000))
    return [
        name if required else optional(name),
        *(text(100, required=False, name=field) for field in ("deviceType", "brand", "model", "serialNumber")),
        quantity if required else optional(quantity),
    ]


class ListDevicesRequest(colander.MappingSchema):
    querystring = query(*page_nodes("size", 10), keyword())


class CreateDeviceRequest(colander.MappingSchema):
    body = colander.SchemaNode(colander.Mapping(), *device_fields(required=True))


class UpdateDeviceRequest(colander.MappingSchema):
    body = colander.SchemaNode(colander.Mapping(), *device_fields(required=False))


class TaskChanges(colander.MappingSchema):
    title = text(200, required=False)
    priority = optional(one_of(TASK_PRIORITIES))
    deviceId = id_node(missing=colander.drop)
    startDate = ClearableDateTime(missing=colander.drop)
    deadline = ClearableDateTime(missing=colander.drop)
    engineerIds = ids(missing=colander.drop)
    ownerId = id_node(missing=colander.drop)


class TaskFields(TaskChanges):
    title = text(200)
    taskType = one_of(TASK_TYPE_PREFIXES, description="/".join(TASK_TYPE_PREFIXES))
    priority = one_of(TASK_PRIORITIES, missing="normal")


class ListTasksRequest(colander.MappingSchema):
    querystring = query(*page_nodes("size", 10),
                        one_of(TASK_STATUSES, name="status", missing=None),
                        one_of(TASK_TYPE_PREFIXES, name="taskType", missing=None))


class CreateTaskRequest(colander.MappingSchema):
    body = TaskFields()


class UpdateTaskRequest(colander.MappingSchema):
    body = TaskChanges()


class TaskStatusBody(colander.MappingSchema):
    status = one_of(TASK_STATUSES)


class TaskStatusRequest(colander.MappingSchema):
    body = TaskStatusBody()


# --- plans ----------------------------------------------------------------------------------

class PlanFields(colander.MappingSchema):
    title = text(200)
    planTime = when()
    description = colander.SchemaNode(colander.String(allow_empty=True), missing="",
                                      validator=colander.Length(0, 5000))
    reminderMinutes = colander.SchemaNode(colander.Integer(strict=True), missing=30, validator=colander.Range(0, 10080))


class CreatePlanRequest(colander.MappingSchema):
    body = PlanFields()


class PlanChanges(colander.MappingSchema):
    title = optional(text(200))
    planTime = when(missing=colander.drop)
    description = colander.SchemaNode(colander.String(allow_empty=True), missing=colander.drop,
                                      validator=colander.Length(0, 5000))
    reminderMinutes = colander.SchemaNode(colander.Integer(strict=True), missing=colander.drop, validator=colander.Range(0, 10080))
    status = optional(one_of(PLAN_STATUSES, description="/".join(PLAN_STATUSES)))


class UpdatePlanRequest(colander.MappingSchema):
    body = PlanChanges()


class ListPlansRequest(colander.MappingSchema):
    querystring = query(*page_nodes("size", 10))
