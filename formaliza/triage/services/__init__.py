"""Writes of triage: orders (upsert, lists, assignment) and contacts with their outcomes."""

from formaliza.triage.services.calls import order_call
from formaliza.triage.services.contacts import (
    ContactInput,
    contact_record,
    contact_start,
    outcome_record,
)
from formaliza.triage.services.imports import ImportRejected, ImportReport, orders_import
from formaliza.triage.services.messaging import (
    order_accountant_request,
    order_message_send,
    template_for,
    template_save,
)
from formaliza.triage.services.orders import (
    OrderInput,
    order_assign,
    order_clean,
    order_list_refresh,
    order_upsert,
)
from formaliza.triage.services.rules import triage_rules_run

__all__ = [
    "ContactInput",
    "ImportRejected",
    "ImportReport",
    "OrderInput",
    "contact_record",
    "contact_start",
    "order_accountant_request",
    "order_assign",
    "order_call",
    "order_clean",
    "order_list_refresh",
    "order_message_send",
    "order_upsert",
    "orders_import",
    "outcome_record",
    "template_for",
    "template_save",
    "triage_rules_run",
]
