"""The invoice card sends the boleto PDF as a WhatsApp document (fetched from the ERP's link
by a task, the summary as its caption, then the digitable line and the Pix code as texts);
when the link fails the client gets the link in the text instead, and the operators a log
line; `send_pdf` off keeps the link."""

from __future__ import annotations

import logging

import pytest
from django.core.files.storage import default_storage

from formaliza.conversations.models import Message
from formaliza.flows.tests import test_erp_cards as base
from formaliza.flows.tests.runtime_helpers import bodies

pytestmark = pytest.mark.django_db

CPF, LINE, PIX = base.CPF, base.LINE, base.PIX
erp, hubsoft, say, start = base.erp, base.hubsoft, base.say, base.start
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n%%EOF\n"


@pytest.fixture
def with_link(hubsoft):
    hubsoft.invoices[0]["link"] = f"{hubsoft.url}/boletos/44612.pdf"
    hubsoft.files["/boletos/44612.pdf"] = PDF
    return hubsoft


def test_the_boleto_goes_as_a_whatsapp_document_then_the_copyable_codes(start, say, erp, with_link):
    channel, conv = start()
    say(channel, CPF)
    document = Message.objects.get(conversation=conv, kind=Message.Kind.DOCUMENT)
    assert document.body == "Fatura com vencimento em 10/12/2026, valor R$ 119,90."
    attachment = document.attachments.get()
    assert attachment.filename == "boleto-2026-12-10-44612.pdf"
    with attachment.file.open("rb") as fh:
        assert fh.read() == PDF
    sent = bodies(conv)
    assert sent.index(document.body) < sent.index("Linha digitável:")
    assert sent[sent.index("Linha digitável:") + 1] == LINE
    assert sent[sent.index("Pix copia e cola:") + 1] == PIX
    assert not any("Boleto (PDF):" in text for text in sent)
    _, leftovers = default_storage.listdir(f"erp/boletos/{conv.tenant_id}")
    assert leftovers == []  # the downloaded copy is gone; the message keeps its own


def test_a_broken_link_sends_the_link_as_text_and_logs(start, say, erp, with_link, caplog):
    with_link.files.clear()  # the fake answers 404 for the link
    channel, conv = start()
    with caplog.at_level(logging.WARNING, logger="formaliza.erp"):
        say(channel, CPF)
    assert not Message.objects.filter(conversation=conv, kind=Message.Kind.DOCUMENT).exists()
    assert (
        "Fatura com vencimento em 10/12/2026, valor R$ 119,90.\n"
        f"Boleto (PDF): {with_link.url}/boletos/44612.pdf"
    ) in bodies(conv)
    lines = [r.getMessage() for r in caplog.records if r.name == "formaliza.erp"]
    assert any("erp invoice_pdf falhou" in line for line in lines)
    assert bodies(conv)[-1] == "Posso ajudar em algo mais?"


def test_not_a_pdf_is_not_sent_as_one(start, say, erp, with_link):
    with_link.files["/boletos/44612.pdf"] = b"<html>login</html>"
    channel, conv = start()
    say(channel, CPF)
    assert not Message.objects.filter(conversation=conv, kind=Message.Kind.DOCUMENT).exists()
    assert any("Boleto (PDF):" in text for text in bodies(conv))


def test_send_pdf_off_keeps_the_link(start, say, erp, with_link):
    channel, conv = start(send_pdf=False)
    say(channel, CPF)
    assert not Message.objects.filter(conversation=conv, kind=Message.Kind.DOCUMENT).exists()
    assert not [path for _, path in with_link.requests if path.startswith("/boletos/")]
