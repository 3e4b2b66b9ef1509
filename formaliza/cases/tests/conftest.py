from __future__ import annotations

import pytest
from django.conf import settings

from formaliza.cases.services import index_table_import


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def index_table(db):
    """The demo's synthetic table, active (every calculation needs one)."""
    return index_table_import(raw=settings.CASE_DEMO_INDEX_TABLE.read_bytes(), activate=True).table


@pytest.fixture
def email_backend(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def channels(kit, email_backend):
    """The tenant's WhatsApp (fake provider) with the cases' templates, and an e-mail channel."""
    from formaliza.conversations.services import (
        ChannelInput,
        TemplateInput,
        channel_create,
        template_save,
    )
    from formaliza.conversations.tests.helpers import whatsapp_channel

    whatsapp = whatsapp_channel(kit.tenant)
    for name, text in [
        (
            "caso_documento_rejeitado",
            "Olá {{1}}, o documento {{2}} foi recusado: {{3}}. Envie de novo: {{4}}",
        ),
        ("caso_protocolado", "Olá {{1}}, o caso {{2}} foi protocolado: processo {{3}}."),
        ("caso_pago", "Olá {{1}}, recebemos o pagamento do caso {{2}}."),
    ]:
        template_save(tenant=kit.tenant, channel_id=whatsapp.pk, data=TemplateInput(
            name=name, language="pt_BR", category="utility", components=[{"type": "BODY", "text": text}]))  # fmt: skip
    email = channel_create(tenant=kit.tenant, data=ChannelInput(
        name="E-mail", kind="email", provider="email", sender_id="Casos <casos@example.com>"))  # fmt: skip
    return {"whatsapp": whatsapp, "email": email}
