"""``POST /api/customer/schedules/notification/sms/send/`` (schedule spec, endpoint 15)."""
from __future__ import annotations

import colander

from core.toolkit import api_service, isoformat_local
from plugins.notify import SEND_PERMISSION, SEND_PREFIX, answer, send_on_request, send_responses
from plugins.notify_sms.channel import CHANNEL_NAME
from plugins.notify_sms.phones import PHONE_MESSAGE, PHONE_PATTERN, as_e164, missing_params

send_sms = api_service(
    name="notify_sms.send", path=f"{SEND_PREFIX}/{CHANNEL_NAME}/send/",
    description="Send one templated text message (needs the notify.send permission; rate-limited per user).",
)


def _templates(registry):
    return registry.settings["tessera.notify_sms.templates"]


@colander.deferred
def _known_template(node, kw):
    return colander.OneOf(sorted(_templates(kw["registry"])))


@colander.deferred
def _template_params_present(node, kw):
    templates = _templates(kw["registry"])

    def validate(body_node, body):
        template = templates.get(body["template_code"])
        missing = missing_params(template, body["params"]) if template else []
        if missing:
            error = colander.Invalid(body_node)
            params_error = colander.Invalid(body_node["params"])
            for name in missing:
                params_error.add(colander.Invalid(colander.SchemaNode(colander.String(), name=name),
                                                  f"模板 {template.code} 需要参数 {name}"))
            error.add(params_error, body_node.children.index(body_node["params"]))
            raise error

    return validate


class SendSmsBody(colander.MappingSchema):
    phone = colander.SchemaNode(colander.String(), validator=colander.Regex(PHONE_PATTERN, PHONE_MESSAGE),
                                description="手机号: 13800138000 或 +8613800138000")
    template_code = colander.SchemaNode(colander.String(), validator=_known_template,
                                        description="短信模板代码, 如 SCHEDULE_REMINDER")
    params = colander.SchemaNode(colander.Mapping(unknown="preserve"), missing={},
                                 description="模板参数, 如 {\"title\": \"客户拜访\", \"time\": \"2025-12-26 15:00\"}")


class SendSmsRequest(colander.MappingSchema):
    body = SendSmsBody(validator=_template_params_present)


@send_sms.post(schema=SendSmsRequest(), permission=SEND_PERMISSION,
              response_schemas=send_responses("success, message, phone, template_code, send_time, backend"))
def post_send_sms(request):
    body = request.validated["body"]
    registry = request.registry
    backend = registry.notify_sms_backend
    template = _templates(request.registry)[body["template_code"]]
    phone = as_e164(body["phone"])
    result = send_on_request(
        request, channel=CHANNEL_NAME, recipient=phone, template=template.code, backend=backend.name,
        send=lambda: backend.send(phone, template, body["params"]),
    )
    data = {"phone": body["phone"], "template_code": template.code,
            "send_time": isoformat_local(registry, registry.clock.now()) if result.ok else None,
            "backend": backend.name}
    return answer(request, result, data, what="短信发送")
