"""Bulk sends of an interactive template: per-contact results, gates, progress, and the replies
routed through each recipient's run to the conditionals after the template card."""

from __future__ import annotations

import pytest

from formaliza.accounts.roles import Role
from formaliza.conversations.models import Message
from formaliza.conversations.services import TemplateInput, consent_opt_out, template_save
from formaliza.conversations.services.conversations import handle_for_inbound
from formaliza.core.errors import ApplicationError, NotFound, PermissionDenied
from formaliza.core.testing import queued_tasks
from formaliza.flows.models import BulkRecipient, BulkSend, Flow, FlowRun
from formaliza.flows.services import runtime
from formaliza.flows.services.system import (
    bulk_progress,
    bulk_send_create,
    bulk_send_process,
    phones_parse,
)
from formaliza.flows.testing import card, flow
from formaliza.flows.tests.runtime_helpers import bodies, channel_of, client_writes, publish

pytestmark = pytest.mark.django_db

ANA, BIA, CAU = "+5511987654321", "+5511912345678", "+5521998765432"

CAMPAIGN = flow(
    card("t", "bulk_template", "c", template="renovacao", variables=["{{cliente}}"]),
    card("c", "condition", {"true": "sim", "false": "nao"}, kind="answer",
         values=["renovar"]),
    card("sim", "end", text="Ótimo, {{cliente}}! Um consultor vai falar com você."),
    card("nao", "end", text="Tudo bem, obrigado."),
    key="campanha",
)  # fmt: skip


@pytest.fixture
def channel(kit):
    channel = channel_of(kit.tenant)
    template_save(
        tenant=kit.tenant, channel_id=channel.pk,
        data=TemplateInput(name="renovacao", language="pt_BR", category="utility", components=[
            {"type": "BODY", "text": "Olá, {{1}}! Seu contrato pode ser renovado."},
            {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Quero renovar"},
                                            {"type": "QUICK_REPLY", "text": "Agora não"}]},
        ]),
    )  # fmt: skip
    return channel


@pytest.fixture
def campaign(kit):
    return publish(kit.tenant, CAMPAIGN)


def create(kit, campaign, channel, phones, role=Role.MANAGER):
    return bulk_send_create(
        actor=kit.actor(role), flow_id=campaign.pk, channel_id=channel.pk, phones=phones
    )


def test_sends_to_each_contact_records_results_and_routes_the_replies(kit, channel, campaign):
    opted_out = handle_for_inbound(channel=channel, sender="5521998765432")
    consent_opt_out(handle=opted_out, source="teste")
    bulk = create(kit, campaign, channel, [ANA, BIA, CAU])
    assert [t.args_kwargs["args"] for t in queued_tasks("bulk_send_process")] == [[bulk.pk]]
    assert bulk_send_process(bulk_id=bulk.pk) == {"sent": 2, "failed": 1}

    bulk.refresh_from_db()
    assert (bulk.status, bulk.total, bulk.done, bulk.failed) == ("done", 3, 2, 1)
    ana, bia, cau = bulk.recipients.order_by("pk")
    assert (ana.status, bia.status, cau.status) == ("sent", "sent", "failed")
    assert cau.error and cau.message is None
    assert ana.message.kind == Message.Kind.TEMPLATE
    assert ana.message.body.startswith("Olá, Cliente!")
    assert ana.message.reference == f"bulk:{bulk.pk}"
    run = FlowRun.objects.get(conversation=ana.conversation)
    assert (run.status, run.card, run.context) == ("waiting", "t", {"bulk": bulk.pk})
    assert len(bodies(ana.conversation)) == 1  # the run did not send the template again

    # Ana taps "Quero renovar" (the button's payload as we sent it); Bia writes no.
    reply = client_writes(
        channel, kind="template_reply", reply_id="renovar", reply_title="Quero renovar",
        sender="5511987654321",
    )  # fmt: skip
    assert runtime.inbound_message_handle(message_id=reply.pk) == "step"
    assert bodies(ana.conversation)[-1] == "Ótimo, Cliente! Um consultor vai falar com você."
    no = client_writes(channel, "agora não", sender="5511912345678")
    runtime.inbound_message_handle(message_id=no.pk)
    assert bodies(bia.conversation)[-1] == "Tudo bem, obrigado."

    progress = bulk_progress(bulk)
    assert (progress["done"], progress["failed"], progress["replied"]) == (2, 1, 2)
    assert [(r["status"], r["reply"]) for r in progress["recipients"]] == [
        ("replied", "renovar"),
        ("replied", "agora não"),
        ("failed", ""),
    ]


