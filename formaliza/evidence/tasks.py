from __future__ import annotations

from django_tasks import task

from formaliza.evidence import services


@task(queue_name="sealing")
def sealed_document_seal(document_id: str) -> str:
    return services.sealed_document_seal(document_id=document_id)


@task(queue_name="default")
def sealed_documents_sweep() -> int:
    return services.sealed_documents_sweep()
