"""Writes of the pipeline: typing a proposal, deciding its activity, and the formalization
request that groups a client's approved proposals into one signature."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from formaliza.accounts.actors import Actor
from formaliza.accounts.roles import Perm
from formaliza.contacts.models import Contact
from formaliza.contacts.services import contact_lock, contact_upsert_person
from formaliza.core import br, clock
from formaliza.core.errors import ApplicationError, Conflict, FieldError, NotFound, ValidationFailed
from formaliza.core.models import sequence_next
from formaliza.proposals import activities, selectors
from formaliza.proposals.choices import USER_DECISIONS, Activity, Decision
from formaliza.proposals.models import ActivityChange, FormalizationRequest, Proposal
from formaliza.proposals.validation import proposal_input_validate
from formaliza.webhooks.services import webhook_event_emit

logger = logging.getLogger(__name__)

A = Activity
D = Decision


@dataclass
class Notice:
    code: str
    message: str


@dataclass
class ProposalCreated:
    proposal: Proposal
    notices: list[Notice] = field(default_factory=list)


def _record(
    *,
    proposal: Proposal,
    actor: Actor,
    from_activity: str,
    decision: str,
    observation: str = "",
    formalization: FormalizationRequest | None = None,
) -> ActivityChange:
    return ActivityChange.objects.create(
        proposal=proposal,
        from_activity=from_activity,
        to_activity=proposal.activity,
        decision=decision,
        observation=observation,
        actor_kind=actor.kind,
        actor_user=actor.user,
        actor_api_key=actor.api_key,
        actor_label=actor.label[:150],
        formalization=formalization,
        created_at=clock.now(),
    )


def _emit_activity_changed(proposal: Proposal, change: ActivityChange, actor: Actor) -> None:
    webhook_event_emit(
        tenant=proposal.tenant,
        event_type="proposal.activity_changed",
        data={
            "proposal": {
                "id": str(proposal.pk),
                "number": proposal.number,
                "external_id": proposal.external_id,
                "cpf": proposal.cpf,
            },
            "from_activity": change.from_activity or None,
            "to_activity": change.to_activity,
            "decision": change.decision,
            "observation": change.observation,
            "actor": actor.as_dict(),
            "formalization_id": str(change.formalization_id) if change.formalization_id else None,
            "occurred_at": change.created_at.isoformat(),
        },
    )


@transaction.atomic
def proposal_create(*, actor: Actor, data: dict[str, Any], via: str = "ui") -> ProposalCreated:
    actor.require(Perm.PROPOSAL_CREATE)
    tenant = actor.tenant
    row = proposal_input_validate(tenant=tenant, data=data)
    if actor.user is not None and actor.user.branch_id and row.get("branch") is None:
        row["branch"] = actor.user.branch
    if (
        row["external_id"]
        and Proposal.objects.filter(tenant=tenant, external_id=row["external_id"]).exists()
    ):
        raise Conflict(
            "duplicate_external_id",
            f"Já existe uma proposta com o código de origem {row['external_id']}.",
        )
    phones = [br.phone_parse(row[name]) for name in ("mobile", "mobile2", "landline") if row[name]]
    contact = contact_upsert_person(
        tenant=tenant,
        cpf=row["cpf"],
        name=row["name"],
        birth_date=row["birth_date"],
        phones=[p for p in phones if p is not None],
        emails=[row["email"]] if row["email"] else [],
    )
    number = f"{sequence_next(tenant_id=tenant.pk, name='proposal'):08d}"
    now = clock.now()
    proposal = Proposal.objects.create(
        tenant=tenant,
        number=number,
        contact=contact,
        typed_by=actor.user,
        created_via=via,
        activity=A.DIGITACAO,
        activity_since=now,
        **row,
    )
    _record(proposal=proposal, actor=actor, from_activity="", decision=D.CREATE)
    notices = []
    open_request = selectors.formalization_open_for(
        tenant=tenant, cpf=proposal.cpf, phone=proposal.formalization_phone
    )
    if open_request is not None:
        notices.append(
            Notice(
                "formalization_already_open",
                f"Este cliente já tem a formalização {open_request.number} em andamento neste "
                "celular. Esta proposta só poderá ser aprovada em APROVA INÍCIO FLUXO ASS depois "
                "que ela for concluída ou cancelada.",
            )
        )
    return ProposalCreated(proposal=proposal, notices=notices)


@dataclass
class DecisionResult:
    proposal: Proposal
    formalization: FormalizationRequest | None = None


def proposal_decide(
    *, actor: Actor, proposal_id: Any, decision: str, observation: str = ""
) -> DecisionResult:
    """Apply a person's (or integrator's) decision at the proposal's current activity."""
    actor.require(Perm.PROPOSAL_DECIDE)
    # The tenant lookup comes before judging the input: another tenant's id is 404 whatever
    # the decision says (a 422 would reveal that it exists).
    if selectors.proposal_get(actor=actor, proposal_id=proposal_id) is None:
        raise NotFound("Proposta", code="proposal_not_found")
    if decision not in USER_DECISIONS:
        raise ValidationFailed(
            [
                FieldError(
                    "decision",
                    "invalid_decision",
                    "Decisão inválida: use aprovar, reprovar, pendente ou cancelar.",
                )
            ]
        )
    observation = (observation or "").strip()
    if decision in (D.REJECT, D.PENDING, D.CANCEL) and not observation:
        raise ValidationFailed(
            [FieldError("observation", "observation_required", "Informe o motivo na observação.")]
        )
    if len(observation) > 2000:
        raise ValidationFailed(
            [FieldError("observation", "too_long", "Observação: no máximo 2.000 caracteres.")]
        )
    with transaction.atomic():
        proposal = selectors.proposal_get(actor=actor, proposal_id=proposal_id)
        if proposal is None:
            raise NotFound("Proposta", code="proposal_not_found")
        # Decisions about one client are serialized: the grouping rule reads all of them.
        contact_lock(contact_id=proposal.contact_id)
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        return _apply_decision(actor, proposal, decision, observation)


