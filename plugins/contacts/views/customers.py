"""Customers: the list the caller may see, details, changes and assignments."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from core.toolkit import api_service, contains_text, current_user, ok, paginate, path_id
from plugins.contacts import customers as service
from plugins.contacts.access import CUSTOMERS_PERMISSION, get_visible_customer, relation_type, visible_customers
from plugins.contacts.deadlines import drop_customer_deadlines
from plugins.contacts.events import customer_changed
from plugins.contacts.models import Customer, CustomerEngineer, Device, Task
from plugins.contacts.notices import customer_assigned
from plugins.contacts.plans import delete_customer_plans, upcoming_schedules
from plugins.contacts.schemas import (
    AssignEngineersRequest,
    AssignSalesRequest,
    CreateCustomerRequest,
    CustomerDetailRequest,
    DeleteCustomerRequest,
    ListCustomersRequest,
    UpdateCustomerRequest,
)
from plugins.contacts.shapes import customer_detail_json, customer_summary_json, device_json, task_brief_json
from plugins.contacts.views.edge import api_field_names, snake_case
from plugins.contacts.work import task_loads

CUSTOMER = "/api/v1/contacts/customers/{customerId:\\d+}"
customers = api_service(name="contacts.customers", path="/api/v1/contacts/customers",
                        description="The customers the caller may see; create one.")
customer = api_service(name="contacts.customer", path=CUSTOMER, description="One customer: detail, change, delete.")
assign_sales = api_service(name="contacts.assign_sales", path=CUSTOMER + "/assign-sales",
                           description="Set a customer's sales (admins and engineers).")
assign_engineers = api_service(name="contacts.assign_engineers", path=CUSTOMER + "/assign-engineers",
                               description="Add engineers to a customer (admins and sales).")
remove_engineer = api_service(name="contacts.remove_engineer", path=CUSTOMER + "/remove-engineer/{engineerId:\\d+}",
                              description="Remove an engineer from a customer (admins and sales).")


def _customer(request, *options) -> Customer:
    return get_visible_customer(request.dbsession, current_user(request), path_id(request, "customerId", "客户不存在"), *options)


def _with_engineers():
    return selectinload(Customer.engineer_links).joinedload(CustomerEngineer.engineer)


@customers.get(schema=ListCustomersRequest(), permission=CUSTOMERS_PERMISSION)
def list_customers(request):
    user = current_user(request)
    query = request.validated["querystring"]
    statement = (select(Customer).where(visible_customers(user)).options(joinedload(Customer.sales))
                 .order_by(Customer.id))
    if query["keyword"]:
        statement = statement.where(contains_text(query["keyword"], Customer.name, Customer.contact, Customer.phone,
                                                  Customer.address))
    page = paginate(request.dbsession, statement, query["page"], query["size"])
    counts = service.engineer_counts(request.dbsession, [c.id for c in page.items])
    relation = relation_type(user)
    return ok(request, page.as_total_pages(
        [customer_summary_json(c, user, relation, counts.get(c.id, 0)) for c in page.items]), "获取成功")


@customers.post(schema=CreateCustomerRequest(), permission=CUSTOMERS_PERMISSION)
def create_customer(request):
    with api_field_names():
        created = service.create_customer(request.dbsession, request.registry.clock, current_user(request),
                                          snake_case(_blank_to_none(request.validated["body"])))
    customer_changed(request.registry, request.dbsession, created, "created")
    customer_assigned(request, created, [link.engineer_id for link in created.engineer_links] + [created.sales_id])
    return ok(request, {"customerId": created.id, "name": created.name}, "添加成功")


@customer.get(schema=CustomerDetailRequest(), permission=CUSTOMERS_PERMISSION)
def get_customer(request):
    user = current_user(request)
    query = request.validated["querystring"]
    found = _customer(request, joinedload(Customer.sales), _with_engineers())
    data = customer_detail_json(found, user, relation_type(user))
    if query["includeDevices"]:
        devices = request.dbsession.scalars(select(Device).where(
            Device.customer_id == found.id, Device.is_deleted.is_(False)).order_by(Device.id))
        data["devices"] = [device_json(d) for d in devices]
    if query["includeTasks"]:
        tasks = request.dbsession.scalars(select(Task).where(
            Task.customer_id == found.id, Task.is_deleted.is_(False)).options(*task_loads()).order_by(Task.id))
        data["tasks"] = [task_brief_json(t) for t in tasks]
    data["upcomingSchedules"] = upcoming_schedules(request.registry, request.dbsession, user, found)
    return ok(request, data, "获取成功")


@customer.put(schema=UpdateCustomerRequest(), permission=CUSTOMERS_PERMISSION)
def update_customer(request):
    found = _customer(request)
    service.update_customer(found, request.registry.clock, snake_case(_blank_to_none(request.validated["body"])))
    customer_changed(request.registry, request.dbsession, found, "updated")
    return ok(request, None, "修改成功")


@customer.delete(schema=DeleteCustomerRequest(), permission=CUSTOMERS_PERMISSION)
def delete_customer(request):
    found = _customer(request)
    service.delete_customer(request.dbsession, current_user(request), found, request.validated["body"]["password"])
    delete_customer_plans(request.registry, request.dbsession, current_user(request), found)
    drop_customer_deadlines(request.registry, request.dbsession, current_user(request), found)
    customer_changed(request.registry, request.dbsession, found, "deleted")
    return ok(request, None, "删除成功")


@assign_sales.post(schema=AssignSalesRequest(), permission=CUSTOMERS_PERMISSION)
def post_assign_sales(request):
    found = _customer(request)
    before = found.sales_id
    with api_field_names():
        service.assign_sales(request.dbsession, current_user(request), found, request.validated["body"]["salesId"])
    customer_changed(request.registry, request.dbsession, found, "sales_assigned")
    if found.sales_id != before:
        customer_assigned(request, found, [found.sales_id])
    return ok(request, None, "分配成功")


@assign_engineers.post(schema=AssignEngineersRequest(), permission=CUSTOMERS_PERMISSION)
def post_assign_engineers(request):
    found = _customer(request, _with_engineers())
    before = {link.engineer_id for link in found.engineer_links}
    with api_field_names():
        service.assign_engineers(request.dbsession, request.registry.clock, current_user(request), found,
                                 request.validated["body"]["engineerIds"])
    customer_changed(request.registry, request.dbsession, found, "engineers_assigned")
    customer_assigned(request, found, [link.engineer_id for link in found.engineer_links
                                       if link.engineer_id not in before])
    return ok(request, None, "分配成功")


@remove_engineer.post(permission=CUSTOMERS_PERMISSION)
def post_remove_engineer(request):
    found = _customer(request, _with_engineers())
    service.remove_engineer(current_user(request), found, path_id(request, "engineerId", "该工程师未负责此客户"))
    customer_changed(request.registry, request.dbsession, found, "engineer_removed")
    return ok(request, None, "移除成功")


def _blank_to_none(fields: dict) -> dict:
    """Optional text sent empty is stored as absent."""
    return {name: (None if value == "" else value) for name, value in fields.items()}


SERVICES = (customers, customer, assign_sales, assign_engineers, remove_engineer)
