"""The client's steps: order, evidence per step, the reading gate, signing."""

import pytest

from formaliza.core.errors import ApplicationError
from formaliza.core.testing import run_queued_tasks
from formaliza.evidence.models import EvidenceEvent
from formaliza.evidence.services import Subject, evidence_chain_verify
from formaliza.journeys import services
from formaliza.journeys.models import JourneyIssue, Step
from formaliza.journeys.tests.helpers import CLIENT_CTX, walk
from formaliza.proposals.models import Proposal
from formaliza.webhooks.models import WebhookEvent
from formaliza.webhooks.services import webhook_endpoint_create


def _events(journey):
    return list(
        EvidenceEvent.objects.filter(subject_type="journey", subject_id=str(journey.pk)).order_by(
            "sequence"
        )
    )


def test_every_step_writes_its_evidence_with_the_client_context(journey):
    walk(journey, until=Step.DONE)

    client_events = [e for e in _events(journey) if e.actor_kind == "client"]
    assert [e.kind for e in client_events] == [
        "welcome.confirmed",
        "terms.accepted",
        "conditions.confirmed",
        "contracts.shown",
        "contract.read",
        "contract.read",
        "contracts.accepted",
        "capture.accepted",
        "capture.accepted",
        "capture.accepted",
        "journey.signed",
    ]
    for event in client_events:
        assert (event.ip, event.user_agent, event.session_id) == (
            CLIENT_CTX.ip, CLIENT_CTX.user_agent, CLIENT_CTX.session_id,
        )  # fmt: skip
        assert event.phone == CLIENT_CTX.phone
    assert evidence_chain_verify(subject=Subject("journey", str(journey.pk))).ok


def test_steps_must_be_taken_in_order_and_a_double_submit_changes_nothing(journey):
    with pytest.raises(ApplicationError) as err:
        services.journey_terms_accept(
            journey_id=journey.pk, terms_sha256=journey.terms.sha256, context=CLIENT_CTX
        )
    assert err.value.code == "step_out_of_order"
    services.journey_welcome_confirm(journey_id=journey.pk, phone_is_own=False, context=CLIENT_CTX)
    before = len(_events(journey))
    with pytest.raises(ApplicationError):
        services.journey_welcome_confirm(
            journey_id=journey.pk, phone_is_own=True, context=CLIENT_CTX
        )
    journey.refresh_from_db()
    assert journey.phone_is_own is False  # flagged: someone else's phone
    assert len(_events(journey)) == before


def test_terms_acceptance_records_the_version_hash(journey):
    walk(journey, until=Step.TERMS)
    with pytest.raises(ApplicationError) as err:
        services.journey_terms_accept(
            journey_id=journey.pk, terms_sha256="0" * 64, context=CLIENT_CTX
        )
    assert err.value.code == "terms_mismatch"
    services.journey_terms_accept(
        journey_id=journey.pk, terms_sha256=journey.terms.sha256, context=CLIENT_CTX
    )
    event = _events(journey)[-1]
    assert event.kind == "terms.accepted"
    assert event.data["sha256"] == journey.terms.sha256
    assert event.data["version"] == 1
    assert "assinatura eletrônica" in journey.terms.body.lower()


def test_conditions_confirmation_records_the_snapshot_hash(journey):
    walk(journey, until=Step.CONDITIONS)
    services.journey_conditions_confirm(
        journey_id=journey.pk, snapshot_sha256=journey.conditions_sha256, context=CLIENT_CTX
    )
    event = _events(journey)[-1]
    assert event.data["sha256"] == journey.conditions_sha256
    assert len(event.data["proposals"]) == 2


def test_contracts_cannot_be_accepted_before_every_one_is_scrolled_to_its_end(journey, settings):
    settings.JOURNEY_READ_MIN_SECONDS_PER_PAGE = 0  # the floor: tests/services/test_reading.py
    walk(journey, until=Step.CONTRACTS)
    first, second = services.journey_contracts_shown(journey_id=journey.pk, context=CLIENT_CTX)
    services.journey_contract_reading_record(
        journey_id=journey.pk, contract_id=first.pk, max_fraction=1.0, client_seconds=20,
        context=CLIENT_CTX,
    )  # fmt: skip
    services.journey_contract_reading_record(
        journey_id=journey.pk, contract_id=second.pk, max_fraction=0.7, client_seconds=5,
        context=CLIENT_CTX,
    )  # fmt: skip

    with pytest.raises(ApplicationError) as err:
        services.journey_contracts_accept(journey_id=journey.pk, context=CLIENT_CTX)

    assert err.value.code == "contracts_not_read"
    assert err.value.extra["unread"] == [second.proposal.number]
    journey.refresh_from_db()
    assert journey.contracts_read_at is None
    assert journey.current_step == Step.CONTRACTS
    second.refresh_from_db()
    assert (second.max_fraction, second.read_at) == (0.7, None)
    reads = [e for e in _events(journey) if e.kind == "contract.read"]
    assert [e.data["proposal"] for e in reads] == [first.proposal.number]
    assert reads[0].data["max_fraction"] == 1.0
    assert reads[0].data["client_seconds"] == 20.0
    assert reads[0].data["server_seconds"] >= 0