def _apply_decision(
    actor: Actor, proposal: Proposal, decision: str, observation: str
) -> DecisionResult:
    step = activities.transition(
        activity=proposal.activity,
        decision=decision,
        approved=proposal.approved_in_activity,
        pending_from=proposal.pending_from,
    )
    from_activity = proposal.activity
    if step.approved:
        _check_group_phone(proposal)
    proposal.pending_from = from_activity if step.to == A.PENDENTE else ""
    _move(proposal, step.to, approved=step.approved)
    change = _record(
        proposal=proposal, actor=actor, from_activity=from_activity,
        decision=decision, observation=observation,
    )  # fmt: skip
    if from_activity != proposal.activity:
        _emit_activity_changed(proposal, change, actor)
    formalization = None
    if from_activity == A.APROVA_INICIO_FLUXO_ASS:
        formalization = _open_when_group_ready(
            actor=actor, contact=proposal.contact, triggered_by_approval=step.approved
        )
    proposal.refresh_from_db()
    return DecisionResult(proposal=proposal, formalization=formalization)


def _move(proposal: Proposal, to: str, *, approved: bool = False) -> None:
    if proposal.activity != to:
        proposal.activity_since = clock.now()
    proposal.activity = to
    proposal.approved_in_activity = approved
    proposal.save(
        update_fields=[
            "activity",
            "activity_since",
            "approved_in_activity",
            "pending_from",
            "updated_at",
        ]
    )


def _check_group_phone(proposal: Proposal) -> None:
    others = Proposal.objects.filter(
        contact_id=proposal.contact_id,
        activity=A.APROVA_INICIO_FLUXO_ASS,
        approved_in_activity=True,
    ).exclude(formalization_phone=proposal.formalization_phone)
    other = others.first()
    if other is not None:
        raise Conflict(
            "formalization_phone_mismatch",
            f"A proposta {other.number} deste cliente já foi aprovada com outro celular de "
            f"formalização ({br.phone_format(other.formalization_phone)}). Todas as propostas "
            "assinadas juntas precisam do mesmo celular: corrija o celular ou reprove uma delas.",
        )


def _open_when_group_ready(
    *, actor: Actor, contact: Contact, triggered_by_approval: bool
) -> FormalizationRequest | None:
    """Open ONE formalization for the client's approved proposals once none of the client's
    proposals at APROVA_INICIO_FLUXO_ASS is still undecided. Caller holds the contact lock."""
    at_step = list(
        Proposal.objects.select_for_update()
        .filter(contact=contact, activity=A.APROVA_INICIO_FLUXO_ASS)
        .order_by("created_at")
    )
    if not at_step or any(not p.approved_in_activity for p in at_step):
        return None
    phone, cpf = at_step[0].formalization_phone, at_step[0].cpf
    existing = selectors.formalization_open_for(tenant=contact.tenant, cpf=cpf, phone=phone)
    if existing is not None:
        if triggered_by_approval:
            raise Conflict(
                "formalization_already_open",
                f"Já existe a formalização {existing.number} aberta para este CPF neste celular. "
                "Aguarde o cliente concluí-la ou cancele-a para incluir esta proposta numa nova.",
                formalization_id=str(existing.pk),
            )
        # Approved proposals wait; they open when the current formalization closes.
        return None
    return _formalization_open(
        actor=actor, contact=contact, proposals=at_step, phone=phone, cpf=cpf
    )


