"""The formalization assistant end to end: the pipeline opens a formalization, the invitation
template goes out through the fake Graph API, the client answers through signed webhooks in
Meta's wire format, the default flow greets, asks for the opt-in, sends the link, and later
handles "Continuar", "Renovar o link" and "Ajuda"; the completion message closes it."""

import re

import pytest
from django.test import Client

from formaliza.accounts.roles import Role
from formaliza.conversations.models import Message
from formaliza.conversations.tests.conftest import fake_api  # noqa: F401
from formaliza.conversations.tests.helpers import client_says, deliver
from formaliza.core.testing import failed_tasks, run_queued_tasks
from formaliza.flows.defaults import formalization_flow_ensure
from formaliza.flows.models import Flow, FlowRun
from formaliza.flows.tests.assistant_helpers import (
    CLIENT_MOBILE,
    CLIENT_WA,
    assistant_channel,
    assistant_settings,  # noqa: F401
)
from formaliza.journeys.models import Journey, JourneyIssue
from formaliza.journeys.tests.helpers import open_formalization, walk

LINK = re.compile(r"https://formaliza\.test/j/[A-Za-z0-9_-]+")


@pytest.fixture(autouse=True)
def _wired(assistant_settings):  # noqa: F811
    assistant_settings.CONVERSATION_INBOUND_HANDLERS = [
        "formaliza.flows.tasks.flow_inbound_message"
    ]


def outbound(conversation) -> list[Message]:
    return list(
        Message.objects.filter(
            conversation=conversation, direction=Message.Direction.OUTBOUND
        ).order_by("pk")
    )


def says(fake, channel, text="", **spec):
    client_says(fake, channel, text, phone=CLIENT_WA, **spec)
    run_queued_tasks()
    deliver(fake)  # the receipts of what we answered
    run_queued_tasks()


def test_the_default_assistant_end_to_end(kit, make_input, fake_api):  # noqa: F811
    channel = assistant_channel(kit.tenant, fake_api)
    open_formalization(kit, make_input, count=2, mobile=CLIENT_MOBILE)
    run_queued_tasks()  # journey_start -> the link notification -> the WhatsApp messenger

    journey = Journey.objects.get()
    notification = journey.notifications.get(reason="initial")
    assert notification.status == "sent", notification.last_error
    invitation = Message.objects.get(public_id=notification.provider_message_id)
    assert (invitation.kind, invitation.status) == ("template", "accepted")
    assert journey.client_name in invitation.body and "/j/" not in invitation.body
    sent = fake_api.sent[-1]["payload"]
    assert sent["template"]["name"] == "convite_formalizacao"
    assert sent["template"]["components"][0]["parameters"][0]["text"] == journey.client_name
    run = FlowRun.objects.get()
    assert (run.status, run.card, run.context["journey"]) == ("waiting", "convite", str(journey.pk))
    assert run.flow.trigger == Flow.Trigger.FORMALIZATION and run.flow.live.number == 1
    conversation = invitation.conversation
    deliver(fake_api)
    run_queued_tasks()

    # The client taps SIM on the invitation: greeting, opt-in question.
    says(fake_api, channel, type="button", title="SIM", id="SIM")
    greeting, question = outbound(conversation)[1:]
    assert "assistente virtual" in greeting.body and "WhatsApp comercial oficial" in greeting.body
    assert question.kind == "buttons"
    says(fake_api, channel, type="button_reply", id="sim", title="Sim, autorizo")
    conversation.handle.refresh_from_db()
    assert conversation.handle.opted_in_at is not None
    first_link = outbound(conversation)[-1]
    assert first_link.kind == "text" and first_link.status in (
        "accepted",
        "sent",
        "delivered",
        "read",
    )
    first_url = LINK.search(first_link.body).group(0)
    web = Client()
    assert web.get(first_url).status_code == 302  # the link opens the journey

    # The client writes without having finished: the menu.
    says(fake_api, channel, "oi")
    menu = outbound(conversation)[-1]
    assert menu.body.startswith("Não identificamos a conclusão do processo.")
    assert [c["title"] for c in menu.content["choices"]] == ["Continuar", "Renovar o link", "Ajuda"]

    # 2 – Renovar o link: a new link; the old one stops working.
    says(fake_api, channel, "2")
    renewed = outbound(conversation)[-1]
    new_url = LINK.search(renewed.body).group(0)
    assert new_url != first_url and "O link anterior não vale mais" in renewed.body
    assert Client().get(first_url).status_code == 410
    assert Client().get(new_url).status_code == 302

    # 1 – Continuar: the current link again.
    says(fake_api, channel, "oi de novo")
    says(fake_api, channel, type="button_reply", id="continuar", title="Continuar")
    assert LINK.search(outbound(conversation)[-1].body).group(0) == new_url

    # 3 – Ajuda: a task in "Pendências" for an operator to call.
    says(fake_api, channel, "preciso de ajuda")
    says(fake_api, channel, "3")
    assert "atendentes vai ligar" in outbound(conversation)[-1].body
    issue = JourneyIssue.objects.get(journey=journey)
    assert issue.status == "open"
    page = kit.client_for(Role.OPERATOR).get("/jornadas/pendencias/")
    assert "O cliente pediu ajuda pelo WhatsApp" in page.content.decode()

    # The client signs by the link: the completion message (inside the window: text).
    journey = walk(journey, until="done")
    assert journey.status == "signed"
    run_queued_tasks()
    done = journey.notifications.get(kind="completion")
    assert done.status == "sent", done.last_error
    completion = Message.objects.get(public_id=done.provider_message_id)
    assert completion.conversation_id == conversation.pk
    assert (
        journey.request.number in completion.body
        and "Recebemos a sua assinatura" in completion.body
    )

    # Writing again after finishing: a polite message, and the run ends.
    says(fake_api, channel, "obrigado")
    assert "já foi concluída" in outbound(conversation)[-1].body
    run.refresh_from_db()
    assert run.status == "ended"
    failed = [m for m in outbound(conversation) if m.status == "failed"]
    assert failed == [], [(m.body, m.error_code) for m in failed]
    assert fake_api.refused == []
    assert failed_tasks() == []


