"""The formalization assistant and the people around it: a client answering after the
invitation's conversation was closed still reaches the formalization (not the tenant's inbound
flow); a conversation an attendant holds is not taken by the assistant — the attendant is told
in the inbox and decides."""

import pytest
from django.urls import reverse

from formaliza.accounts.roles import Role
from formaliza.conversations.models import Conversation, ConversationKey, ConversationNote
from formaliza.conversations.services.conversations import conversation_close
from formaliza.conversations.services.inbox import inbox_release, inbox_take
from formaliza.conversations.tests.conftest import fake_api  # noqa: F401
from formaliza.core.testing import failed_tasks, run_queued_tasks
from formaliza.flows.models import Flow, FlowRun
from formaliza.flows.services.definitions import flow_import, flow_publish
from formaliza.flows.testing import card, flow
from formaliza.flows.tests.assistant_helpers import (
    CLIENT_MOBILE,
    assistant_channel,
    assistant_settings,  # noqa: F401
    conversation_with,
)
from formaliza.flows.tests.test_assistant_e2e import outbound, says
from formaliza.journeys.models import Journey
from formaliza.journeys.tests.helpers import open_formalization


@pytest.fixture(autouse=True)
def _wired(assistant_settings):  # noqa: F811
    assistant_settings.CONVERSATION_INBOUND_HANDLERS = [
        "formaliza.flows.tasks.flow_inbound_message"
    ]
    assistant_settings.CONVERSATION_BOT = "formaliza.flows.adapters.conversation_bot.FlowBot"


def inbound_flow(kit) -> Flow:
    """The tenant's flow for new conversations: it must not get the formalization's answer."""
    data = flow(card("oi", "end", text="Olá! Bem-vindo ao atendimento geral."), key="geral")
    created = flow_import(tenant=kit.tenant, actor=kit.actor(Role.MANAGER), data=data).flow
    flow_publish(flow=created, actor=kit.actor(Role.MANAGER))
    Flow.objects.filter(pk=created.pk).update(trigger=Flow.Trigger.INBOUND)
    return created


def test_an_answer_after_the_conversation_closed_reaches_the_formalization(
    kit,
    make_input,
    fake_api,  # noqa: F811
):
    channel = assistant_channel(kit.tenant, fake_api)
    general = inbound_flow(kit)
    open_formalization(kit, make_input, count=1, mobile=CLIENT_MOBILE)
    run_queued_tasks()
    run = FlowRun.objects.get(flow__trigger=Flow.Trigger.FORMALIZATION)
    first = run.conversation
    ConversationKey.objects.create(
        tenant=kit.tenant, conversation=first, kind="contract", value="CT-991"
    )
    conversation_close(tenant=kit.tenant, conversation_id=first.pk, reason="inatividade")

    says(fake_api, channel, type="button", title="SIM", id="SIM")

    second = Conversation.objects.exclude(pk=first.pk).get()
    assert second.status == "open" and second.protocol != first.protocol
    run.refresh_from_db()
    assert run.conversation_id == second.pk and run.status == "waiting"
    assert not FlowRun.objects.filter(flow=general).exists()  # the inbound flow did not start
    bodies = [m.body for m in outbound(second)]
    assert any("assistente virtual" in b for b in bodies), bodies
    assert not any("atendimento geral" in b for b in bodies)
    assert second.keys.filter(kind="contract", value="CT-991").exists()  # history finds it
    note = ConversationNote.objects.get(conversation=second)
    assert first.protocol in note.text and "continua neste atendimento" in note.text
    assert failed_tasks() == []


def test_a_run_of_another_flow_on_a_closed_conversation_is_not_carried(
    kit,
    make_input,
    fake_api,  # noqa: F811
):
    channel = assistant_channel(kit.tenant, fake_api)
    general = inbound_flow(kit)
    first = conversation_with(channel)
    waiting = FlowRun.objects.create(
        tenant=kit.tenant, conversation=first, flow=general, version=general.live,
        status=FlowRun.Status.WAITING, context={},
    )  # fmt: skip
    conversation_close(tenant=kit.tenant, conversation_id=first.pk)

    says(fake_api, channel, "oi")

    waiting.refresh_from_db()
    assert waiting.conversation_id == first.pk
    second = Conversation.objects.exclude(pk=first.pk).get()
    assert FlowRun.objects.filter(conversation=second, flow=general).exists()


