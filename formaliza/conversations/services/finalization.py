"""Finalization statuses (the history's labels) and finishing an atendimento with one."""

from __future__ import annotations

from django.db import transaction

from formaliza.accounts.models import Tenant, User
from formaliza.conversations.models import Conversation, FinalizationStatus, Message
from formaliza.conversations.services.conversations import conversation_locked
from formaliza.core.errors import NotFound

# The seed's left column (000): what a correspondent expects to find on day one.
DEFAULT_FINALIZATIONS: list[tuple[str, str, str]] = [
    ("assinado", "Assinado", "#16a34a"),
    ("integrado", "Integrado", "#0d9488"),
    ("andamento", "Andamento", "#2563eb"),
    ("reprovado", "Reprovado", "#dc2626"),
    ("desistencia", "Desistência", "#9333ea"),
    ("em-analise", "Em análise", "#d97706"),
]


def finalization_defaults_ensure(*, tenant: Tenant) -> int:
    """Create the default statuses the tenant does not have yet (by code); returns how many."""
    created = 0
    for position, (code, name, color) in enumerate(DEFAULT_FINALIZATIONS, start=1):
        _, was_created = FinalizationStatus.objects.get_or_create(
            tenant=tenant, code=code,
            defaults={"name": name, "color": color, "position": position * 10},
        )  # fmt: skip
        created += was_created
    return created


def conversation_finalize(
    *, tenant: Tenant, conversation_id: int, code: str, user: User | None = None
) -> Conversation:
    """Set how the atendimento ended (by status code) and who finished it. An empty code clears
    it. Another tenant's conversation or status is not found."""
    with transaction.atomic():
        conversation = conversation_locked(tenant=tenant, conversation_id=conversation_id)
        status = None
        if code:
            status = FinalizationStatus.objects.filter(tenant=tenant, code=code).first()
            if status is None:
                raise NotFound("Status de finalização", code="finalization_not_found")
        conversation.finalization = status
        conversation.finished_by = user if status else None
        conversation.save(update_fields=["finalization", "finished_by", "updated_at"])
    return conversation


def conversation_finalize_for_reference(*, tenant_id: int, reference: str, code: str) -> int:
    """Set the status `code` (when the tenant has it) on every conversation holding a message
    sent with `reference` ("journey:<uuid>"). Returns how many conversations changed."""
    status = FinalizationStatus.objects.filter(tenant_id=tenant_id, code=code).first()
    if status is None:
        return 0
    ids = (
        Message.objects.filter(tenant_id=tenant_id, reference=reference)
        .values_list("conversation_id", flat=True)
        .distinct()
    )
    return Conversation.objects.filter(tenant_id=tenant_id, pk__in=list(ids)).update(
        finalization=status
    )
