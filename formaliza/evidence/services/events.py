"""Recording and verifying evidence. Every service that must leave evidence calls
`evidence_event_record` explicitly (no signals), inside its own transaction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.db import transaction

from formaliza.accounts.models import Tenant
from formaliza.core import clock
from formaliza.evidence.chain import event_hash, normalize_data
from formaliza.evidence.models import EvidenceChainHead, EvidenceEvent
from formaliza.evidence.subject import Subject


@dataclass(frozen=True)
class EvidenceActor:
    kind: str  # client | user | system | provider
    label: str = ""


@dataclass(frozen=True)
class RequestContext:
    """Where an action came from. Build it from a Django request with `context_from_request`."""

    ip: str | None = None
    user_agent: str = ""
    session_id: str = ""  # already hashed
    phone: str = ""


def context_from_request(request, *, phone: str = "") -> RequestContext:
    # REMOTE_ADDR is the peer as seen by the WSGI server; behind a proxy, configure the proxy to
    # set it (we do not trust X-Forwarded-For from the client).
    session_key = getattr(getattr(request, "session", None), "session_key", None) or ""
    return RequestContext(
        ip=request.META.get("REMOTE_ADDR") or None,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:500],
        session_id=hashlib.sha256(session_key.encode()).hexdigest() if session_key else "",
        phone=phone,
    )


def evidence_event_record(
    *,
    tenant: Tenant,
    subject: Subject,
    kind: str,
    actor: EvidenceActor,
    data: dict | None = None,
    context: RequestContext | None = None,
) -> EvidenceEvent:
    """Append one event to the subject's chain. Appends to one chain are serialized by locking the
    chain head, so the sequence has no gaps and each hash covers its predecessor."""
    context = context or RequestContext()
    payload = normalize_data(data or {})
    with transaction.atomic():
        EvidenceChainHead.objects.get_or_create(
            subject_type=subject.type, subject_id=subject.id, defaults={"tenant": tenant}
        )
        head = EvidenceChainHead.objects.select_for_update().get(
            subject_type=subject.type, subject_id=subject.id
        )
        if head.tenant_id != tenant.pk:
            raise ValueError("evidence chain belongs to another tenant")
        occurred_at = clock.now().replace(microsecond=0)
        sequence = head.last_sequence + 1
        fields = {
            "subject_type": subject.type,
            "subject_id": subject.id,
            "sequence": sequence,
            "kind": kind,
            "occurred_at": occurred_at,
            "actor_kind": actor.kind,
            "actor_label": actor.label[:200],
            "ip": context.ip,
            "user_agent": context.user_agent[:500],
            "session_id": context.session_id,
            "phone": context.phone,
            "data": payload,
            "prev_hash": head.last_hash,
        }
        digest = event_hash(**fields)
        event = EvidenceEvent.objects.create(tenant=tenant, hash=digest, **fields)
        head.last_sequence, head.last_hash = sequence, digest
        head.save(update_fields=["last_sequence", "last_hash"])
    return event


@dataclass
class ChainVerdict:
    subject: Subject
    events: int
    last_hash: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def evidence_chain_verify(*, subject: Subject) -> ChainVerdict:
    """Recompute the chain; report (in pt-BR) every missing, edited or reordered event."""
    events = list(
        EvidenceEvent.objects.filter(subject_type=subject.type, subject_id=subject.id).order_by(
            "sequence"
        )
    )
    head = EvidenceChainHead.objects.filter(
        subject_type=subject.type, subject_id=subject.id
    ).first()
    verdict = ChainVerdict(subject=subject, events=len(events), last_hash="")
    prev_hash = ""
    expected_sequence = 1
    for event in events:
        if event.sequence != expected_sequence:
            verdict.problems.append(
                f"Evento nº {expected_sequence} ausente (a sequência salta para {event.sequence})."
            )
        if event.prev_hash != prev_hash:
            verdict.problems.append(
                f"Evento nº {event.sequence} não aponta para o evento anterior."
            )
        recomputed = event_hash(
            subject_type=event.subject_type, subject_id=event.subject_id, sequence=event.sequence,
            kind=event.kind, occurred_at=event.occurred_at, actor_kind=event.actor_kind,
            actor_label=event.actor_label, ip=event.ip, user_agent=event.user_agent,
            session_id=event.session_id, phone=event.phone, data=event.data, prev_hash=event.prev_hash,
        )  # fmt: skip
        if recomputed != event.hash:
            verdict.problems.append(f"Evento nº {event.sequence} ({event.kind}) foi alterado.")
        prev_hash = event.hash
        expected_sequence = event.sequence + 1
    verdict.last_hash = prev_hash
    if head is not None and (
        head.last_sequence != expected_sequence - 1 or head.last_hash != prev_hash
    ):
        verdict.problems.append(
            f"A cadeia registrou {head.last_sequence} eventos, mas só {len(events)} foram encontrados "
            "intactos no final."
        )
    if head is None and events:
        verdict.problems.append("O registro de controle da cadeia foi removido.")
    return verdict


def evidence_events(*, subject: Subject) -> list[EvidenceEvent]:
    return list(
        EvidenceEvent.objects.filter(subject_type=subject.type, subject_id=subject.id).order_by(
            "sequence"
        )
    )
