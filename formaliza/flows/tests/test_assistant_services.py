"""The assistant's effects over the journeys services, and the WhatsApp ClientMessenger for the
links and messages that do not start a flow (the invitation is covered end to end in
test_assistant_e2e.py)."""

import pytest

from formaliza.accounts.roles import Role
from formaliza.conversations.models import Message
from formaliza.conversations.services import consent_opt_out
from formaliza.conversations.tests.conftest import fake_api  # noqa: F401
from formaliza.core.testing import run_queued_tasks
from formaliza.evidence.models import EvidenceEvent
from formaliza.flows.adapters.whatsapp_messenger import WhatsAppMessenger
from formaliza.flows.effects import EffectContext, executor_get
from formaliza.flows.tests.assistant_helpers import (
    CLIENT_E164,
    CLIENT_MOBILE,
    assistant_channel,
    assistant_settings,  # noqa: F401
    conversation_with,
    run_on,
)
from formaliza.journeys import services as journeys
from formaliza.journeys.models import JourneyIssue, JourneyNotification
from formaliza.journeys.ports import CompletionMessage, MessengerError
from formaliza.journeys.selectors import LinkState, link_resolve
from formaliza.journeys.tests.helpers import open_formalization

pytestmark = pytest.mark.usefixtures("assistant_settings")


@pytest.fixture
def journey(kit, make_input):
    request = open_formalization(kit, make_input, count=1, mobile=CLIENT_MOBILE)
    return journeys.journey_start(request_id=request.pk).journey


@pytest.fixture
def channel(kit, fake_api):  # noqa: F811
    return assistant_channel(kit.tenant, fake_api)


def effect(name, conversation, run, payload=None):
    ctx = EffectContext(
        tenant=conversation.tenant, conversation=conversation, run_id=run.pk, card="x"
    )
    return executor_get(name).fn(ctx, payload or {})


def test_link_effects_resend_and_renew_through_the_journey(journey, channel):
    conversation = conversation_with(channel)
    run = run_on(conversation, context={"journey": str(journey.pk)})
    first = journey.links.get()

    assert effect("journey_link_send", conversation, run) == {"ok": True}
    assert effect("journey_link_renew", conversation, run) == {"ok": True}
    reasons = list(journey.notifications.order_by("created_at").values_list("reason", flat=True))
    assert reasons == ["initial", "resend", "renew"]
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert journey.links.filter(revoked_at__isnull=True).count() == 1

    assert effect("journey_status", conversation, run) == {"status": "active", "step": "welcome"}


def test_help_opens_one_task_in_pendencias(kit, journey, channel):
    conversation = conversation_with(channel)
    run = run_on(conversation, context={"journey": str(journey.pk)})
    first = effect("journey_help", conversation, run)
    again = effect("journey_help", conversation, run)
    assert first["ok"] and first == again  # asking twice: one task
    issue = JourneyIssue.objects.get()
    assert (issue.journey_id, issue.status) == (journey.pk, "open")
    journey.refresh_from_db()
    assert journey.status == "active"  # the client may still finish by the link
    events = EvidenceEvent.objects.filter(subject_id=str(journey.pk), kind="issue.help_requested")
    assert [e.data["issue"] for e in events] == [issue.pk]

    page = kit.client_for(Role.OPERATOR).get("/jornadas/pendencias/")
    assert page.status_code == 200
    assert "O cliente pediu ajuda pelo WhatsApp" in page.content.decode()
    assert "(11) 98765-4321" in page.content.decode()


def test_effects_find_the_journey_by_phone_and_never_another_tenants(
    kit, other_kit, journey, channel, make_input
):
    conversation = conversation_with(channel)
    by_phone = run_on(conversation, context={})
    assert effect("journey_status", conversation, by_phone)["status"] == "active"

    # A run whose context names another tenant's journey does not reach it.
    request = open_formalization(other_kit, make_input, count=1, mobile=CLIENT_MOBILE)
    foreign = journeys.journey_start(request_id=request.pk).journey
    run = run_on(conversation, context={"journey": str(foreign.pk)})
    assert effect("journey_status", conversation, run) == {"status": "none"}
    assert effect("journey_link_renew", conversation, run) == {
        "ok": False,
        "code": "journey_not_found",
    }
    assert effect("journey_help", conversation, run)["ok"] is False
    assert foreign.links.filter(revoked_at__isnull=False).count() == 0
    assert not JourneyIssue.objects.filter(journey=foreign).exists()

    # Another tenant's conversation with the same phone does not see this tenant's journey.
    other_conversation = conversation_with(assistant_channel(other_kit.tenant))
    foreign.status = "cancelled"
    foreign.save(update_fields=["status"])
    lone = run_on(other_conversation, context={})
    assert effect("journey_status", other_conversation, lone)["status"] == "cancelled"


