"""Portal de Envio: a template sent by hand through the conversation layer (its gates apply),
the result and receipts on the page, and the sent-messages report."""

import datetime as dt

import pytest

from formaliza.accounts.roles import Role
from formaliza.conversations.models import ContactHandle, Message, Template
from formaliza.conversations.services import TemplateInput, consent_opt_out, template_save
from formaliza.conversations.tests.helpers import deliver, whatsapp_channel
from formaliza.core import clock
from formaliza.core.testing import run_queued_tasks
from formaliza.history.models import PortalSend
from formaliza.history.services import portal_phone_parse

BODY = "Olá {{1}}, sou a VIC atendente virtual e vou ajudar você com a assinatura digital do seu contrato! Para iniciar é só responder SIM."
COMPONENTS = [{"type": "BODY", "text": BODY}]


@pytest.fixture
def template(kit, fake_api, channel):
    saved = template_save(tenant=kit.tenant, channel_id=channel.pk,
                          data=TemplateInput(name="convite_formalizacao", language="pt_BR",
                                             category="utility", components=COMPONENTS))  # fmt: skip
    fake_api.register_template(channel.business_account_id,
                               {"name": "convite_formalizacao", "language": "pt_BR",
                                "category": "UTILITY", "components": COMPONENTS})  # fmt: skip
    return Template.objects.get(pk=saved.pk)


def send(client, template, phone="(11) 98765-4321", variables="Maria Santos"):
    return client.post("/historico/portal/", {"phone": phone, "template": template.pk,
                                              "variables": variables})  # fmt: skip


def test_correspondent_sends_the_seed_invitation_and_follows_its_receipts(kit, fake_api, template):
    client = kit.client_for(Role.CORRESPONDENT)
    page = client.get("/historico/portal/").content.decode()
    assert "convite_formalizacao" in page and "sem o zero" in page

    response = send(client, template)

    sent = PortalSend.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/historico/portal/envios/{sent.pk}/"
    )
    assert sent.user == kit.users[Role.CORRESPONDENT] and sent.phone == "+5511987654321"
    assert sent.variables == ["Maria Santos"]
    message = sent.message
    assert message.kind == Message.Kind.TEMPLATE and message.status == "queued"
    assert message.body.startswith("Olá Maria Santos, sou a VIC")
    assert message.sent_by == kit.users[Role.CORRESPONDENT]

    run_queued_tasks()
    deliver(fake_api)
    run_queued_tasks()
    message.refresh_from_db()
    assert message.status == "read"
    html = client.get(response["Location"]).content.decode()
    assert "Olá Maria Santos" in html and "Lida" in html
    for moment in (message.sent_at, message.delivered_at, message.read_at):
        assert clock.local(moment).strftime("%d/%m/%Y %H:%M:%S") in html
    assert 'http-equiv="refresh"' not in html  # final status: the page stops refreshing


def test_page_refreshes_itself_while_receipts_are_pending(kit, template):
    client = kit.client_for(Role.OPERATOR)
    location = send(client, template)["Location"]
    html = client.get(location).content.decode()
    assert 'http-equiv="refresh"' in html and "Na fila" in html


def test_gate_refusal_is_shown_in_portuguese_and_nothing_is_written(kit, template, channel):
    client = kit.client_for(Role.OPERATOR)
    send(client, template)
    consent_opt_out(handle=ContactHandle.objects.get(channel=channel), source="cliente: SAIR")
    response = send(client, template)
    assert response.status_code == 422
    assert "O cliente pediu para não receber mensagens neste canal." in response.content.decode()
    assert PortalSend.objects.count() == 1 and Message.objects.count() == 1


def test_wrong_number_of_variables_is_refused(kit, template):
    response = send(kit.client_for(Role.OPERATOR), template, variables="")
    assert response.status_code == 422
    assert "variáve" in response.content.decode()
    assert not PortalSend.objects.exists() and not Message.objects.exists()


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("011 98765-4321", "Informe o DDD sem o zero"),
        ("98765-4321", "Telefone inválido"),
        ("(11) 98765", "Telefone inválido"),
    ],
)
def test_phone_needs_the_area_code_without_the_zero(kit, template, phone, message):
    response = send(kit.client_for(Role.OPERATOR), template, phone=phone)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Message.objects.exists()