def test_the_invitation_fails_for_good_without_a_channel_or_a_published_flow(kit, make_input):
    open_formalization(kit, make_input, count=1, mobile=CLIENT_MOBILE)
    run_queued_tasks()
    notification = Journey.objects.get().notifications.get(reason="initial")
    assert notification.status == "failed"
    assert "Nenhum canal de WhatsApp ativo" in notification.last_error
    assert not FlowRun.objects.exists()


def test_an_unpublished_formalization_flow_is_reported(kit, make_input, fake_api):  # noqa: F811
    assistant_channel(kit.tenant, fake_api)
    flow = formalization_flow_ensure(tenant=kit.tenant)
    Flow.objects.filter(pk=flow.pk).update(live=None)
    open_formalization(kit, make_input, count=1, mobile=CLIENT_MOBILE)
    run_queued_tasks()
    notification = Journey.objects.get().notifications.get(reason="initial")
    assert notification.status == "failed" and "não está publicado" in notification.last_error
    assert not Message.objects.exists()  # no invitation without the assistant behind it


def test_ensure_installs_once_and_leaves_the_tenants_flow_alone(kit, other_kit):
    flow = formalization_flow_ensure(tenant=kit.tenant)
    assert (flow.key, flow.trigger, flow.live.number) == ("formalizacao", "formalization", 1)
    assert formalization_flow_ensure(tenant=kit.tenant).pk == flow.pk
    assert flow.versions.count() == 1
    # The tenant replaced it with another flow of the same trigger: that one is kept.
    Flow.objects.filter(pk=flow.pk).update(trigger="manual")
    assert formalization_flow_ensure(tenant=kit.tenant) is None  # key taken, no trigger: hands off
    mine = Flow.objects.create(
        tenant=kit.tenant, key="meu-assistente", name="Meu", trigger="formalization", draft={}
    )
    assert formalization_flow_ensure(tenant=kit.tenant).pk == mine.pk
    # Each tenant gets its own.
    assert formalization_flow_ensure(tenant=other_kit.tenant).tenant_id == other_kit.tenant.pk
