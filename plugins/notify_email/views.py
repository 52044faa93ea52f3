"""``POST /api/customer/schedules/notification/email/send/`` (schedule spec, endpoint 16)."""
from __future__ import annotations

import colander

from core.toolkit import api_service, email_address
from plugins.notify import SEND_PERMISSION, SEND_PREFIX, answer, send_on_request, send_responses
from plugins.notify_email.channel import CHANNEL_NAME
from plugins.notify_email.messages import GENERIC_TEMPLATE, template_names, templated_message

send_email = api_service(
    name="notify_email.send", path=f"{SEND_PREFIX}/{CHANNEL_NAME}/send/",
    description="Send one templated e-mail (needs the notify.send permission; rate-limited per user).",
)


class SendEmailBody(colander.MappingSchema):
    to = colander.SchemaNode(colander.String(), validator=colander.All(colander.Length(1, 254), email_address),
                             description="收件人邮箱, 如 user@example.com")
    subject = colander.SchemaNode(
        colander.String(), description="邮件主题",
        validator=colander.All(colander.Length(1, 200), colander.Function(str.isprintable, "主题不能包含换行或控制字符")))
    content = colander.SchemaNode(colander.String(), validator=colander.Length(1, 20000), description="邮件正文(纯文本)")
    template = colander.SchemaNode(colander.String(), missing=GENERIC_TEMPLATE, validator=colander.OneOf(template_names()),
                                   description=f"邮件模板: {', '.join(template_names())}, 默认 {GENERIC_TEMPLATE}")


class SendEmailRequest(colander.MappingSchema):
    body = SendEmailBody()


@send_email.post(schema=SendEmailRequest(), permission=SEND_PERMISSION,
              response_schemas=send_responses("success, message, to, subject, backend"))
def post_send_email(request):
    body = request.validated["body"]
    registry = request.registry
    backend = registry.notify_email_backend
    message = templated_message(registry, to=body["to"], subject=body["subject"], content=body["content"],
                                template=body["template"])
    result = send_on_request(
        request, channel=CHANNEL_NAME, recipient=body["to"], template=body["template"], backend=backend.name, send=lambda: backend.send(message),
    )
    return answer(request, result, {"to": body["to"], "subject": body["subject"], "backend": backend.name},
                  what="邮件发送")