def test_closed_journey_refuses_links_and_help(journey, channel):
    conversation = conversation_with(channel)
    run = run_on(conversation, context={"journey": str(journey.pk)})
    journey.status = "expired"
    journey.save(update_fields=["status"])
    assert effect("journey_link_send", conversation, run) == {"ok": False, "code": "journey_closed"}
    assert effect("journey_link_renew", conversation, run)["code"] == "journey_closed"
    assert effect("journey_help", conversation, run)["code"] == "journey_closed"
    assert effect("journey_status", conversation, run)["status"] == "expired"


def test_messenger_sends_the_link_as_template_outside_the_window_and_text_inside(
    journey,
    channel,
    fake_api,  # noqa: F811
):
    journeys.journey_link_resend(actor=_system(journey), journey_id=journey.pk)
    notification = journey.notifications.get(reason="resend")
    assert journeys.journey_notification_send(notification_id=notification.pk) == "sent"
    notification.refresh_from_db()
    message = Message.objects.get(public_id=notification.provider_message_id)
    assert (notification.provider, message.kind) == ("whatsapp", "template")
    assert message.content["name"] == "formalizacao_link"
    assert message.reference == f"journey:{journey.pk}"

    handle = message.handle
    handle.last_inbound_at = message.created_at  # the client wrote: the window is open
    handle.save(update_fields=["last_inbound_at"])
    renewed = journeys.journey_link_renew(actor=_system(journey), journey_id=journey.pk)
    notification = journey.notifications.get(reason="renew")
    journeys.journey_notification_send(notification_id=notification.pk)
    notification.refresh_from_db()
    text = Message.objects.get(public_id=notification.provider_message_id)
    assert text.kind == "text" and renewed.link_url in text.body
    assert "O link anterior não vale mais" in text.body
    assert link_resolve(token=renewed.link_url.rsplit("/j/", 1)[1]).state == LinkState.OK

    run_queued_tasks()
    by_id = {s["id"]: s["payload"]["type"] for s in fake_api.sent}
    message.refresh_from_db()
    text.refresh_from_db()
    assert by_id[message.provider_message_id] == "template"
    assert by_id[text.provider_message_id] == "text"


def test_messenger_refusals_are_final(journey, channel):
    consent_opt_out(handle=conversation_with(channel).handle, source="teste")
    journeys.journey_link_resend(actor=_system(journey), journey_id=journey.pk)
    notification = journey.notifications.get(reason="resend")
    assert journeys.journey_notification_send(notification_id=notification.pk) == "failed"
    notification.refresh_from_db()
    assert "opted_out" in notification.last_error

    with pytest.raises(MessengerError) as exc:
        WhatsAppMessenger().send_completion(
            CompletionMessage(
                tenant_id=journey.tenant_id + 999, tenant_name="x", journey_id=str(journey.pk),
                formalization_number="1", phone=CLIENT_E164, client_name="Maria",
                proposal_numbers=("1",), signed_at=journey.created_at,
            )
        )  # fmt: skip
    assert exc.value.retryable is False and "Nenhum canal de WhatsApp" in str(exc.value)


def test_completion_goes_as_template_outside_the_window_once(journey, channel):
    message = CompletionMessage(
        tenant_id=journey.tenant_id, tenant_name=journey.tenant.name, journey_id=str(journey.pk),
        formalization_number=journey.request.number, phone=journey.phone,
        client_name=journey.client_name, proposal_numbers=("1",), signed_at=journey.created_at,
    )  # fmt: skip
    first = WhatsAppMessenger().send_completion(message)
    again = WhatsAppMessenger().send_completion(message)
    assert first == again and first.provider == "whatsapp"
    sent = Message.objects.get(public_id=first.message_id)
    assert sent.kind == "template" and journey.request.number in sent.body
    assert JourneyNotification.objects.filter(journey=journey).count() == 1  # only the initial


def _system(journey):
    from formaliza.accounts.actors import Actor

    return Actor.of_system(journey.tenant, "teste")


def test_a_retried_invitation_sends_once_and_starts_one_run(journey, channel):
    from formaliza.flows.models import FlowRun
    from formaliza.journeys.ports import LinkMessage

    link = journey.links.get()
    message = LinkMessage(
        tenant_id=journey.tenant_id, tenant_name=journey.tenant.name, journey_id=str(journey.pk),
        formalization_number=journey.request.number, phone=journey.phone,
        client_name=journey.client_name, link_url="https://formaliza.test/j/x",
        expires_at=link.expires_at, reason="initial",
    )  # fmt: skip
    first = WhatsAppMessenger().send_link(message)
    again = WhatsAppMessenger().send_link(message)  # the worker died before recording the first
    assert first == again
    invitation = Message.objects.get(public_id=first.message_id)
    assert invitation.kind == "template" and "https://" not in invitation.body
    run = FlowRun.objects.get()
    assert (run.status, run.card, run.conversation_id) == (
        "waiting",
        "convite",
        invitation.conversation_id,
    )
    assert run.context == {"journey": str(journey.pk), "formalization": journey.request.number}
