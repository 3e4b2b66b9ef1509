"""The transcript (page, text, PDF), attachments with their access log, finalizing from the
history, and another tenant's conversation or attachment never found."""

import io

import pytest
from pypdf import PdfReader

from formaliza.accounts.roles import Role
from formaliza.history.models import AttachmentAccess
from formaliza.history.tests.conftest import at


@pytest.fixture
def chat(kit, corpus):
    """The seed's conversation: the client says Oi, the assistant answers twice, the client
    sends a document; an operator answers by hand."""
    conversation = corpus.conversation(opened_at=at("2026-03-11", "20:44:18"),
                                       name="Maria Santos", finalization="em-analise")  # fmt: skip
    corpus.message(conversation, "Oi", at=at("2026-03-11", "20:44:17"))
    corpus.message(conversation, "Olá, sou o assistente virtual e vou auxiliá-lo.", inbound=False,
                   at=at("2026-03-11", "20:44:21"))  # fmt: skip
    corpus.message(conversation, "Para dar início ao processo, preciso do número do seu CPF.",
                   inbound=False, at=at("2026-03-11", "20:44:22"))  # fmt: skip
    document = corpus.message(conversation, "", at=at("2026-03-11", "20:44:39"))
    attachment = corpus.attachment(document, data=b"%PDF-1.4 documento do cliente")
    corpus.message(conversation, "Recebemos, obrigado!", inbound=False,
                   at=at("2026-03-11", "20:50:00"), user=kit.users[Role.OPERATOR])  # fmt: skip
    return conversation, attachment


def test_transcript_page_marks_client_and_automatic_messages_with_times(kit, chat):
    conversation, attachment = chat
    client = kit.client_for(Role.CORRESPONDENT)
    html = client.get(f"/historico/atendimentos/{conversation.protocol}/").content.decode()
    assert "Sessão iniciada em 11/03/2026 20:44:18" in html
    chat_html = html.split('id="chat"')[1].split("</ol>")[0]
    assert chat_html.index("Oi") < chat_html.index("assistente virtual") < chat_html.index("CPF")
    assert chat_html.count("<strong>Cliente</strong>") == 2
    assert chat_html.count("<strong>Auto</strong>") == 2
    assert f"<strong>{kit.users[Role.OPERATOR].display_name}</strong>" in chat_html
    assert "11/03/2026 20:44:17" in chat_html and "11/03/2026 20:44:21" in chat_html
    assert f"/historico/anexos/{attachment.pk}/" in chat_html
    assert "Em análise" in html and "Fechar" in html
    assert "Salvar status" not in html  # correspondents consult, they do not finalize


def test_transcript_as_text(kit, chat):
    conversation, _ = chat
    response = kit.client_for(Role.OPERATOR).get(
        f"/historico/atendimentos/{conversation.protocol}/texto/"
    )
    assert response["Content-Type"].startswith("text/plain")
    assert f"atendimento-{conversation.protocol}.txt" in response["Content-Disposition"]
    lines = response.content.decode().splitlines()
    assert "Sessão iniciada em 11/03/2026 20:44:18" in lines
    assert "[11/03/2026 20:44:17] Cliente: Oi" in lines
    assert (
        "[11/03/2026 20:44:22] Auto: Para dar início ao processo, preciso do número do seu CPF."
        in lines
    )
    assert "    Anexo: rg.pdf (application/pdf)" in lines
    assert "Sessão encerrada em 11/03/2026 21:14:18" in lines


def test_transcript_as_pdf(kit, chat):
    conversation, _ = chat
    response = kit.client_for(Role.OPERATOR).get(
        f"/historico/atendimentos/{conversation.protocol}/pdf/"
    )
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert f"Atendimento {conversation.protocol}" in text
    assert "Sessão iniciada em 11/03/2026 20:44:18" in text
    assert "Cliente · 11/03/2026 20:44:17" in text and "Oi" in text
    assert "Auto · 11/03/2026 20:44:21" in text
    assert "Anexo: rg.pdf" in text


def test_opening_an_attachment_downloads_it_and_logs_who(kit, chat):
    conversation, attachment = chat
    client = kit.client_for(Role.CORRESPONDENT)
    listing = client.get(
        f"/historico/atendimentos/{conversation.protocol}/anexos/"
    ).content.decode()
    assert "rg.pdf" in listing and f"/historico/anexos/{attachment.pk}/" in listing
    assert not AttachmentAccess.objects.exists()  # listing is not opening
    response = client.get(f"/historico/anexos/{attachment.pk}/", HTTP_USER_AGENT="Teste/1.0")
    assert b"".join(response.streaming_content) == b"%PDF-1.4 documento do cliente"
    access = AttachmentAccess.objects.get()
    assert access.user == kit.users[Role.CORRESPONDENT]
    assert access.attachment == attachment and access.tenant == kit.tenant
    assert access.ip == "127.0.0.1" and access.user_agent == "Teste/1.0"


def test_another_tenants_conversation_and_attachment_are_not_found(kit, other_kit, chat):
    conversation, attachment = chat
    outsider = other_kit.client_for(Role.ADMIN)
    base = f"/historico/atendimentos/{conversation.protocol}/"
    for path in (base, base + "texto/", base + "pdf/", base + "anexos/",
                 f"/historico/anexos/{attachment.pk}/"):  # fmt: skip
        response = outsider.get(path)
        assert response.status_code == 404, path
        assert b"Maria Santos" not in response.content
    assert outsider.post(base + "finalizar/", {"code": ""}).status_code == 404
    assert not AttachmentAccess.objects.exists()
    conversation.refresh_from_db()
    assert conversation.finalization.code == "em-analise"


def test_operator_sets_the_finalization_status(kit, chat):
    conversation, _ = chat
    client = kit.client_for(Role.OPERATOR)
    page = client.get(f"/historico/atendimentos/{conversation.protocol}/").content.decode()
    assert "Salvar status" in page
    response = client.post(f"/historico/atendimentos/{conversation.protocol}/finalizar/",
                           {"code": "assinado"})  # fmt: skip
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.finalization.code == "assinado"
    assert conversation.finished_by == kit.users[Role.OPERATOR]


def test_another_tenants_status_code_cannot_be_set(kit, other_kit, chat, their_corpus):
    from formaliza.conversations.models import FinalizationStatus
    from formaliza.conversations.services import conversation_finalize
    from formaliza.core.errors import NotFound

    conversation, _ = chat
    FinalizationStatus.objects.create(tenant=other_kit.tenant, code="deles", name="Deles")
    with pytest.raises(NotFound):
        conversation_finalize(tenant=kit.tenant, conversation_id=conversation.pk, code="deles")
    conversation.refresh_from_db()
    assert conversation.finalization.code == "em-analise"
    client = kit.client_for(Role.OPERATOR)
    client.post(f"/historico/atendimentos/{conversation.protocol}/finalizar/", {"code": "deles"})
    conversation.refresh_from_db()
    assert conversation.finalization.code == "em-analise"