def test_the_assistant_does_not_take_a_conversation_an_attendant_holds(
    kit,
    make_input,
    fake_api,  # noqa: F811
):
    channel = assistant_channel(kit.tenant, fake_api)
    held = conversation_with(channel)
    operator = kit.users[Role.OPERATOR]
    inbox_take(actor=kit.actor(Role.OPERATOR), conversation_id=held.pk)

    open_formalization(kit, make_input, count=1, mobile=CLIENT_MOBILE)
    run_queued_tasks()

    journey = Journey.objects.get()
    assert journey.notifications.get(reason="initial").status == "sent"
    held.refresh_from_db()
    assert (held.handler, held.assignee_id) == ("agent", operator.pk)
    pending = FlowRun.objects.get(conversation=held)
    assert pending.status == "pending"
    note = ConversationNote.objects.get(conversation=held, run_id=pending.pk)
    assert operator.display_name in note.text and "Iniciar assistente" in note.text

    # The client answers: the attendant has it, the bot says nothing.
    before = len(outbound(held))
    says(fake_api, channel, type="button", title="SIM", id="SIM")
    assert len(outbound(held)) == before

    client = kit.client_for(Role.OPERATOR)
    page = client.get(reverse("inbox:detail", args=[held.protocol])).content.decode()
    start_url = reverse("inbox:assistant_start", args=[held.protocol, pending.pk])
    assert start_url in page and note.text.split(":")[0] in page

    # A forged run id (another conversation's, or none) changes nothing.
    assert (
        client.post(reverse("inbox:assistant_start", args=[held.protocol, 99999])).status_code
        == 302
    )
    held.refresh_from_db()
    assert held.handler == "agent"

    # The attendant decides to let the assistant lead.
    done = client.post(start_url, follow=True)
    assert "Atendimento passado ao assistente de formalização." in done.content.decode()
    held.refresh_from_db()
    assert held.handler == "bot"
    pending.refresh_from_db()
    assert pending.status == "ended"
    run = FlowRun.objects.get(conversation=held, status="waiting")
    assert run.context["journey"] == str(journey.pk) and run.context["started_by"] == operator.pk
    says(fake_api, channel, type="button", title="SIM", id="SIM")
    assert any("assistente virtual" in m.body for m in outbound(held))
    # Started once: posting again finds nothing pending.
    again = client.post(start_url, follow=True)
    assert "não encontrad" in again.content.decode()
    assert FlowRun.objects.filter(conversation=held, status="waiting").count() == 1


def test_another_tenant_cannot_start_the_pending_assistant(
    kit,
    other_kit,
    make_input,
    fake_api,  # noqa: F811
):
    channel = assistant_channel(kit.tenant, fake_api)
    held = conversation_with(channel)
    inbox_take(actor=kit.actor(Role.OPERATOR), conversation_id=held.pk)
    open_formalization(kit, make_input, count=1, mobile=CLIENT_MOBILE)
    run_queued_tasks()
    pending = FlowRun.objects.get(conversation=held)

    response = other_kit.client_for(Role.OPERATOR).post(
        reverse("inbox:assistant_start", args=[held.protocol, pending.pk])
    )

    assert response.status_code == 404
    pending.refresh_from_db()
    assert pending.status == "pending"
    assert len(outbound(held)) == 1  # the invitation only


def test_a_pending_assistant_starts_when_the_client_answers_after_the_attendant_closed(
    kit,
    make_input,
    fake_api,  # noqa: F811
):
    channel = assistant_channel(kit.tenant, fake_api)
    general = inbound_flow(kit)
    held = conversation_with(channel)
    inbox_take(actor=kit.actor(Role.OPERATOR), conversation_id=held.pk)
    open_formalization(kit, make_input, count=1, mobile=CLIENT_MOBILE)
    run_queued_tasks()
    pending = FlowRun.objects.get(conversation=held, status="pending")
    conversation_close(tenant=kit.tenant, conversation_id=held.pk, reason="encerrado")

    says(fake_api, channel, type="button", title="SIM", id="SIM")

    second = Conversation.objects.exclude(pk=held.pk).get()
    pending.refresh_from_db()
    assert pending.status == "ended" and pending.reason == "iniciado por resposta do cliente"
    run = FlowRun.objects.get(conversation=second, status="waiting")
    assert run.context["journey"] == pending.context["journey"]
    assert not FlowRun.objects.filter(flow=general).exists()
    bodies = [m.body for m in outbound(second)]
    assert any("assistente virtual" in b for b in bodies), bodies  # the answer was consumed
    assert ConversationNote.objects.filter(conversation=second, text__contains=held.protocol)


def test_a_pending_assistant_starts_on_the_answer_after_the_attendant_gave_it_back(
    kit,
    make_input,
    fake_api,  # noqa: F811
):
    channel = assistant_channel(kit.tenant, fake_api)
    general = inbound_flow(kit)
    held = conversation_with(channel)
    inbox_take(actor=kit.actor(Role.OPERATOR), conversation_id=held.pk)
    open_formalization(kit, make_input, count=1, mobile=CLIENT_MOBILE)
    run_queued_tasks()
    pending = FlowRun.objects.get(conversation=held, status="pending")
    inbox_release(actor=kit.actor(Role.OPERATOR), conversation_id=held.pk)

    says(fake_api, channel, type="button", title="SIM", id="SIM")

    pending.refresh_from_db()
    assert pending.status == "ended"
    assert FlowRun.objects.filter(conversation=held, status="waiting").exists()
    assert not FlowRun.objects.filter(flow=general).exists()
    assert any("assistente virtual" in m.body for m in outbound(held))
    assert ConversationNote.objects.filter(
        conversation=held, text__contains="devolvido ao assistente virtual"
    ).exists()
