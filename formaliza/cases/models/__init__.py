from formaliza.cases.models.cases import (
    PRE_PAYMENT,
    Calculation,
    Case,
    CaseEvent,
    CaseNotification,
    CaseStatus,
    ClientAccessLink,
    EmailChallenge,
    IndexTable,
)
from formaliza.cases.models.clients import AgentProfile, CaseClient
from formaliza.cases.models.documents import ClientDocument, DocumentType

__all__ = [
    "PRE_PAYMENT",
    "AgentProfile",
    "Calculation",
    "Case",
    "CaseClient",
    "CaseEvent",
    "CaseNotification",
    "CaseStatus",
    "ClientAccessLink",
    "ClientDocument",
    "DocumentType",
    "EmailChallenge",
    "IndexTable",
]
