"""Tasks standing in for the callers plugged into EVIDENCE_SEALED_HANDLERS and
EVIDENCE_SEAL_FAILED_HANDLERS (the journeys app in production)."""

from django_tasks import task

from formaliza.evidence.models import SealedDocument

CALLS: list[tuple[str, str, str]] = []


@task()
def on_sealed(document_id: str) -> None:
    CALLS.append(("sealed", document_id, SealedDocument.objects.get(pk=document_id).status))


@task()
def on_failed(document_id: str) -> None:
    CALLS.append(("failed", document_id, SealedDocument.objects.get(pk=document_id).status))
