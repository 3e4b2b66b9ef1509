"""Workers' entry points of the contact base (idempotent)."""

from __future__ import annotations

from django_tasks import task

from formaliza.acceptance import services


@task(queue_name="default")
def document_unarchive(request_id: int) -> str:
    return services.document_unarchive(request_id=request_id)


@task(queue_name="default")
def documents_archive_sweep() -> int:
    return services.documents_archive()


@task(queue_name="default")
def kits_expire_sweep() -> int:
    return services.kits_expire()


@task(queue_name="default")
def acceptance_sealed(document_id: str) -> str:
    """Registered in settings.EVIDENCE_SEALED_HANDLERS: a kit's final PDF (or a certified
    message's certificate) was sealed; the kit's documents get it on their activity."""
    return services.acceptance_sealed_record(document_id=document_id)


@task(queue_name="default")
def certified_status(message_id: int, status: str) -> str:
    """Registered in settings.CONVERSATION_STATUS_HANDLERS: a message's status advanced; a
    certified one's delivery, reading or failure goes on the contact's activity."""
    return services.certified_status_record(message_id=message_id, status=status)
