"""The contacts plugin's tables: engineers' presence, customers, their devices, tasks and plans.

People are the core's users; this plugin only adds what it needs about them
(presence). Customers, devices, tasks and plans are soft-deleted
(``is_deleted``) so history that points at them keeps its meaning.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false, func
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.toolkit import Base, User, UTCDateTime

ENGINEER_STATUSES = ("online", "busy", "offline")
CUSTOMER_LEVELS = ("A", "B", "C")
TASK_STATUSES = ("pending", "in_progress", "completed", "cancelled")
#: a plan's statuses are its schedule's
PLAN_STATUSES = ("pending", "in_progress", "completed", "cancelled")
TASK_PRIORITIES = ("low", "normal", "high", "urgent")
#: task type -> the prefix of its task ids (``RP-2024-001``)
TASK_TYPE_PREFIXES = {
    "repair": "RP",
    "maintenance": "MT",
    "installation": "IN",
    "inspection": "IS",
    "training": "TR",
    "other": "OT",
}


class EngineerPresence(Base):
    """What an engineer says they are doing and when they last used the platform."""

    __tablename__ = "contacts_engineer_presence"

    user_id: Mapped[int] = mapped_column(ForeignKey("core_user.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default="online")
    last_active_time: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # when they last chose ``status``: work started after it shows them busy (None: they never chose)
    status_set_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Customer(Base):
    __tablename__ = "contacts_customer"
    __table_args__ = (
        Index("ix_contacts_customer_sales", "sales_id", "is_deleted"),
        Index("ix_contacts_customer_creator", "creator_id", "is_deleted"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(1))
    contact: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(254))
    department: Mapped[str | None] = mapped_column(String(150))
    position: Mapped[str | None] = mapped_column(String(150))
    creator_id: Mapped[int] = mapped_column(ForeignKey("core_user.id"))
    sales_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"))
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    sales: Mapped[User | None] = relationship(foreign_keys=[sales_id])
    engineer_links: Mapped[list["CustomerEngineer"]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="CustomerEngineer.engineer_id")


class CustomerEngineer(Base):
    """An engineer assigned to a customer, and who made the assignment."""

    __tablename__ = "contacts_customer_engineer"
    __table_args__ = (Index("ix_contacts_customer_engineer_engineer", "engineer_id"),)

    customer_id: Mapped[int] = mapped_column(ForeignKey("contacts_customer.id", ondelete="CASCADE"), primary_key=True)
    engineer_id: Mapped[int] = mapped_column(ForeignKey("core_user.id", ondelete="CASCADE"), primary_key=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("core_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    customer: Mapped[Customer] = relationship(back_populates="engineer_links")
    engineer: Mapped[User] = relationship(foreign_keys=[engineer_id])


class Device(Base):
    __tablename__ = "contacts_device"
    __table_args__ = (Index("ix_contacts_device_customer", "customer_id", "is_deleted"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("contacts_customer.id"))
    name: Mapped[str] = mapped_column(String(200))
    device_type: Mapped[str] = mapped_column(String(100), default="")
    brand: Mapped[str] = mapped_column(String(100), default="")
    model: Mapped[str] = mapped_column(String(100), default="")
    serial_number: Mapped[str] = mapped_column(String(100), default="")
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class TaskCounter(Base):
    """The last number handed out for one (prefix, year): task ids stay unique under concurrent creation."""

    __tablename__ = "contacts_task_counter"

    prefix: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Task(Base):
    __tablename__ = "contacts_task"
    __table_args__ = (
        UniqueConstraint("task_code"),
        Index("ix_contacts_task_customer", "customer_id", "is_deleted", "status"),
        Index("ix_contacts_task_device", "device_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_code: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[int] = mapped_column(ForeignKey("contacts_customer.id"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("contacts_device.id"))
    title: Mapped[str] = mapped_column(String(200))
    task_type: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    priority: Mapped[str] = mapped_column(String(20), default="normal")
    start_date: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    deadline: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    completed_date: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # when the task moved to its current status (None for tasks older than this column)
    status_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # the deadline a reminder plugin was last asked to remind the owner of; None: never asked (a task
    # made before the site had one), or the reminder was dropped (deadlines.py)
    deadline_reminder_for: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    device: Mapped[Device | None] = relationship()
    customer: Mapped[Customer] = relationship()
    engineer_links: Mapped[list["TaskEngineer"]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="TaskEngineer.engineer_id")

    @hybrid_property
    def status_since(self) -> dt.datetime:
        """Since when the task is in its current status, as well as it is known."""
        return self.status_changed_at or self.start_date or self.created_at

    @status_since.inplace.expression
    @classmethod
    def _status_since_expression(cls):
        return func.coalesce(cls.status_changed_at, cls.start_date, cls.created_at)

    @property
    def owner(self) -> User | None:
        return next((link.engineer for link in self.engineer_links if link.is_owner), None)

    @property
    def owner_id(self) -> int | None:
        return next((link.engineer_id for link in self.engineer_links if link.is_owner), None)


class TaskEngineer(Base):
    __tablename__ = "contacts_task_engineer"
    __table_args__ = (Index("ix_contacts_task_engineer_engineer", "engineer_id"),)

    task_id: Mapped[int] = mapped_column(ForeignKey("contacts_task.id", ondelete="CASCADE"), primary_key=True)
    engineer_id: Mapped[int] = mapped_column(ForeignKey("core_user.id", ondelete="CASCADE"), primary_key=True)
    is_owner: Mapped[bool] = mapped_column(Boolean, default=False)

    task: Mapped[Task] = relationship(back_populates="engineer_links")
    engineer: Mapped[User] = relationship()


class CustomerPlan(Base):
    """A follow-up planned with a customer; ``schedule_id`` is its schedule when the schedule plugin made one."""

    __tablename__ = "contacts_customer_plan"
    __table_args__ = (Index("ix_contacts_customer_plan_customer", "customer_id", "plan_time"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("contacts_customer.id"))
    title: Mapped[str] = mapped_column(String(200))
    plan_time: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    description: Mapped[str] = mapped_column(Text, default="")
    reminder_minutes: Mapped[int] = mapped_column(Integer, default=30)
    # not a foreign key: the schedule plugin may not be enabled
    schedule_id: Mapped[int | None] = mapped_column(Integer)
    creator_id: Mapped[int] = mapped_column(ForeignKey("core_user.id"))
    # kept in step with its schedule's status (the same vocabulary)
    status: Mapped[str] = mapped_column(String(20), default="pending", server_default="pending")
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    customer: Mapped[Customer] = relationship()
