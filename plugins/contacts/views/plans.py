"""Follow-up plans with a customer (each followed by a schedule when the schedule plugin is enabled)."""
from __future__ import annotations

from sqlalchemy import select

from core.toolkit import api_service, current_user, ok, paginate, path_id, site_aware
from plugins.contacts.access import CUSTOMERS_PERMISSION, get_visible_customer
from plugins.contacts.models import CustomerPlan
from plugins.contacts.plans import create_plan, delete_plan, get_visible_plan, update_plan
from plugins.contacts.schemas import CreatePlanRequest, ListPlansRequest, UpdatePlanRequest
from plugins.contacts.shapes import plan_json
from plugins.contacts.views.edge import api_field_names, snake_case

plan = api_service(name="contacts.plan", path="/api/v1/contacts/plans/{planId:\\d+}",
                   description="One plan: show, change (its schedule follows), delete (its schedule too).")
customer_plans = api_service(name="contacts.customer_plans", path="/api/v1/contacts/customers/{customerId:\\d+}/plans",
                             description="A customer's follow-up plans, soonest first; add one.")


def _customer(request):
    return get_visible_customer(request.dbsession, current_user(request), path_id(request, "customerId", "客户不存在"))


@customer_plans.get(schema=ListPlansRequest(), permission=CUSTOMERS_PERMISSION)
def list_plans(request):
    query = request.validated["querystring"]
    statement = (select(CustomerPlan).where(CustomerPlan.customer_id == _customer(request).id,
                                            CustomerPlan.is_deleted.is_(False))
                 .order_by(CustomerPlan.plan_time, CustomerPlan.id))
    page = paginate(request.dbsession, statement, query["page"], query["size"])
    return ok(request, page.as_total_pages([plan_json(p) for p in page.items]), "获取成功")


@customer_plans.post(schema=CreatePlanRequest(), permission=CUSTOMERS_PERMISSION)
def add_plan(request):
    body = request.validated["body"]
    plan = create_plan(
        request.registry, request.dbsession, current_user(request), _customer(request), title=body["title"],
        plan_time=site_aware(request.registry, body["planTime"]), description=body["description"],
        reminder_minutes=body["reminderMinutes"])
    return ok(request, plan_json(plan), "添加成功")


def _plan(request):
    return get_visible_plan(request.dbsession, current_user(request), path_id(request, "planId", "计划不存在"))


@plan.get(permission=CUSTOMERS_PERMISSION)
def get_plan(request):
    return ok(request, plan_json(_plan(request)), "获取成功")


@plan.put(schema=UpdatePlanRequest(), permission=CUSTOMERS_PERMISSION)
def change_plan(request):
    found = _plan(request)
    fields = snake_case(request.validated["body"])
    if "plan_time" in fields:
        fields["plan_time"] = site_aware(request.registry, fields["plan_time"])
    with api_field_names():
        update_plan(request.registry, request.dbsession, current_user(request), found, fields)
    return ok(request, plan_json(found), "修改成功")


@plan.delete(permission=CUSTOMERS_PERMISSION)
def remove_plan(request):
    delete_plan(request.registry, request.dbsession, current_user(request), _plan(request))
    return ok(request, None, "删除成功")


SERVICES = (customer_plans, plan)
