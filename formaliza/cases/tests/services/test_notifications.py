"""Rejections and the protocol reach the client (and agent) through the conversations outbox."""

from __future__ import annotations

import pytest

from formaliza.cases import services
from formaliza.cases.events import Who
from formaliza.cases.models import Case, CaseNotification, CaseStatus, DocumentType
from formaliza.cases.tests.helpers import agent_of, case_at, pdf_bytes, saved_case
from formaliza.conversations.models import Message
from formaliza.core.errors import ValidationFailed

VALID = "0058967-77.2016.8.19.0000"


def _reject(kit, case, reason="Documento cortado"):
    agent = agent_of(kit)
    who = Who(kind="user", label="Agente", user=agent)
    services.document_types_ensure(tenant=kit.tenant)
    rg = DocumentType.objects.get(tenant=kit.tenant, code="rg_cnh")
    doc = services.document_upload(
        client=case.client, doc_type_id=rg.pk, filename="rg.pdf", data=pdf_bytes(), who=who
    )
    return services.document_review(document=doc, approve=False, reason=reason, who=who)


def test_a_rejection_goes_to_the_client_on_whatsapp_with_the_reason_and_a_link(kit, channels):
    case = saved_case(kit)
    _reject(kit, case)
    (message,) = Message.objects.filter(tenant=kit.tenant)
    # outside the window: the approved template with name, type, reason and link
    assert message.kind == "template" and message.channel == channels["whatsapp"]
    assert "Documento cortado" in message.body and "/c/acesso/" in message.body
    note = CaseNotification.objects.get(kind="document_rejected")
    assert note.message_id == message.pk and note.channel_kind == "whatsapp" and note.refusal == ""


def test_without_whatsapp_the_rejection_goes_by_email(kit, email_backend):
    from formaliza.conversations.services import ChannelInput, channel_create

    channel_create(
        tenant=kit.tenant,
        data=ChannelInput(name="E-mail", kind="email", provider="email", sender_id="x@example.com"),
    )
    case = saved_case(kit)
    _reject(kit, case)
    (message,) = Message.objects.filter(tenant=kit.tenant)
    assert message.kind == "email" and "Documento cortado" in message.body
    kinds = list(CaseNotification.objects.values_list("channel_kind", "message_id"))
    assert kinds[0][0] == "whatsapp" and kinds[0][1] is None and kinds[1] == ("email", message.pk)


def test_the_link_in_the_rejection_opens_the_clients_documents(kit, channels, client):
    case = saved_case(kit)
    _reject(kit, case)
    link = Message.objects.get().body.split("/c/acesso/")[1].split()[0].rstrip(".")
    response = client.get(f"/c/acesso/{link}", follow=True)
    assert response.status_code == 200 and "Documento cortado" in response.content.decode()


def test_an_invalid_cnj_number_is_refused_with_its_reason_and_nothing_changes(kit, channels):
    case = case_at(kit, CaseStatus.FILING_REQUESTED)
    with pytest.raises(ValidationFailed) as caught:
        services.case_protocol_record(
            case=case, number="0058967-76.2016.8.19.0000", actor=kit.actor("manager")
        )
    assert "dígitos verificadores" in caught.value.fields[0].message
    case.refresh_from_db()
    assert case.status == CaseStatus.FILING_REQUESTED and case.protocol_number == ""
    assert not Message.objects.exists()


def test_the_protocol_is_recorded_and_agent_and_client_are_told_on_both_channels(kit, channels):
    services.agent_profile_update(user=agent_of(kit), phone="(21) 99876-5432")
    case = case_at(kit, CaseStatus.FILING_REQUESTED)
    services.case_protocol_record(
        case=case, number="00589677720168190000", actor=kit.actor("manager")
    )
    case = Case.objects.get(pk=case.pk)
    assert case.status == CaseStatus.FILED and case.protocol_number == VALID and case.filed_at
    notes = CaseNotification.objects.filter(kind="protocol_recorded")
    assert sorted((n.recipient, n.channel_kind) for n in notes) == [
        ("agent", "email"),
        ("agent", "whatsapp"),
        ("client", "email"),
        ("client", "whatsapp"),
    ]
    assert all(n.message_id for n in notes)
    assert Message.objects.filter(body__contains=VALID).count() == 4


def test_staff_only_record_the_protocol(kit, channels):
    from formaliza.core.errors import PermissionDenied

    case = case_at(kit, CaseStatus.FILING_REQUESTED)
    with pytest.raises(PermissionDenied):
        services.case_protocol_record(case=case, number=VALID, actor=kit.actor("agent"))
    assert Case.objects.get(pk=case.pk).protocol_number == ""