def _formalization_open(
    *, actor: Actor, contact: Contact, proposals: list[Proposal], phone: str, cpf: str
) -> FormalizationRequest:
    tenant = contact.tenant
    try:
        with transaction.atomic():
            request = FormalizationRequest.objects.create(
                tenant=tenant,
                number=f"{sequence_next(tenant_id=tenant.pk, name='formalization'):08d}",
                contact=contact,
                cpf=cpf,
                phone=phone,
                opened_by=actor.label[:150],
            )
    except IntegrityError as exc:  # the partial unique index: one open per (phone, CPF)
        raise Conflict(
            "formalization_already_open",
            "Já existe uma formalização aberta para este CPF neste celular.",
        ) from exc
    request.proposals.set(proposals)
    for proposal in proposals:
        from_activity = proposal.activity
        step = activities.transition(activity=from_activity, decision=D.FORMALIZATION_OPENED)
        _move(proposal, step.to)
        change = _record(
            proposal=proposal, actor=actor, from_activity=from_activity,
            decision=D.FORMALIZATION_OPENED, formalization=request,
        )  # fmt: skip
        _emit_activity_changed(proposal, change, actor)
    webhook_event_emit(
        tenant=tenant,
        event_type="formalization.opened",
        data=selectors.formalization_payload(request),
    )
    for path in settings.FORMALIZATION_OPENED_HANDLERS:
        import_string(path).enqueue(str(request.pk))
    return request


def _close(
    *, actor: Actor, request_id: Any, status: str, decision: str, reason: str
) -> FormalizationRequest:
    with transaction.atomic():
        request = (
            FormalizationRequest.objects.select_for_update()
            .filter(tenant=actor.tenant, pk=request_id)
            .first()
        )
        if request is None:
            raise NotFound("Formalização", code="formalization_not_found")
        if request.status != FormalizationRequest.Status.OPEN:
            raise Conflict(
                "formalization_not_open",
                f"A formalização {request.number} já está {request.get_status_display().lower()}.",
            )
        contact_lock(contact_id=request.contact_id)
        request.status = status
        request.closed_at = clock.now()
        request.closed_reason = reason[:300]
        request.save(update_fields=["status", "closed_at", "closed_reason", "updated_at"])
        for proposal in request.proposals.select_for_update().order_by("created_at"):
            if proposal.activity != A.AGUARDA_FORMALIZACAO_DIGITAL:
                continue
            from_activity = proposal.activity
            step = activities.transition(activity=from_activity, decision=decision)
            _move(proposal, step.to)
            change = _record(
                proposal=proposal, actor=actor, from_activity=from_activity,
                decision=decision, observation=reason, formalization=request,
            )  # fmt: skip
            _emit_activity_changed(proposal, change, actor)
        event = "formalization.cancelled" if status == "cancelled" else None
        if event:
            webhook_event_emit(
                tenant=actor.tenant, event_type=event, data=selectors.formalization_payload(request)
            )
        for path in settings.FORMALIZATION_CLOSED_HANDLERS:
            import_string(path).enqueue(str(request.pk))
        # Proposals approved while this one was open now get their own formalization.
        _open_when_group_ready(actor=actor, contact=request.contact, triggered_by_approval=False)
    return request


def formalization_cancel(*, actor: Actor, request_id: Any, reason: str) -> FormalizationRequest:
    """Cancel an open formalization: its proposals go back to APROVA_INICIO_FLUXO_ASS (not
    approved), so they can be approved again — together with any new proposal — into one new
    formalization. The journeys app revokes the link when it sees the request cancelled."""
    actor.require(Perm.FORMALIZATION_CANCEL)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            [FieldError("reason", "reason_required", "Informe o motivo do cancelamento.")]
        )
    return _close(
        actor=actor, request_id=request_id, status=FormalizationRequest.Status.CANCELLED,
        decision=D.FORMALIZATION_CANCELLED, reason=reason,
    )  # fmt: skip


def formalization_complete(
    *, actor: Actor, request_id: Any, note: str = ""
) -> FormalizationRequest:
    """The client signed: every proposal of the request moves to FORMALIZADA (called by the
    journeys app with a system actor)."""
    if actor.kind != "system":
        raise ApplicationError(
            code="system_only",
            message="Só a assinatura do cliente conclui uma formalização.",
            status=403,
        )
    return _close(
        actor=actor, request_id=request_id, status=FormalizationRequest.Status.COMPLETED,
        decision=D.FORMALIZATION_COMPLETED, reason=note or "Assinatura digital concluída.",
    )  # fmt: skip
