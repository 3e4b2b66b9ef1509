"""Case services (writes). Callers import from here."""

from formaliza.cases.services.access import access_resolve, client_access_url
from formaliza.cases.services.calculations import (
    CalculationInput,
    active_table,
    calculation_discard,
    calculation_run,
    case_save,
)
from formaliza.cases.services.cases import (
    case_cancel,
    case_filing_request,
    case_lock,
    case_mark_paid,
    case_protocol_record,
)
from formaliza.cases.services.clients import ClientInput, client_create, client_update
from formaliza.cases.services.documents import (
    document_review,
    document_type_save,
    document_types_ensure,
    document_upload,
)
from formaliza.cases.services.indices import index_table_import
from formaliza.cases.services.payments import (
    agent_credits_buy,
    case_charge,
    case_charge_paid,
    case_pay_with_credit,
    case_payment_panel,
    case_static_confirm,
    charge_display,
    charge_review,
)
from formaliza.cases.services.progress import case_progress
from formaliza.cases.services.selfservice import (
    Registration,
    agent_profile_ensure,
    agent_profile_update,
    selfservice_register,
    selfservice_verify,
)

__all__ = [
    "CalculationInput",
    "ClientInput",
    "Registration",
    "access_resolve",
    "active_table",
    "agent_credits_buy",
    "agent_profile_ensure",
    "agent_profile_update",
    "calculation_discard",
    "calculation_run",
    "case_cancel",
    "case_charge",
    "case_charge_paid",
    "case_filing_request",
    "case_lock",
    "case_mark_paid",
    "case_pay_with_credit",
    "case_payment_panel",
    "case_progress",
    "case_protocol_record",
    "case_save",
    "case_static_confirm",
    "charge_display",
    "charge_review",
    "client_access_url",
    "client_create",
    "client_update",
    "document_review",
    "document_type_save",
    "document_types_ensure",
    "document_upload",
    "index_table_import",
    "selfservice_register",
    "selfservice_verify",
]
