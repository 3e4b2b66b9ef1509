"""Case events: one function writes them, each also appended to the case's evidence chain
(formaliza.evidence, subject ("case", id)). Called explicitly by the services."""

from __future__ import annotations

from dataclasses import dataclass

from formaliza.accounts.actors import Actor
from formaliza.cases.models import Case, CaseEvent
from formaliza.evidence.services import (
    EvidenceActor,
    RequestContext,
    Subject,
    evidence_event_record,
)


@dataclass(frozen=True)
class Who:
    """The author of a case event: a user, an API key, the system or the client."""

    kind: str  # user | api_key | system | client
    label: str
    user: object = None

    @classmethod
    def of(cls, actor: Actor) -> Who:
        return cls(kind=actor.kind, label=actor.label, user=actor.user)

    @classmethod
    def client(cls, name: str) -> Who:
        return cls(kind="client", label=f"Cliente: {name}"[:200])

    @classmethod
    def system(cls, name: str) -> Who:
        return cls(kind="system", label=f"Sistema ({name})")


def case_subject(case: Case) -> Subject:
    return Subject("case", str(case.pk))


def case_event_record(
    *, case: Case, kind: str, who: Who, note: str = "", data: dict | None = None,
    from_status: str = "", to_status: str = "", context: RequestContext | None = None,
) -> CaseEvent:  # fmt: skip
    event = CaseEvent.objects.create(
        tenant_id=case.tenant_id, case=case, kind=kind, from_status=from_status,
        to_status=to_status, actor_kind=who.kind, actor_label=who.label[:200], user=who.user,
        note=note, data=data or {},
    )  # fmt: skip
    evidence_event_record(
        tenant=case.tenant, subject=case_subject(case), kind=f"case.{kind}",
        actor=EvidenceActor(kind=who.kind, label=who.label),
        data={"from": from_status, "to": to_status, "note": note, **(data or {})},
        context=context,
    )  # fmt: skip
    return event
