"""The attendants' inbox (conversations) with the flows as its bot (flows.adapters.
conversation_bot): a conversation a flow transferred waits in its department's queue, take,
reply (gates apply), transfer, give back to the bot, finish; permissions and tenant isolation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from conftest import PASSWORD, TenantKit
from formaliza.accounts import services as accounts
from formaliza.accounts.actors import Actor
from formaliza.accounts.roles import Role
from formaliza.conversations.models import (
    ContactHandle,
    Conversation,
    ConversationNote,
    Department,
    FinalizationStatus,
    Message,
)
from formaliza.conversations.services import inbox
from formaliza.core import clock
from formaliza.core.errors import Conflict, NotFound
from formaliza.flows.models import Flow, FlowRun
from formaliza.flows.services import runtime
from formaliza.flows.testing import card, flow
from formaliza.flows.tests.runtime_helpers import channel_of, client_writes, publish

pytestmark = pytest.mark.django_db

TRIAGE = flow(
    card("d", "description", "t", text="Conte o que precisa."),
    card("t", "transfer", department="Financeiro", note="Protocolo {{protocolo}}"),
    key="triagem",
)


@pytest.fixture
def setup(kit):
    channel = channel_of(kit.tenant)
    financeiro = Department.objects.create(tenant=kit.tenant, name="Financeiro")
    suporte = Department.objects.create(tenant=kit.tenant, name="Suporte")
    publish(kit.tenant, TRIAGE, trigger=Flow.Trigger.INBOUND)
    first = client_writes(channel, "oi")
    runtime.inbound_message_handle(message_id=first.pk)
    second = client_writes(channel, "Quero a segunda via do boleto")
    runtime.inbound_message_handle(message_id=second.pk)
    conversation = Conversation.objects.get(pk=first.conversation_id)
    return {
        "channel": channel,
        "financeiro": financeiro,
        "suporte": suporte,
        "conversation": conversation,
        "attendant": kit.users[Role.ATTENDANT],
    }


def _url(name, conversation):
    return reverse(f"inbox:{name}", kwargs={"protocol": conversation.protocol})


def test_a_transferred_conversation_waits_in_its_department_queue(kit, setup):
    conv = setup["conversation"]
    assert (conv.handler, conv.department) == ("queue", setup["financeiro"])
    client = kit.client_for(Role.ATTENDANT)
    page = client.get(reverse("inbox:home") + f"?fila={setup['financeiro'].pk}")
    assert page.status_code == 200
    assert conv.protocol in page.content.decode()
    assert "1 aguardando" in page.content.decode()
    other_queue = client.get(reverse("inbox:home") + f"?fila={setup['suporte'].pk}")
    assert conv.protocol not in other_queue.content.decode()
    detail = client.get(_url("detail", conv)).content.decode()
    assert "Quero a segunda via do boleto" in detail  # the description, kept for the attendant
    assert f"Protocolo {conv.protocol}" in detail  # the transfer note
    assert "Conte o que precisa." in detail  # the history


def test_take_reply_and_finish(kit, setup):
    conv = setup["conversation"]
    status = FinalizationStatus.objects.create(
        tenant=kit.tenant, code="resolvido", name="Resolvido"
    )
    client = kit.client_for(Role.ATTENDANT)
    assert client.post(_url("take", conv)).status_code == 302
    conv.refresh_from_db()
    assert (conv.handler, conv.assignee) == ("agent", setup["attendant"])
    mine = client.get(reverse("inbox:home")).content.decode()
    assert conv.protocol in mine
    response = client.post(_url("reply", conv), {"text": "Olá! Segue a segunda via."})
    assert response.status_code == 302
    sent = Message.objects.filter(conversation=conv, direction="out").last()
    assert (sent.body, sent.sent_by) == ("Olá! Segue a segunda via.", setup["attendant"])
    response = client.post(_url("finish", conv), {"finalization": status.pk})
    assert response.status_code == 302
    conv.refresh_from_db()
    assert conv.status == "closed"
    assert (conv.finalization, conv.finished_by) == (status, setup["attendant"])
    assert "Resolvido" in conv.closed_reason


def test_reply_outside_the_window_is_refused_in_portuguese(kit, setup):
    conv = setup["conversation"]
    client = kit.client_for(Role.ATTENDANT)
    client.post(_url("take", conv))
    ContactHandle.objects.filter(pk=conv.handle_id).update(
        last_inbound_at=clock.now() - dt.timedelta(hours=25)
    )
    before = Message.objects.filter(conversation=conv, direction="out").count()
    response = client.post(_url("reply", conv), {"text": "Oi?"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "24 horas" in body
    assert "modelos (HSM)" in body
    assert Message.objects.filter(conversation=conv, direction="out").count() == before


def test_two_attendants_cannot_take_the_same_conversation(kit, setup):
    conv = setup["conversation"]
    other = accounts.user_create(
        tenant=kit.tenant, email="outra@example.com", password=PASSWORD, role=Role.ATTENDANT,
        first_name="Outra",
    )  # fmt: skip
    inbox.inbox_take(actor=Actor.of_user(setup["attendant"]), conversation_id=conv.pk)
    with pytest.raises(Conflict) as exc:
        inbox.inbox_take(actor=Actor.of_user(other), conversation_id=conv.pk)
    assert exc.value.code == "conversation_taken"
    assert "Attendant" in exc.value.message
    # Through the page, the refusal is a message, not an error page.
    from django.test import Client

    client = Client()
    client.force_login(other)
    page = client.post(_url("take", conv), follow=True)
    assert "já está com" in page.content.decode()


def test_transfer_to_another_department_and_back_to_the_bot(kit, setup):
    conv = setup["conversation"]
    client = kit.client_for(Role.ATTENDANT)
    client.post(_url("take", conv))
    response = client.post(
        _url("transfer", conv), {"department": setup["suporte"].pk, "note": "é técnico"}
    )
    assert response.status_code == 302
    conv.refresh_from_db()
    assert (conv.handler, conv.department, conv.assignee) == ("queue", setup["suporte"], None)
    note = ConversationNote.objects.filter(conversation=conv, kind="transfer").last()
    assert note.text.startswith("Transferido para Suporte por Attendant")
    assert note.text.endswith("é técnico")
    client.post(_url("release", conv))
    conv.refresh_from_db()
    assert (conv.handler, conv.assignee) == ("bot", None)
    # The client's next message goes to the bot again: the inbound flow starts over.
    again = client_writes(setup["channel"], "oi de novo")
    assert runtime.inbound_message_handle(message_id=again.pk) == "started"


def test_taking_a_conversation_from_the_bot_ends_its_run(kit):
    channel = channel_of(kit.tenant)
    publish(kit.tenant, flow(card("d", "description"), key="espera"), trigger="inbound")
    message = client_writes(channel, "oi")
    runtime.inbound_message_handle(message_id=message.pk)
    run = FlowRun.objects.get(conversation_id=message.conversation_id)
    assert run.status == "waiting"
    client = kit.client_for(Role.ATTENDANT)
    conv = message.conversation
    page = client.get(_url("detail", conv)).content.decode()
    assert "Assuma-o para responder" in page
    response = client.post(_url("reply", conv), {"text": "oi"}, follow=True)
    assert "assistente virtual" in response.content.decode()
    client.post(_url("take", conv))
    run.refresh_from_db()
    assert (run.status, run.reason) == ("ended", "assumido por atendente")
    later = client_writes(channel, "alguém?")
    assert runtime.inbound_message_handle(message_id=later.pk) == "human"


def test_assign_to_another_attendant(kit, setup):
    conv = setup["conversation"]
    client = kit.client_for(Role.MANAGER)
    response = client.post(_url("assign", conv), {"user": setup["attendant"].pk})
    assert response.status_code == 302
    conv.refresh_from_db()
    assert conv.assignee == setup["attendant"]


def test_roles_without_reply_permission_are_refused(kit, setup):
    conv = setup["conversation"]
    client = kit.client_for(Role.CORRESPONDENT)
    assert client.get(reverse("inbox:home")).status_code == 403
    assert client.get(_url("detail", conv)).status_code == 403
    assert client.post(_url("take", conv)).status_code == 403
    conv.refresh_from_db()
    assert conv.assignee is None


def test_another_tenant_sees_nothing(kit, setup):
    conv = setup["conversation"]
    other = TenantKit("Promotora Dois")
    client = other.client_for(Role.ATTENDANT)
    assert client.get(_url("detail", conv)).status_code == 404
    for name in ("take", "release", "reply"):
        assert client.post(_url(name, conv), {"text": "x"}).status_code == 404
    assert client.get(reverse("inbox:home") + f"?fila={setup['financeiro'].pk}").status_code == 404
    conv.refresh_from_db()
    assert (conv.handler, conv.assignee) == ("queue", None)
    # Services refuse another tenant's conversation, department and finalization status.
    outsider = Actor.of_user(other.users[Role.ATTENDANT])
    with pytest.raises(NotFound):
        inbox.inbox_take(actor=outsider, conversation_id=conv.pk)
    mine = Actor.of_user(setup["attendant"])
    their_department = Department.objects.create(tenant=other.tenant, name="Deles")
    with pytest.raises(NotFound):
        inbox.inbox_transfer(actor=mine, conversation_id=conv.pk, department_id=their_department.pk)
    their_status = FinalizationStatus.objects.create(tenant=other.tenant, code="x", name="X")
    with pytest.raises(NotFound):
        inbox.inbox_finish(actor=mine, conversation_id=conv.pk, finalization_id=their_status.pk)
    with pytest.raises(NotFound):
        inbox.inbox_assign(
            actor=mine, conversation_id=conv.pk, user_id=other.users[Role.ATTENDANT].pk
        )


def test_release_can_start_a_survey_counted_for_the_attendant(kit, setup):
    from formaliza.flows.models import SurveyAnswer

    conv = setup["conversation"]
    survey = publish(
        kit.tenant,
        flow(card("p", "survey", target="attendant", text="Como foi com {{atendente}}?"),
             key="pesquisa"),
    )  # fmt: skip
    client = kit.client_for(Role.ATTENDANT)
    client.post(_url("take", conv))
    assert client.post(_url("release", conv), {"flow": survey.pk}).status_code == 302
    conv.refresh_from_db()
    assert (conv.handler, conv.assignee) == ("bot", setup["attendant"])
    question = Message.objects.filter(conversation=conv, direction="out").last()
    assert question.body.startswith("Como foi com Attendant")
    answer = client_writes(setup["channel"], "5")
    assert runtime.inbound_message_handle(message_id=answer.pk) == "step"
    recorded = SurveyAnswer.objects.get(conversation=conv)
    assert (recorded.target, recorded.score, recorded.attendant) == (
        "attendant", 5, setup["attendant"],
    )  # fmt: skip
    # While the bot runs the survey, another attendant may still take the conversation.
    inbox.inbox_take(actor=Actor.of_user(kit.users[Role.MANAGER]), conversation_id=conv.pk)


def test_release_refuses_another_tenants_or_unpublished_flow(kit, setup):
    conv = setup["conversation"]
    other = TenantKit("Promotora Três")
    theirs = publish(other.tenant, flow(card("m", "message", text="oi"), key="deles"))
    draft = Flow.objects.create(tenant=kit.tenant, key="rascunho", name="Rascunho", draft={})
    mine = Actor.of_user(setup["attendant"])
    for flow_id in (theirs.pk, draft.pk):
        with pytest.raises(NotFound):
            inbox.inbox_release(actor=mine, conversation_id=conv.pk, flow_id=flow_id)
    conv.refresh_from_db()
    assert conv.handler == "queue"


def test_attendants_leave_internal_notes_never_sent_to_the_client(kit, setup):
    conv = setup["conversation"]
    client = kit.client_for(Role.ATTENDANT)
    before = Message.objects.filter(conversation=conv, direction="out").count()
    response = client.post(_url("note", conv), {"text": "Cliente prefere ligação à tarde."})
    assert response.status_code == 302
    note = ConversationNote.objects.get(conversation=conv, kind="note")
    assert (note.text, note.author) == ("Cliente prefere ligação à tarde.", setup["attendant"])
    assert Message.objects.filter(conversation=conv, direction="out").count() == before
    assert "Cliente prefere ligação à tarde." in client.get(_url("detail", conv)).content.decode()
    other = TenantKit("Promotora Quatro").client_for(Role.ATTENDANT)
    assert other.post(_url("note", conv), {"text": "intrusa"}).status_code == 404
    assert ConversationNote.objects.filter(conversation=conv, kind="note").count() == 1