def test_processing_twice_sends_once(kit, channel, campaign):
    bulk = create(kit, campaign, channel, [ANA])
    bulk_send_process(bulk_id=bulk.pk)
    assert bulk_send_process(bulk_id=bulk.pk) == {"sent": 0, "failed": 0}
    assert Message.objects.filter(direction="out").count() == 1


def test_a_recipient_in_another_flow_gets_the_bulk_run(kit, channel, campaign):
    """A client who is mid-way in another run: the bulk's run replaces it (one run per
    conversation), so the reply reaches the template card."""
    other = publish(kit.tenant, flow(card("d", "description", text="Diga"), key="outro"))
    message = client_writes(channel, "oi")
    runtime.run_start(conversation=message.conversation, flow=other)
    bulk = create(kit, campaign, channel, [ANA])
    bulk_send_process(bulk_id=bulk.pk)
    active = FlowRun.objects.get(conversation=message.conversation, status__in=FlowRun.ACTIVE)
    assert active.flow == campaign


def test_creation_refusals(kit, other_kit, channel, campaign):
    with pytest.raises(PermissionDenied):
        create(kit, campaign, channel, [ANA], role=Role.OPERATOR)
    with pytest.raises(ApplicationError) as empty:
        create(kit, campaign, channel, [])
    assert empty.value.code == "bulk_empty"
    plain = publish(kit.tenant, flow(card("m", "message", text="oi"), key="simples"))
    with pytest.raises(ApplicationError) as not_bulk:
        create(kit, plain, channel, [ANA])
    assert not_bulk.value.code == "flow_not_bulk"
    draft = Flow.objects.create(tenant=kit.tenant, key="rascunho", name="R", draft=CAMPAIGN)
    with pytest.raises(ApplicationError) as unpublished:
        create(kit, draft, channel, [ANA])
    assert unpublished.value.code == "flow_not_published"
    missing = publish(
        kit.tenant,
        flow(card("t", "bulk_template", template="nao_existe"), key="sem-modelo"),
    )
    with pytest.raises(ApplicationError) as no_template:
        create(kit, missing, channel, [ANA])
    assert no_template.value.code == "template_not_found"
    assert not BulkSend.objects.exists()


def test_another_tenants_flow_or_channel_is_not_found(kit, other_kit, channel, campaign):
    theirs = publish(other_kit.tenant, CAMPAIGN)
    with pytest.raises(NotFound):
        create(kit, theirs, channel, [ANA])
    their_channel = channel_of(other_kit.tenant, phone_number_id="999")
    with pytest.raises(NotFound):
        create(kit, campaign, their_channel, [ANA])


def test_reply_effect_only_touches_the_tenants_recipient(kit, other_kit, channel, campaign):
    from formaliza.flows.effects import executor_get
    from formaliza.flows.tests.system_helpers import conversation, effect_ctx

    bulk = create(kit, campaign, channel, [ANA])
    bulk_send_process(bulk_id=bulk.pk)
    outsider = conversation(other_kit.tenant)
    result = executor_get("bulk_reply").fn(effect_ctx(outsider), {"bulk": bulk.pk, "reply": "x"})
    assert result == {"ok": False}
    assert BulkRecipient.objects.get(bulk=bulk).status == "sent"


def test_phones_parse():
    valid, invalid = phones_parse("(11) 98765-4321\n11987654321; +55 21 99876-5432,abc\n\n123")
    assert valid == [ANA, CAU]
    assert invalid == ["abc", "123"]


def test_a_flow_republished_without_the_template_start_fails_the_pending_recipients(
    kit, channel, campaign
):
    bulk = create(kit, campaign, channel, [ANA, BIA])
    publish(kit.tenant, flow(card("m", "message", text="oi"), key="campanha"), flow=campaign)
    assert bulk_send_process(bulk_id=bulk.pk) == {"sent": 0, "failed": 2}
    bulk.refresh_from_db()
    assert (bulk.status, bulk.failed, bulk.done) == ("done", 2, 0)
    assert set(bulk.recipients.values_list("error", flat=True)) == {
        "O fluxo precisa começar por um card de Template interativo."
    }
    assert not Message.objects.filter(direction="out").exists()
