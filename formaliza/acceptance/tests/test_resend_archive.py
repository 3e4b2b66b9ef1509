"""Resend (document and message rules) and archive (move, download message, one background
unarchive, the operator told), with the negative cases of the issue."""

import datetime as dt

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from formaliza.acceptance.models import (
    CertifiedMessage,
    ContactActivity,
    ContactDocument,
    UnarchiveRequest,
)
from formaliza.acceptance.services import (
    KitFile,
    certified_send,
    document_resend,
    documents_archive,
    kit_send,
    message_resend,
    unarchive_request,
)
from formaliza.acceptance.services.resend import NO_JOURNEY, ResendRefused
from formaliza.acceptance.tests.helpers import email_channel, pdf_bytes, person, sms_channel
from formaliza.accounts.roles import Role
from formaliza.core import clock, ids
from formaliza.core.errors import ApplicationError
from formaliza.core.testing import queued_tasks, run_queued_tasks
from formaliza.evidence.models import EvidenceEvent


@pytest.fixture
def maria(kit):
    return person(kit.tenant)


@pytest.fixture
def email(kit):
    return email_channel(kit.tenant)


@pytest.fixture
def sms(kit):
    return sms_channel(kit.tenant)


def a_kit(kit, maria, email):
    return kit_send(
        actor=kit.actor(Role.OPERATOR), contact=maria, title="Contrato", message="Aceite, por favor.",
        channel=email, address="maria@example.com", deadline=clock.now() + dt.timedelta(days=3),
        files=[KitFile("Contrato", "CT-1", pdf_bytes(1))],
    )  # fmt: skip


def loose_document(kit, maria) -> ContactDocument:
    data = pdf_bytes(1)
    name = storages["default"].save("contacts/test/avulso.pdf", ContentFile(data))
    return ContactDocument.objects.create(
        tenant=kit.tenant, contact=maria, number="AV-1", title="Avulso", file_name=name,
        sha256=ids.sha256_hex(data), size=len(data), page_count=1,
    )  # fmt: skip


def test_resend_document_to_another_address_is_on_activity_and_evidence(kit, maria, email):
    acc = a_kit(kit, maria, email)
    document = acc.documents.get()
    done = document_resend(actor=kit.actor(Role.OPERATOR), document=document, channel=email,
                           address="Outra@Example.com", message="Reenvio do contrato.")  # fmt: skip
    assert "outra@example.com" in done
    run_queued_tasks()
    assert mail.outbox[-1].to == ["outra@example.com"]
    assert ContactActivity.objects.filter(document=document, kind="document.resent").exists()
    assert EvidenceEvent.objects.filter(subject_id=str(acc.public_id), kind="kit.resent").exists()
    # The resent message has its own tracking and points at the same kit.
    assert CertifiedMessage.objects.filter(kit=acc).count() == 2


def test_resend_without_journey_is_refused_with_the_reason(kit, maria):
    document = loose_document(kit, maria)
    with pytest.raises(ResendRefused) as exc:
        document_resend(actor=kit.actor(Role.OPERATOR), document=document)
    assert exc.value.code == "document_not_resendable" and exc.value.message == NO_JOURNEY
    page = kit.client_for(Role.OPERATOR).get(
        f"/contatos/{maria.public_id}/", {"aba": "documentos", "documento": document.public_id}
    )
    assert "não tem uma jornada associada" in page.content.decode()
    post = kit.client_for(Role.OPERATOR).post(
        f"/contatos/documentos/{document.public_id}/reenviar/"
    )
    assert post.status_code == 409


def test_resend_sms_as_email_is_refused(kit, maria, sms, email):
    certified = certified_send(actor=kit.actor(Role.OPERATOR), contact=maria, channel=sms,
                               address="11 98765-4321", text="Seu boleto vence amanhã.")  # fmt: skip
    with pytest.raises(ResendRefused) as exc:
        message_resend(actor=kit.actor(Role.OPERATOR), certified=certified, channel=email)
    assert exc.value.code == "resend_channel_mismatch"
    # Forging the channel id in the form is refused the same way.
    r = kit.client_for(Role.OPERATOR).post(
        f"/contatos/mensagens/{certified.public_id}/reenviar/", {"channel": email.pk}
    )
    assert r.status_code == 422 and "mesmo canal" in r.content.decode()
    assert CertifiedMessage.objects.count() == 1


