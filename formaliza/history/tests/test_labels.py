"""Finalization statuses (the history's labels): defaults, create, edit, counts, who may
configure them."""

import pytest

from formaliza.accounts.roles import Role
from formaliza.conversations.models import FinalizationStatus
from formaliza.conversations.services import (
    conversation_finalize_for_reference,
    finalization_defaults_ensure,
)
from formaliza.core.errors import PermissionDenied
from formaliza.history.services import LabelInput, label_save
from formaliza.history.tests.conftest import at


def names(tenant) -> list[str]:
    return list(FinalizationStatus.objects.filter(tenant=tenant).values_list("name", flat=True))


def test_defaults_are_the_seeds_column_and_idempotent(kit):
    assert finalization_defaults_ensure(tenant=kit.tenant) == 6
    assert finalization_defaults_ensure(tenant=kit.tenant) == 0
    assert names(kit.tenant) == ["Assinado", "Integrado", "Andamento", "Reprovado", "Desistência",
                                 "Em análise"]  # fmt: skip


def test_manager_creates_defaults_and_a_new_status_from_the_page(kit):
    client = kit.client_for(Role.MANAGER)
    client.post("/historico/status/", {"action": "defaults"})
    response = client.post("/historico/status/", {"name": "Fora da Política de Crédito",
                                                  "color": "#112233", "position": 70,
                                                  "is_active": "on"})  # fmt: skip
    assert response.status_code == 302
    created = FinalizationStatus.objects.get(tenant=kit.tenant, name="Fora da Política de Crédito")
    assert created.code == "fora-da-politica-de-credito" and created.color == "#112233"
    html = client.get("/historico/status/").content.decode()
    assert "Fora da Política de Crédito" in html and "Assinado" in html
    again = client.post("/historico/status/", {"name": "Fora da política de crédito",
                                               "color": "#112233", "position": 1})  # fmt: skip
    assert (
        again.status_code == 422 and "Já existe um status com este nome" in again.content.decode()
    )


def test_edit_keeps_the_code_and_can_deactivate(kit, corpus):
    status = corpus.status["andamento"]
    client = kit.client_for(Role.ADMIN)
    response = client.post(f"/historico/status/{status.pk}/", {"name": "Em andamento",
                                                               "color": "#000000", "position": 5})  # fmt: skip
    assert response.status_code == 302
    status.refresh_from_db()
    assert (status.name, status.code, status.is_active, status.position) == (
        "Em andamento", "andamento", False, 5)  # fmt: skip
    bad = client.post(f"/historico/status/{status.pk}/", {"name": "X", "color": "azul",
                                                          "position": 1})  # fmt: skip
    assert bad.status_code == 422 and "Cor inválida" in bad.content.decode()


def test_label_page_counts_recent_conversations(kit, corpus):
    from formaliza.core import clock

    today = clock.local(clock.now()).date().isoformat()
    corpus.conversation(opened_at=at(today, "08:00"), finalization="reprovado")
    corpus.conversation(opened_at=at(today, "08:01"), finalization="reprovado",
                        phone="+5511900000123")  # fmt: skip
    html = kit.client_for(Role.MANAGER).get("/historico/status/").content.decode()
    row = html.split("Reprovado")[1].split("</tr>")[0]
    assert "<td>2</td>" in row


def test_operators_and_correspondents_cannot_configure_labels(kit, other_kit):
    for role in (Role.OPERATOR, Role.CORRESPONDENT, Role.ATTENDANT):
        client = kit.client_for(role)
        assert client.get("/historico/status/").status_code == 403
        assert client.post("/historico/status/", {"action": "defaults"}).status_code == 403
    with pytest.raises(PermissionDenied):
        label_save(actor=kit.actor(Role.OPERATOR), data=LabelInput(name="Novo"))
    assert not FinalizationStatus.objects.filter(tenant=kit.tenant).exists()


def test_another_tenants_status_cannot_be_edited(kit, other_kit):
    finalization_defaults_ensure(tenant=other_kit.tenant)
    theirs = FinalizationStatus.objects.filter(tenant=other_kit.tenant).first()
    response = kit.client_for(Role.ADMIN).post(f"/historico/status/{theirs.pk}/",
                                               {"name": "Meu", "color": "#000000", "position": 1})  # fmt: skip
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Assinado"


def test_finalize_by_reference_sets_the_status_on_the_messages_conversations(kit, corpus):
    conversation = corpus.conversation(opened_at=at("2026-03-10"))
    other = corpus.conversation(opened_at=at("2026-03-10"), phone="+5511900000555")
    message = corpus.message(conversation, "link da jornada", inbound=False)
    message.reference = "journey:abc"
    message.save(update_fields=["reference"])
    assert (
        conversation_finalize_for_reference(
            tenant_id=kit.tenant.pk, reference="journey:abc", code="assinado"
        )
        == 1
    )
    conversation.refresh_from_db(), other.refresh_from_db()
    assert conversation.finalization.code == "assinado" and other.finalization is None
    assert (
        conversation_finalize_for_reference(
            tenant_id=kit.tenant.pk, reference="journey:abc", code="nao-existe"
        )
        == 0
    )