def test_phone_parse_accepts_the_seed_format():
    assert portal_phone_parse("(11) 99999-9999").e164 == "+5511999999999"
    assert portal_phone_parse("21 3333-4444").e164 == "+552133334444"


def test_another_tenants_template_cannot_be_used(kit, other_kit, fake_api):
    theirs = whatsapp_channel(other_kit.tenant, fake_api, phone_number_id="999000999")
    template_save(tenant=other_kit.tenant, channel_id=theirs.pk,
                  data=TemplateInput(name="deles", language="pt_BR", category="utility",
                                     components=[{"type": "BODY", "text": "oi"}]))  # fmt: skip
    their_template = Template.objects.get(tenant=other_kit.tenant)
    response = send(kit.client_for(Role.OPERATOR), their_template, variables="")
    assert response.status_code == 422
    assert (
        "deles" not in response.content.decode().split("<main")[1].split("Modelos disponíveis")[0]
    )
    assert not Message.objects.exists()


def test_attendants_cannot_use_the_portal(kit, template):
    client = kit.client_for(Role.ATTENDANT)
    assert client.get("/historico/portal/").status_code == 403
    assert send(client, template).status_code == 403
    assert not Message.objects.exists()


def test_sent_report_filters_by_user_and_status_and_pages(kit, other_kit, template, settings):
    operator, correspondent = kit.client_for(Role.OPERATOR), kit.client_for(Role.CORRESPONDENT)
    for i in range(3):
        send(operator, template, phone=f"(11) 98765-000{i}", variables=f"Cliente {i}")
    send(correspondent, template, phone="(11) 98765-0009", variables="Cliente 9")
    Message.objects.filter(handle__address="+5511987650001").update(status="failed",
                                                                    error_code="131026")  # fmt: skip
    today = clock.today().isoformat()
    report = operator.get("/historico/portal/relatorio/").content.decode()
    assert report.count("convite_formalizacao") == 4
    by_user = operator.get("/historico/portal/relatorio/",
                           {"start": today, "end": today,
                            "user": kit.users[Role.CORRESPONDENT].pk}).content.decode()  # fmt: skip
    assert "(11) 98765-0009" in by_user and "(11) 98765-0000" not in by_user
    failed = operator.get("/historico/portal/relatorio/",
                          {"start": today, "end": today, "status": "failed"}).content.decode()  # fmt: skip
    assert "(11) 98765-0001" in failed and "(11) 98765-0002" not in failed
    assert "Mensagem não entregável" in failed
    yesterday = (clock.today() - dt.timedelta(days=1)).isoformat()
    empty = operator.get("/historico/portal/relatorio/", {"start": yesterday, "end": yesterday})
    assert "Nenhum envio no período" in empty.content.decode()
    assert "convite_formalizacao" not in other_kit.client_for(Role.ADMIN).get(
        "/historico/portal/relatorio/").content.decode()  # fmt: skip


def test_sent_report_keyset_pages(kit, template, monkeypatch):
    from formaliza.history import selectors

    client = kit.client_for(Role.OPERATOR)
    for i in range(3):
        send(client, template, phone=f"(11) 98765-000{i}", variables=f"Cliente {i}")
    today = clock.today()
    filters = selectors.SentFilters(start=today, end=today)
    first, before = selectors.portal_sent_report(tenant=kit.tenant, filters=filters, limit=2)
    rest, after = selectors.portal_sent_report(tenant=kit.tenant, filters=filters,
                                               before_id=before, limit=2)  # fmt: skip
    assert [s.phone for s in first] == ["+5511987650002", "+5511987650001"]
    assert [s.phone for s in rest] == ["+5511987650000"] and after is None
    html = client.get("/historico/portal/relatorio/", {"antes": before}).content.decode()
    assert "(11) 98765-0000" in html and "(11) 98765-0002" not in html


def test_another_tenants_send_is_not_found(kit, other_kit, template):
    location = send(kit.client_for(Role.OPERATOR), template)["Location"]
    assert other_kit.client_for(Role.ADMIN).get(location).status_code == 404
