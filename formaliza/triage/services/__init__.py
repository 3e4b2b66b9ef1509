"""Writes of triage: orders (upsert, lists, assignment) and contacts with their outcomes."""

from formaliza.triage.services.calls import order_call
from formaliza.triage.services.contacts import (
    ContactInput,
    contact_record,
    contact_start,
    outcome_record,
)
from formaliza.triage.services.imports import ImportRejected, ImportReport, orders_import
from formaliza.triage.services.orders import (
    OrderInput,
    order_assign,
    order_clean,
    order_list_refresh,
    order_upsert,
)

__all__ = [
    "ContactInput",
    "ImportRejected",
    "ImportReport",
    "OrderInput",
    "contact_record",
    "contact_start",
    "order_assign",
    "order_call",
    "order_clean",
    "order_list_refresh",
    "order_upsert",
    "orders_import",
    "outcome_record",
]
