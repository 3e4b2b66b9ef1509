"""Builders for the formalization assistant's tests: a WhatsApp channel on the fake Graph API
with the assistant's templates, an opened formalization with its journey, a run attached to it."""

from __future__ import annotations

import pytest

from formaliza.conversations.fake_provider import channel_register
from formaliza.conversations.models import Conversation
from formaliza.conversations.services import TemplateInput, template_save
from formaliza.conversations.services.conversations import conversation_for, handle_for_outbound
from formaliza.conversations.tests.helpers import webhook_path, whatsapp_channel
from formaliza.flows.models import Flow, FlowRun, FlowVersion
from formaliza.journeys.adapters.fake import FakeMessenger

CLIENT_MOBILE = "(11) 98765-4321"
CLIENT_E164 = "+5511987654321"
CLIENT_WA = "5511987654321"
MESSENGER = "formaliza.flows.adapters.whatsapp_messenger.WhatsAppMessenger"

TEMPLATES = [
    (
        "convite_formalizacao",
        [
            {"type": "BODY", "text": "Olá {{1}}, sou a assistente virtual da Promotora Um e vou "
             "ajudar você com a assinatura digital do seu contrato! Para iniciar é só responder SIM."},
            {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "SIM"}]},
        ],
    ),
    ("formalizacao_link", [{"type": "BODY", "text": "{{1}}, acesse o link: {{2}}"}]),
    ("formalizacao_concluida", [{"type": "BODY", "text": "Pronto, {{1}}! Formalização {{2}}."}]),
]  # fmt: skip


@pytest.fixture
def assistant_settings(settings, tmp_path):
    settings.JOURNEY_MESSENGER = MESSENGER
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PUBLIC_BASE_URL = "https://formaliza.test"
    FakeMessenger.reset()
    return settings


def assistant_channel(tenant, fake=None, *, templates=TEMPLATES):
    """A WhatsApp channel with the assistant's templates, registered on the fake Graph API."""
    channel = whatsapp_channel(tenant)
    for name, components in templates:
        template_save(
            tenant=tenant, channel_id=channel.pk,
            data=TemplateInput(name=name, language="pt_BR", category="utility", components=components),
        )  # fmt: skip
    if fake is not None:
        channel_register(fake, channel, callback_url="http://testserver" + webhook_path(channel))
    return channel


def conversation_with(channel, phone: str = CLIENT_MOBILE) -> Conversation:
    handle = handle_for_outbound(channel=channel, to=phone)
    return conversation_for(handle=handle, origin=Conversation.Origin.BUSINESS)[0]


def run_on(conversation, *, context: dict) -> FlowRun:
    """A waiting run of a throwaway flow on `conversation` (what the executors need: its tenant,
    conversation and context); an earlier run there ends."""
    flow, _ = Flow.objects.get_or_create(
        tenant_id=conversation.tenant_id, key="teste-assistente",
        defaults={"name": "Teste", "draft": {}},
    )  # fmt: skip
    version, _ = FlowVersion.objects.get_or_create(
        flow=flow, number=1,
        defaults={"document": {}, "checksum": "0" * 64, "published_at": conversation.opened_at},
    )  # fmt: skip
    FlowRun.objects.filter(conversation=conversation).update(status=FlowRun.Status.ENDED)
    return FlowRun.objects.create(
        tenant_id=conversation.tenant_id, conversation=conversation, flow=flow, version=version,
        status=FlowRun.Status.WAITING, context=context,
    )  # fmt: skip
