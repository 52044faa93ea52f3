"""Follow-up plans with a customer (each followed by a schedule when the schedule plugin is enabled)."""
from __future__ import annotations

from sqlalchemy import select

from core.toolkit import api_service, current_user, ok, paginate, path_id, site_aware
from plugins.contacts.access import CUSTOMERS_PERMISSION, get_visible_customer
from plugins.contacts.models import CustomerPlan
from plugins.contacts.plans import create_plan_with_schedule
from plugins.contacts.schemas import CreatePlanRequest, ListPlansRequest
from plugins.contacts.shapes import plan_json

customer_plans = api_service(name="contacts.customer_plans", path="/api/v1/contacts/customers/{customerId:\\d+}/plans",
                             description="A customer's follow-up plans, soonest first; add one.")


def _customer(request):
    return get_visible_customer(request.dbsession, current_user(request), path_id(request, "customerId", "客户不存在"))


@customer_plans.get(schema=ListPlansRequest(), permission=CUSTOMERS_PERMISSION)
def list_plans(request):
    query = request.validated["querystring"]
    statement = (select(CustomerPlan).where(CustomerPlan.customer_id == _customer(request).id)
                 .order_by(CustomerPlan.plan_time, CustomerPlan.id))
    page = paginate(request.dbsession, statement, query["page"], query["size"])
    return ok(request, page.as_total_pages([plan_json(p) for p in page.items]), "获取成功")


@customer_plans.post(schema=CreatePlanRequest(), permission=CUSTOMERS_PERMISSION)
def create_plan(request):
    body = request.validated["body"]
    plan = create_plan_with_schedule(
        request.registry, request.dbsession, current_user(request), _customer(request), title=body["title"],
        plan_time=site_aware(request.registry, body["planTime"]), description=body["description"],
        reminder_minutes=body["reminderMinutes"])
    return ok(request, plan_json(plan), "添加成功")


SERVICES = (customer_plans,)
