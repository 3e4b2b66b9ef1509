"""Opening a journey when the pipeline opens a formalization (FORMALIZATION_OPENED_HANDLERS)."""

import base64

import pytest
from django.db import IntegrityError, connection, transaction

from formaliza.core.ids import sha256_hex
from formaliza.core.testing import failed_tasks, queued_tasks, run_queued_tasks
from formaliza.evidence.models import EvidenceEvent
from formaliza.journeys import services
from formaliza.journeys.documents import snapshot_sha256
from formaliza.journeys.models import Journey, JourneyLink
from formaliza.journeys.selectors import LinkState, link_resolve
from formaliza.journeys.tests.helpers import open_formalization
from formaliza.proposals.models import FormalizationRequest


def _kinds(journey):
    return list(
        EvidenceEvent.objects.filter(subject_type="journey", subject_id=str(journey.pk))
        .order_by("sequence")
        .values_list("kind", flat=True)
    )


def test_opening_a_formalization_starts_one_journey_and_sends_its_link(kit, make_input, outbox):
    request = open_formalization(kit, make_input, count=2)
    assert [t.task_path for t in queued_tasks("journey_start")] == [
        "formaliza.journeys.tasks.journey_start"
    ]

    run_queued_tasks()

    assert not failed_tasks()
    journey = Journey.objects.get(request=request)
    assert (journey.phone, journey.cpf, journey.status) == (request.phone, request.cpf, "active")
    assert journey.contracts.count() == 2
    (message,) = outbox.links()
    assert message.phone == request.phone
    assert message.reason == "initial"
    assert message.formalization_number == request.number
    token = message.link_url.rsplit("/j/", 1)[1]
    assert message.link_url.startswith("https://formaliza.test/j/")
    assert link_resolve(token=token).journey == journey
    journey.refresh_from_db()
    assert journey.first_sent_at is not None
    assert _kinds(journey) == ["journey.created", "message.sent"]


def test_link_token_has_256_random_bits_and_only_its_hash_is_looked_up(started):
    token = started.link_url.rsplit("/j/", 1)[1]
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert len(raw) * 8 >= 128
    assert len(raw) == 32
    link = JourneyLink.objects.get(journey=started.journey)
    assert link.token_hash == sha256_hex(token)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT token_hash, token FROM journeys_journeylink WHERE id = %s", [link.pk]
        )
        stored_hash, stored_token = cursor.fetchone()
    assert stored_hash != token
    assert token not in stored_token  # encrypted at rest (Fernet), not the plain token
    assert link.token == token  # decrypts for resending the same link


def test_tokens_differ_between_journeys(kit, make_input):
    first = services.journey_start(request_id=open_formalization(kit, make_input, count=1).pk)
    second = services.journey_start(request_id=open_formalization(kit, make_input, count=1).pk)
    assert first.link_url != second.link_url


def test_start_is_idempotent(formalization, outbox):
    first = services.journey_start(request_id=formalization.pk)
    again = services.journey_start(request_id=formalization.pk)
    run_queued_tasks()  # the handler task enqueued by the pipeline runs too

    assert again.journey == first.journey
    assert (again.created, again.link_url) == (False, "")
    assert Journey.objects.filter(request=formalization).count() == 1
    assert JourneyLink.objects.filter(journey=first.journey).count() == 1
    assert len(outbox.links()) == 1


def test_no_journey_for_a_formalization_cancelled_before_the_task_ran(kit, formalization, outbox):
    from formaliza.accounts.roles import Role
    from formaliza.proposals.services import formalization_cancel

    formalization_cancel(
        actor=kit.actor(Role.MANAGER), request_id=formalization.pk, reason="Proposta corrigida"
    )
    run_queued_tasks()

    assert not failed_tasks()
    assert not Journey.objects.exists()
    assert outbox.outbox == []