def test_reading_progress_only_grows_and_is_clamped(journey, settings):
    settings.JOURNEY_READ_MIN_SECONDS_PER_PAGE = 0
    walk(journey, until=Step.CONTRACTS)
    contract = services.journey_contracts_shown(journey_id=journey.pk, context=CLIENT_CTX)[0]
    for fraction in (0.5, 0.2, 7.0):
        contract = services.journey_contract_reading_record(
            journey_id=journey.pk, contract_id=contract.pk, max_fraction=fraction,
            client_seconds=3, context=CLIENT_CTX,
        )  # fmt: skip
    assert contract.max_fraction == 1.0
    assert contract.read_at is not None


def test_reading_before_the_page_was_served_is_refused(journey):
    walk(journey, until=Step.CONTRACTS)
    contract = journey.contracts.first()
    with pytest.raises(ApplicationError) as err:
        services.journey_contract_reading_record(
            journey_id=journey.pk, contract_id=contract.pk, max_fraction=1.0, client_seconds=1,
            context=CLIENT_CTX,
        )  # fmt: skip
    assert err.value.code == "contract_not_found"
    contract.refresh_from_db()
    assert contract.read_at is None


def test_something_wrong_stops_the_journey_and_opens_an_operator_task(kit, journey):
    walk(journey, until=Step.CONDITIONS)
    issue = services.journey_issue_report(
        journey_id=journey.pk, message="O valor da parcela está errado", context=CLIENT_CTX
    )
    journey.refresh_from_db()
    assert journey.status == "stopped"
    assert (issue.status, issue.step, issue.tenant) == ("open", Step.CONDITIONS, kit.tenant)
    assert _events(journey)[-1].kind == "issue.reported"
    with pytest.raises(ApplicationError) as err:
        services.journey_conditions_confirm(
            journey_id=journey.pk, snapshot_sha256=journey.conditions_sha256, context=CLIENT_CTX
        )
    assert err.value.code == "journey_stopped"


def test_resolving_the_task_can_give_the_journey_back_to_the_client(kit, journey, outbox):
    from formaliza.accounts.roles import Role

    run_queued_tasks()
    walk(journey, until=Step.CONDITIONS)
    issue = services.journey_issue_report(journey_id=journey.pk, message="", context=CLIENT_CTX)

    services.journey_issue_resolve(
        actor=kit.actor(Role.OPERATOR), issue_id=issue.pk, resolution="Liguei; estava certo",
        resume=True,
    )  # fmt: skip
    run_queued_tasks()

    journey.refresh_from_db()
    issue.refresh_from_db()
    assert (journey.status, journey.current_step) == ("active", Step.CONDITIONS)
    assert issue.status == JourneyIssue.Status.RESOLVED
    assert issue.resolved_by == kit.users[Role.OPERATOR]
    assert [m.reason for m in outbox.links()] == ["initial", "renew"]
    with pytest.raises(ApplicationError) as err:
        services.journey_issue_resolve(
            actor=kit.actor(Role.OPERATOR), issue_id=issue.pk, resolution="de novo", resume=True
        )
    assert err.value.code == "issue_already_resolved"


def test_signing_formalizes_the_proposals_tells_the_integrator_and_the_client(
    kit, journey, outbox, receiver
):
    webhook_endpoint_create(tenant=kit.tenant, url=receiver.url + "/hook")
    walk(journey, until=Step.CONFIRM)
    run_queued_tasks()

    services.journey_sign(journey_id=journey.pk, context=CLIENT_CTX)
    run_queued_tasks()

    journey.refresh_from_db()
    assert (journey.status, journey.current_step) == ("signed", Step.DONE)
    assert journey.request.status == "completed"
    proposals = Proposal.objects.filter(formalizations=journey.request)
    assert set(proposals.values_list("activity", flat=True)) == {"FORMALIZADA"}
    to_formalized = [
        r.json() for r in receiver.requests
        if r.json()["data"].get("to_activity") == "FORMALIZADA"
    ]  # fmt: skip
    assert len(to_formalized) == 2
    assert to_formalized[0]["data"]["actor"] == {"kind": "system", "label": "Sistema (journeys)"}
    (completion,) = outbox.completions()
    assert completion.phone == journey.phone
    assert set(completion.proposal_numbers) == set(proposals.values_list("number", flat=True))
    assert journey.completion_sent_at is not None
    signed = next(e for e in _events(journey) if e.kind == "journey.signed")
    assert signed.data["terms"]["sha256"] == journey.terms.sha256
    assert signed.data["conditions_sha256"] == journey.conditions_sha256
    assert {c["sha256"] for c in signed.data["contracts"]} == set(
        journey.contracts.values_list("sha256", flat=True)
    )
    selfie = signed.data["captures"]["selfie"]
    assert selfie["original_sha256"] and selfie["face"]["inside_oval"] is True
    assert selfie["retakes"] == 1


def test_signing_is_refused_when_the_formalization_was_cancelled_meanwhile(kit, journey, outbox):
    from formaliza.accounts.roles import Role
    from formaliza.proposals.services import formalization_cancel

    walk(journey, until=Step.CONFIRM)
    formalization_cancel(actor=kit.actor(Role.MANAGER), request_id=journey.request_id, reason="x")

    with pytest.raises(ApplicationError) as err:
        services.journey_sign(journey_id=journey.pk, context=CLIENT_CTX)

    assert err.value.code == "formalization_not_open"
    journey.refresh_from_db()
    assert (journey.status, journey.signed_at) == ("active", None)
    assert not [e for e in _events(journey) if e.kind == "journey.signed"]
    run_queued_tasks()
    assert outbox.completions() == []
    assert not WebhookEvent.objects.filter(
        type="proposal.activity_changed", body__contains=b"FORMALIZADA"
    ).exists()
