"""Evidence services: recording and verifying events (`events`), producing the sealed final PDF
(`seal_production`) and handing it out (`downloads`). Callers import from here."""

from formaliza.evidence.services.downloads import (
    DownloadLink,
    sealed_document_download_record,
    sealed_document_download_url,
    sealed_document_from_download_token,
)
from formaliza.evidence.services.events import (
    ChainVerdict,
    EvidenceActor,
    RequestContext,
    Subject,
    context_from_request,
    evidence_chain_verify,
    evidence_event_record,
    evidence_events,
)
from formaliza.evidence.services.seal_production import (
    sealed_document_request,
    sealed_document_retry,
    sealed_document_seal,
    sealed_documents_sweep,
    verification_url,
)

__all__ = [
    "ChainVerdict",
    "DownloadLink",
    "EvidenceActor",
    "RequestContext",
    "Subject",
    "context_from_request",
    "evidence_chain_verify",
    "evidence_event_record",
    "evidence_events",
    "sealed_document_download_record",
    "sealed_document_download_url",
    "sealed_document_from_download_token",
    "sealed_document_request",
    "sealed_document_retry",
    "sealed_document_seal",
    "sealed_documents_sweep",
    "verification_url",
]
