"""`manage.py demo_seed` fills the contact base: documents whose certified messages were sent,
delivered, opened, refused and bounced, so every profile tab and the AR digital tab show
something (called by name: the demo app sits above this one)."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.test import Client

from formaliza.acceptance.models import CertifiedMessage
from formaliza.accounts.models import User
from formaliza.contacts.models import Contact

TABS = ["informacoes", "documentos", "atividades", "aceite", "ar"]


def test_demo_contacts_show_every_delivery_state(db, settings):
    settings.JOURNEY_MESSENGER = "formaliza.journeys.adapters.console.ConsoleMessenger"
    call_command("demo_seed", stdout=io.StringIO())
    certified = CertifiedMessage.objects.select_related("message")
    states = {
        (c.message.status, bool(c.opened_at), bool(c.clicked_at), c.failure.split(":")[0])
        for c in certified
    }
    assert ("sent", False, False, "") in states
    assert ("delivered", False, False, "") in states  # the kit waiting for acceptance
    assert ("delivered", True, True, "") in states  # opened (pixel) and link clicked
    assert ("failed", False, False, "Recusada pelo provedor") in states
    assert ("failed", False, False, "Não entregue") in states  # bounced after accepted

    from formaliza.acceptance.models import AcceptanceKit

    with_selfie = AcceptanceKit.objects.get(require_selfie=True)
    assert with_selfie.status == "accepted" and with_selfie.selfie_file

    operator = User.objects.filter(role="operator").first()
    client = Client()
    client.force_login(operator)
    for contact in Contact.objects.filter(certified__isnull=False).distinct():
        for tab in TABS:
            html = client.get(f"/contatos/{contact.public_id}/", {"aba": tab}).content.decode()
            assert f'id="tab-{tab}"' in html
            assert (
                "Nenhum documento enviado" not in html
                and "Nenhuma mensagem certificada" not in html
            )
    laura = Contact.objects.get(name="Maria Laura Souza")
    ar = client.get(f"/contatos/{laura.public_id}/", {"aba": "ar"}).content.decode()
    assert "Não entregue: Caixa postal inexistente (550 5.1.1 mailbox unavailable)" in ar
    documents = client.get(f"/contatos/{laura.public_id}/", {"aba": "documentos"}).content.decode()
    assert "Caixa postal inexistente" in documents  # the delivery certification of the kit
    joao = Contact.objects.get(name="João da Conceição")
    ar = client.get(f"/contatos/{joao.public_id}/", {"aba": "ar"}).content.decode()
    assert "Recusada pelo provedor: A Zenvia recusou a mensagem" in ar
