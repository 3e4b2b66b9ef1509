"""Writes of the contact base: kits (aceite digital), certified messages (AR digital), resends,
archive. Callers import from here."""

from formaliza.acceptance.services.activity import activity_record
from formaliza.acceptance.services.archive import (
    document_open,
    document_unarchive,
    documents_archive,
    unarchive_request,
)
from formaliza.acceptance.services.certified import (
    address_normalize,
    certified_certificate_request,
    certified_receipt_lines,
    certified_send,
    certified_status_record,
    certified_track,
)
from formaliza.acceptance.services.kits import (
    KitFile,
    acceptance_sealed_record,
    document_scroll,
    document_shown,
    kit_accept,
    kit_open,
    kit_selfie_submit,
    kit_send,
    kits_expire,
)
from formaliza.acceptance.services.resend import (
    document_resend,
    document_resend_refusal,
    message_resend,
)

__all__ = [
    "KitFile",
    "acceptance_sealed_record",
    "activity_record",
    "address_normalize",
    "certified_certificate_request",
    "certified_receipt_lines",
    "certified_send",
    "certified_status_record",
    "certified_track",
    "document_open",
    "document_resend",
    "document_resend_refusal",
    "document_scroll",
    "document_shown",
    "document_unarchive",
    "documents_archive",
    "kit_accept",
    "kit_open",
    "kit_selfie_submit",
    "kit_send",
    "kits_expire",
    "message_resend",
    "unarchive_request",
]