def test_resend_message_to_a_new_validated_address(kit, maria, sms):
    certified = certified_send(actor=kit.actor(Role.OPERATOR), contact=maria, channel=sms,
                               address="11 98765-4321", text="Seu boleto vence amanhã.")  # fmt: skip
    with pytest.raises(ApplicationError) as exc:
        message_resend(actor=kit.actor(Role.OPERATOR), certified=certified, channel=sms,
                       address="123")  # fmt: skip
    assert exc.value.code == "address_invalid"
    resent = message_resend(actor=kit.actor(Role.OPERATOR), certified=certified, channel=sms,
                            address="(21) 99876-5432")  # fmt: skip
    assert resent.address == "+5521998765432" and resent.resent_from == certified
    assert resent.text == certified.text
    assert ContactActivity.objects.filter(contact=maria, kind="message.resent").exists()


def test_archive_download_message_and_one_background_unarchive(
    kit, maria, email, django_capture_on_commit_callbacks
):
    acc = a_kit(kit, maria, email)
    document = acc.documents.get()
    ContactDocument.objects.filter(pk=document.pk).update(
        created_at=clock.now() - dt.timedelta(days=366)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert documents_archive() == 1
        assert documents_archive() == 0  # idempotent
    document.refresh_from_db()
    assert document.is_archived and storages["archive"].exists(document.file_name)
    assert not storages["default"].exists(document.file_name)

    operator = kit.client_for(Role.OPERATOR)
    r = operator.get(f"/contatos/documentos/{document.public_id}/baixar/")
    assert r.status_code == 409 and "Clique aqui para desarquivar" in r.content.decode()
    for _ in range(2):  # clicking twice starts one job
        operator.post(f"/contatos/documentos/{document.public_id}/desarquivar/")
    assert UnarchiveRequest.objects.filter(document=document).count() == 1
    assert len(queued_tasks("document_unarchive")) == 1
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run_queued_tasks()
    document.refresh_from_db()
    assert not document.is_archived and storages["default"].exists(document.file_name)
    assert storages["archive"].exists(document.file_name)  # nothing is deleted
    (notice,) = [m for m in mail.outbox if m.subject == "Documento desarquivado"]
    assert notice.to == [kit.users[Role.OPERATOR].email]
    assert f"documento={document.public_id}" in notice.body
    r = operator.get(f"/contatos/documentos/{document.public_id}/baixar/")
    assert r.status_code == 200 and r.content.startswith(b"%PDF-")
    assert documents_archive() == 0  # kept hot for a while after unarchiving


def test_unarchive_of_another_tenants_document_is_404(kit, other_kit, maria, email):
    document = a_kit(kit, maria, email).documents.get()
    other = other_kit.client_for(Role.OPERATOR)
    assert other.get(f"/contatos/documentos/{document.public_id}/baixar/").status_code == 404
    assert other.post(f"/contatos/documentos/{document.public_id}/desarquivar/").status_code == 404
    with pytest.raises(ApplicationError):
        unarchive_request(actor=other_kit.actor(Role.OPERATOR), document=document)


def test_certified_certificate_is_sealed_and_verifiable(kit, maria, sms, local_tsa,
                                                        django_capture_on_commit_callbacks):  # fmt: skip
    certified = certified_send(actor=kit.actor(Role.OPERATOR), contact=maria, channel=sms,
                               address="11 98765-4321", text="Aviso certificado.")  # fmt: skip
    operator = kit.client_for(Role.OPERATOR)
    url = f"/contatos/mensagens/{certified.public_id}/laudo/"
    assert "Gerar certificado selado" in operator.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        operator.post(url)
        run_queued_tasks()
    certified.refresh_from_db()
    sealed = certified.sealed_document
    assert sealed.status == "sealed", sealed.last_error
    r = operator.get(url, {"baixar": "1"})
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF-")
    from django.test import Client

    assert Client().get(f"/verificar/{sealed.code}/").status_code == 200


def test_bounced_and_refused_say_why_on_the_ar_tab_and_the_certificate(kit, maria, email, sms):
    from formaliza.acceptance.services.certified import certified_receipt_lines
    from formaliza.conversations.models import Message
    from formaliza.conversations.ports import StatusUpdate
    from formaliza.conversations.services import status_record

    operator = kit.actor(Role.OPERATOR)
    bounced = certified_send(actor=operator, contact=maria, channel=email,
                             address="maria@example.com", subject="Aviso", text="Aviso.")  # fmt: skip
    run_queued_tasks()  # the e-mail is handed to the mail server: accepted
    message = Message.objects.get(pk=bounced.message_id)
    assert message.accepted_at is not None and message.provider_message_id
    status_record(channel=email, update=StatusUpdate(
        provider_message_id=message.provider_message_id, status="failed", timestamp=clock.now(),
        error_code="not_delivered", error_title="Caixa postal inexistente (550 5.1.1)",
    ))  # fmt: skip
    refused = certified_send(actor=operator, contact=maria, channel=sms,
                             address="11 98765-4321", text="Aviso certificado.")  # fmt: skip
    Message.objects.filter(pk=refused.message_id).update(  # what the dispatcher writes
        status="failed", failed_at=clock.now(), error_code="twilio_30006",
        error_title="O destino é um telefone fixo ou não recebe mensagens.", next_attempt_at=None,
    )  # fmt: skip
    bounced = CertifiedMessage.objects.select_related("message").get(pk=bounced.pk)
    refused = CertifiedMessage.objects.select_related("message").get(pk=refused.pk)
    assert bounced.failure == "Não entregue: Caixa postal inexistente (550 5.1.1)"
    assert refused.failure == (
        "Recusada pelo provedor: O destino é um telefone fixo ou não recebe mensagens."
    )
    html = kit.client_for(Role.OPERATOR).get(f"/contatos/{maria.public_id}/", {"aba": "ar"})
    html = html.content.decode()
    assert bounced.failure in html and refused.failure in html
    lines = certified_receipt_lines(bounced)
    assert ("Não entregue", "Caixa postal inexistente (550 5.1.1)") in {
        (label, source.split(": ", 1)[-1]) for label, _, source in lines
    }
    assert [
        line for line in certified_receipt_lines(refused) if line[0] == "Recusada pelo provedor"
    ]


def test_delivery_and_failure_go_on_the_activity_once(kit, maria, email):
    from formaliza.conversations.models import Message
    from formaliza.conversations.ports import StatusUpdate
    from formaliza.conversations.services import status_record

    acc = kit_send(
        actor=kit.actor(Role.OPERATOR), contact=maria, title="Contrato", message="Aceite.",
        channel=email, address="maria@example.com", deadline=clock.now() + dt.timedelta(days=2),
        files=[KitFile("Contrato", "CT-3001", pdf_bytes(1)), KitFile("Termo", "TM-3001", pdf_bytes(1))],
    )  # fmt: skip
    run_queued_tasks()
    message = Message.objects.get(certified__kit=acc)
    at = clock.now() - dt.timedelta(minutes=5)
    for status in ("delivered", "delivered", "failed"):  # a replay changes nothing
        status_record(channel=email, update=StatusUpdate(
            provider_message_id=message.provider_message_id, status=status, timestamp=at,
            error_title="Caixa cheia (552)" if status == "failed" else "",
        ))  # fmt: skip
    run_queued_tasks()
    delivered = ContactActivity.objects.filter(contact=maria, kind="message.delivered")
    assert delivered.count() == 2  # one per document of the kit
    assert {a.document.number for a in delivered} == {"CT-3001", "TM-3001"}
    assert all(a.at == at for a in delivered)
    failed = ContactActivity.objects.filter(contact=maria, kind="message.failed")
    assert [a.description for a in failed] == [
        "Não entregue: Caixa cheia (552) — maria@example.com"
    ] * 2
    html = (
        kit.client_for(Role.OPERATOR)
        .get(f"/contatos/{maria.public_id}/", {"aba": "atividades"})
        .content.decode()
    )
    assert "Mensagem entregue (recibo do provedor) — maria@example.com" in html
    # another message (not certified) is ignored
    from formaliza.acceptance.services import certified_status_record

    assert certified_status_record(message_id=10**9, status="delivered") == "not_certified"
