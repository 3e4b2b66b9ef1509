"""The journey in the conversation history: the keys its conversations are found by (CPF,
name, birth date, proposals, contract numbers, formalization, journey and, once sealed, the
signed document's code) and the `assinado` status. The one module of journeys that writes to
the conversations layer; its conversations are those holding a message sent with the
journey's reference."""

from __future__ import annotations

from formaliza.conversations.services import (
    conversation_finalize_for_reference,
    conversation_keys_add_for_reference,
)
from formaliza.evidence.models import SealedDocument
from formaliza.journeys.evidence_bundle import conversation_reference
from formaliza.journeys.models import Journey


def journey_keys(journey: Journey) -> list[tuple[str, str]]:
    contracts = journey.contracts.select_related("proposal").order_by("position")
    keys = [
        ("cpf", journey.cpf), ("full_name", journey.client_name), ("journey", str(journey.pk)),
        ("formalization", journey.request.number),
        *[("proposal", number) for number in
          journey.request.proposals.values_list("number", flat=True)],
        *[("contract", contract.number) for contract in contracts],
    ]  # fmt: skip
    if journey.contact.birth_date:
        keys.append(("birth_date", journey.contact.birth_date.isoformat()))
    return keys


def journey_conversations_key(journey: Journey) -> int:
    """Make the journey's conversations searchable by its keys as soon as a message of it went
    out (the history finds a journey in progress too). Idempotent; returns how many
    conversations were touched (none for a messenger outside the conversations layer)."""
    return conversation_keys_add_for_reference(
        tenant_id=journey.tenant_id, reference=conversation_reference(journey),
        keys=journey_keys(journey),
    )  # fmt: skip


def journey_conversations_sign(journey: Journey, document: SealedDocument) -> None:
    """The sealed journey: its keys plus the signed document's code, and the `assinado` status
    when the tenant has it. Idempotent."""
    reference = conversation_reference(journey)
    conversation_keys_add_for_reference(
        tenant_id=journey.tenant_id, reference=reference,
        keys=[*journey_keys(journey), ("document_key", document.code)],
    )  # fmt: skip
    conversation_finalize_for_reference(
        tenant_id=journey.tenant_id, reference=reference, code="assinado"
    )