def test_conditions_snapshot_and_contracts_are_frozen_with_their_hashes(journey):
    snapshot = journey.conditions_snapshot
    assert journey.conditions_sha256 == snapshot_sha256(snapshot)
    numbers = [c.proposal.number for c in journey.contracts.select_related("proposal")]
    assert [p["numero"] for p in snapshot["propostas"]] == numbers
    labels = [label for label, _ in snapshot["propostas"][0]["condicoes"]]
    assert labels[:5] == [
        "Valor solicitado", "Valor liberado para você", "Parcelas", "Taxa de juros",
        "CET (custo efetivo total)",
    ]  # fmt: skip
    first = journey.contracts.select_related("proposal").first()
    proposal = first.proposal
    assert first.sha256 == sha256_hex(first.html)
    assert proposal.name in first.html
    assert proposal.cpf_display in first.html
    assert "R$" in first.html
    assert "Fim do contrato" in first.html


def test_one_active_journey_per_phone_and_cpf_is_enforced_by_the_database(journey):
    clone = Journey(
        tenant=journey.tenant, request=FormalizationRequest.objects.create(
            tenant=journey.tenant, number="X1", contact=journey.contact, cpf=journey.cpf,
            phone=journey.phone, status="completed", opened_by="teste",
        ),
        contact=journey.contact, cpf=journey.cpf, phone=journey.phone, client_name="x",
        expires_at=journey.expires_at, terms=journey.terms, conditions_sha256="",
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()
    clone.status = Journey.Status.SIGNED  # closed journeys do not count
    clone.save()
    assert Journey.objects.filter(phone=journey.phone, cpf=journey.cpf).count() == 2


def test_a_new_formalization_after_cancelling_replaces_the_old_journey(kit, make_input, outbox):
    from formaliza.accounts.roles import Role
    from formaliza.proposals.services import formalization_cancel, proposal_decide

    request = open_formalization(kit, make_input, count=1)
    old = services.journey_start(request_id=request.pk).journey
    formalization_cancel(actor=kit.actor(Role.MANAGER), request_id=request.pk, reason="Corrigir")
    proposal = request.proposals.get()
    proposal_decide(actor=kit.actor(), proposal_id=proposal.pk, decision="approve")
    new_request = FormalizationRequest.objects.get(status="open")

    new = services.journey_start(request_id=new_request.pk).journey

    old.refresh_from_db()
    assert old.status == "cancelled"
    assert new.status == "active"
    assert (new.phone, new.cpf) == (old.phone, old.cpf)
    assert "journey.cancelled" in _kinds(old)
    old_link = old.links.get()
    assert old_link.revoked_at is not None


def test_every_link_of_a_cancelled_journey_stops_working(kit, started):
    from formaliza.accounts.roles import Role
    from formaliza.proposals.services import formalization_cancel

    token = started.link_url.rsplit("/j/", 1)[1]
    formalization_cancel(
        actor=kit.actor(Role.MANAGER), request_id=started.journey.request_id, reason="Desistiu"
    )
    assert link_resolve(token=token).state == LinkState.REQUEST_CLOSED

    services.journeys_sweep()

    assert link_resolve(token=token).state == LinkState.CANCELLED
    journey = Journey.objects.get(pk=started.journey.pk)
    assert journey.status == "cancelled"
    assert "Desistiu" in journey.closed_reason
    assert _kinds(journey)[-1] == "journey.cancelled"
    services.journeys_sweep()  # idempotent: no second event
    assert _kinds(journey).count("journey.cancelled") == 1


def test_a_cancelled_formalization_revokes_the_journey_at_once_through_the_closed_hook(
    kit, started
):
    from formaliza.accounts.roles import Role
    from formaliza.proposals.services import formalization_cancel

    token = started.link_url.rsplit("/j/", 1)[1]
    formalization_cancel(
        actor=kit.actor(Role.MANAGER), request_id=started.journey.request_id, reason="Desistiu"
    )
    assert [t.task_path for t in queued_tasks("journey_request_closed")] == [
        "formaliza.journeys.tasks.journey_request_closed"
    ]

    run_queued_tasks()  # no sweep: the hook alone closes it

    assert link_resolve(token=token).state == LinkState.CANCELLED
    journey = Journey.objects.get(pk=started.journey.pk)
    assert journey.status == "cancelled"
    assert _kinds(journey).count("journey.cancelled") == 1
