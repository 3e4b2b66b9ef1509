"""The ERP invoice card end to end: a client writes on WhatsApp, the flow asks the CPF, the
runtime calls the fake Hubsoft (real HTTP, its wire format) in a task, and the client gets the
digitable line and the Pix code; several invoices come as a list. Failures of the ERP take the
error path with the configured message and a log line; the import refuses the card when the
tenant's ERP cannot do it."""

from __future__ import annotations

import logging

import pytest

from formaliza.accounts.actors import Actor
from formaliza.accounts.roles import Role
from formaliza.conversations.models import Conversation
from formaliza.core.testing import run_queued_tasks
from formaliza.erp.fake.hubsoft import FakeHubsoft
from formaliza.erp.models import ErpAccount
from formaliza.flows.models import Flow
from formaliza.flows.services import definitions
from formaliza.flows.services.definitions import FlowInvalid
from formaliza.flows.testing import card, flow
from formaliza.flows.tests.runtime_helpers import bodies, channel_of, client_writes, publish

pytestmark = pytest.mark.django_db

CPF = "52998224725"
OTHER_CPF = "11144477735"
LINE = "75691.31662 01006.726101 27476.400018 2 76380000001023"
PIX = "00020101021226860014br.gov.bcb.pix2564pix.exemplo.com.br/qr/v2/cobv/abc5204000053039865802BR6304ABCD"


@pytest.fixture
def hubsoft():
    fake = FakeHubsoft(slow_seconds=1.5).start()
    fake.customers.append(
        {
            "id_cliente": 11201, "codigo_cliente": 421, "nome_razaosocial": "GUILHERME SILVA",
            "tipo_pessoa": "pf", "cpf_cnpj": CPF, "telefone_primario": "11987654321",
            "servicos": [{"id_cliente_servico": 11000, "nome": "300M",
                          "status_prefixo": "servico_habilitado"}],
        }
    )  # fmt: skip
    fake.invoices.append(
        {"cpf_cnpj": CPF, "id_fatura": 44612, "linha_digitavel": LINE, "pix_copia_cola": PIX,
         "tipo_cobranca": "boleto_bancario", "valor": 119.9, "data_vencimento": "10/12/2026",
         "data_pagamento": None}
    )  # fmt: skip
    yield fake
    fake.stop()


@pytest.fixture
def erp(kit, hubsoft, settings):
    settings.OUTBOUND_ALLOWED_PRIVATE = []
    kit.tenant.outbound_allowlist = ["127.0.0.1"]
    kit.tenant.save()
    return ErpAccount.objects.create(
        tenant=kit.tenant, kind="hubsoft", base_url=hubsoft.url, client_id=hubsoft.client_id,
        client_secret=hubsoft.client_secret, username=hubsoft.username,
        password=hubsoft.password, timeout_seconds=1,
    )  # fmt: skip


def invoice_flow(**settings):
    return flow(
        card("fatura", "erp_invoice", {"sent": "fim", "error": "falha"}, **settings),
        card("fim", "message", text="Posso ajudar em algo mais?"),
        card("falha", "transfer", department="Financeiro"),
        key="segunda-via",
    )


@pytest.fixture
def say(django_capture_on_commit_callbacks):
    """The client writes; the tasks run, the ERP call too (enqueued when its step commits)."""

    def write(channel, text):
        for _ in range(3):  # the step, the ERP call after it, the step its result makes
            with django_capture_on_commit_callbacks(execute=True):
                if text is not None:
                    client_writes(channel, text)
                    text = None
                run_queued_tasks()

    return write


@pytest.fixture
def start(kit, say):
    def begin(**settings):
        channel = channel_of(kit.tenant)
        publish(kit.tenant, invoice_flow(**settings), trigger=Flow.Trigger.INBOUND)
        say(channel, "quero a segunda via")
        return channel, Conversation.objects.get(tenant=kit.tenant)

    return begin


def test_second_copy_sends_the_digitable_line_and_the_pix_code_as_copyable_text(start, say, erp):
    channel, conv = start()
    assert bodies(conv)[-1].startswith("Para continuar, informe o CPF")
    say(channel, "529.982.247-25")
    sent = bodies(conv)
    assert "Fatura com vencimento em 10/12/2026, valor R$ 119,90." in sent
    assert sent[sent.index("Linha digitável:") + 1] == LINE
    assert sent[sent.index("Pix copia e cola:") + 1] == PIX
    assert sent[-1] == "Posso ajudar em algo mais?"


def test_several_open_invoices_come_as_a_list_to_choose_from(start, say, erp, hubsoft):
    hubsoft.invoices.append(
        {"cpf_cnpj": CPF, "id_fatura": 44700, "linha_digitavel": "111", "valor": 99,
         "data_vencimento": "10/01/2027", "data_pagamento": None}
    )  # fmt: skip
    channel, conv = start()
    say(channel, CPF)
    assert bodies(conv)[-1].startswith("Você tem mais de uma fatura em aberto. Qual delas")
    say(channel, "2")
    sent = bodies(conv)
    assert "111" in sent and LINE not in sent


def test_unknown_document_is_asked_again_then_the_max_attempts_message(start, say, erp):
    channel, conv = start(max_attempts=2)
    say(channel, OTHER_CPF)
    assert bodies(conv)[-1].startswith("Não encontramos contrato")
    say(channel, "123")  # not even a CPF
    assert bodies(conv)[-1] == "Não conseguimos identificar o seu cadastro. Vamos te encaminhar."


@pytest.mark.parametrize(
    ("fault", "kind"),
    [("500", "unavailable"), ("malformed", "malformed"), ("slow", "timeout"), ("auth", "auth")],
)
def test_erp_failures_take_the_error_path_with_the_message_and_a_log_line(
    start, say, erp, hubsoft, caplog, fault, kind
):
    channel, conv = start(error_text="Sistema fora do ar, vou te passar para o financeiro.")
    if fault == "auth":
        hubsoft.password = "mudou"
    else:
        hubsoft.fault = fault
    with caplog.at_level(logging.WARNING, logger="formaliza.erp"):
        say(channel, CPF)
    assert "Sistema fora do ar, vou te passar para o financeiro." in bodies(conv)
    assert LINE not in bodies(conv)
    conv.refresh_from_db()
    assert conv.handler != Conversation.Handler.BOT  # handed to the Financeiro queue
    lines = [r.getMessage() for r in caplog.records if r.name == "formaliza.erp"]
    assert any(f"tipo={kind}" in line for line in lines)
    assert not any(erp.password in line or erp.client_secret in line for line in lines)


def test_import_refuses_an_erp_card_the_tenants_connector_lacks(kit):
    actor = Actor.of_user(kit.users[Role.ADMIN])
    with pytest.raises(FlowInvalid) as caught:
        definitions.flow_import(tenant=kit.tenant, actor=actor, data=invoice_flow())
    assert str(caught.value.problems[0]) == (
        "card 'fatura', campo 'type': o ERP configurado não faz a ação “Segunda via da fatura”"
    )
    assert not Flow.objects.filter(tenant=kit.tenant, key="segunda-via").exists()


def test_import_accepts_it_when_the_tenants_erp_can(kit, erp):
    result = definitions.flow_import(
        tenant=kit.tenant, actor=Actor.of_user(kit.users[Role.ADMIN]), data=invoice_flow()
    )
    assert result.created


def test_credentials_are_encrypted_at_rest(kit, erp):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT password, client_secret FROM erp_erpaccount WHERE id = %s", [erp.pk])
        stored = cursor.fetchone()
    assert erp.password not in stored[0] and erp.client_secret not in stored[1]


@pytest.fixture
def ixc_erp(kit, settings):
    from formaliza.erp.fake.ixc import FakeIxc

    fake = FakeIxc().start()
    fake.clientes.append({"id": "301", "razao": "MARIA SOUZA", "cnpj_cpf": "529.982.247-25"})
    fake.contratos.append(
        {"id": "7001", "id_cliente": "301", "contrato": "FIBRA", "status": "A",
         "status_internet": "A"}
    )  # fmt: skip
    fake.areceber.append(
        {"id": "90001", "id_cliente": "301", "id_contrato": "7001", "status": "A",
         "valor": "129.90", "data_vencimento": "2026-12-10", "linha_digitavel": LINE}
    )  # fmt: skip
    fake.pix["90001"] = PIX
    settings.OUTBOUND_ALLOWED_PRIVATE = []
    kit.tenant.outbound_allowlist = ["127.0.0.1"]
    kit.tenant.save()
    ErpAccount.objects.create(
        tenant=kit.tenant, kind="ixc", base_url=fake.url, username=fake.user,
        password=fake.token, timeout_seconds=1,
    )  # fmt: skip
    yield fake
    fake.stop()


def test_second_copy_through_ixc(start, say, ixc_erp):
    channel, conv = start()
    say(channel, CPF)
    sent = bodies(conv)
    assert "Fatura com vencimento em 10/12/2026, valor R$ 129,90." in sent
    assert sent[sent.index("Linha digitável:") + 1] == LINE
    assert sent[sent.index("Pix copia e cola:") + 1] == PIX
    assert [r.path for r in ixc_erp.requests][:2] == [
        "/webservice/v1/cliente", "/webservice/v1/cliente_contrato",
    ]  # fmt: skip


# --- desbloqueio em confiança ----------------------------------------------------------------


def unlock_flow(**settings):
    return flow(
        card(
            "desbloqueio", "erp_trust_unlock",
            {"unlocked": "fim", "not_allowed": "recusado", "error": "falha"}, **settings,
        ),
        card("fim", "message", text="Posso ajudar em algo mais?"),
        card("recusado", "message", text="Motivo: {{desbloqueio_motivo}}"),
        card("falha", "transfer", department="Financeiro"),
        key="desbloqueio",
    )  # fmt: skip


@pytest.fixture
def start_unlock(kit, say):
    def begin(**settings):
        channel = channel_of(kit.tenant)
        publish(kit.tenant, unlock_flow(**settings), trigger=Flow.Trigger.INBOUND)
        say(channel, "minha internet está bloqueada")
        return channel, Conversation.objects.get(tenant=kit.tenant)

    return begin


@pytest.fixture
def blocked(hubsoft):
    hubsoft.customers[0]["servicos"][0]["status_prefixo"] = "suspenso_debito"
    return hubsoft


def test_trust_unlock_lifts_the_block_of_the_holders_contract(start_unlock, say, erp, blocked):
    channel, conv = start_unlock()
    assert bodies(conv)[-1].startswith("Para continuar, informe o CPF")
    say(channel, CPF)
    sent = bodies(conv)
    assert sent[-2].startswith("Pronto! Sua conexão foi liberada em confiança.")
    assert sent[-1] == "Posso ajudar em algo mais?"
    assert blocked.unlocks == [{"id_cliente_servico": "11000", "dias_desbloqueio": 3}]


def test_trust_unlock_refused_when_the_phone_is_not_the_holders(start_unlock, say, erp, blocked):
    blocked.customers[0]["telefone_primario"] = "21999990000"
    channel, conv = start_unlock()
    say(channel, CPF)
    sent = bodies(conv)
    assert sent[-2].startswith("Por segurança, o desbloqueio só pode ser pedido pelo telefone")
    assert sent[-1] == "Motivo: not_holder"
    assert blocked.unlocks == []  # the ERP was never asked to unlock


def test_trust_unlock_of_an_active_contract_is_not_needed(start_unlock, say, erp, hubsoft):
    channel, conv = start_unlock()
    say(channel, CPF)
    assert bodies(conv)[-2] == "Seu contrato não está bloqueado, não há o que desbloquear."
    assert hubsoft.unlocks == []


def test_trust_unlock_refused_when_used_this_month_tells_when_it_is_available(
    start_unlock, say, ixc_erp
):
    from formaliza.core import clock
    from formaliza.erp.ports import next_month

    ixc_erp.clientes[0]["telefone_celular"] = "(11) 98765-4321"
    ixc_erp.contratos[0].update(status_internet="CA", dt_ult_desb_conf=clock.today().isoformat())
    channel, conv = start_unlock()
    say(channel, CPF)
    available = next_month(clock.today()).strftime("%d/%m/%Y")
    sent = bodies(conv)
    assert sent[-2] == (
        f"O desbloqueio em confiança já foi usado este mês. Ele fica disponível de novo em {available}."
    )
    assert sent[-1] == "Motivo: used"
    assert ixc_erp.unlocks == []  # the contract's last unlock said so: no call


def test_trust_unlock_refused_by_the_erp_itself_uses_its_answer(kit, start_unlock, say, settings):
    from formaliza.core import clock
    from formaliza.erp.fake.sgp import FakeSgp

    fake = FakeSgp().start()
    fake.contratos.append(
        {"clienteId": 5, "contratoId": 880, "razaoSocial": "MARIA", "cpfCnpj": "529.982.247-25",
         "telefones": ["11987654321"], "contratoStatus": 4, "planointernet": "FIBRA 500"}
    )  # fmt: skip
    fake.unlocked_on["880"] = clock.today()
    settings.OUTBOUND_ALLOWED_PRIVATE = []
    kit.tenant.outbound_allowlist = ["127.0.0.1"]
    kit.tenant.save()
    ErpAccount.objects.create(
        tenant=kit.tenant, kind="sgp", base_url=fake.url, client_id=fake.app,
        client_secret=fake.token, timeout_seconds=1,
    )  # fmt: skip
    try:
        channel, conv = start_unlock()
        say(channel, CPF)
    finally:
        fake.stop()
    assert bodies(conv)[-2].startswith("O desbloqueio em confiança já foi usado este mês.")
    assert [r.path for r in fake.requests][-1] == "/api/ura/liberacaopromessa/"


def test_trust_unlock_with_the_erp_down_takes_the_error_path(
    start_unlock, say, erp, blocked, caplog
):
    channel, conv = start_unlock(error_text="Sistema fora do ar, vou te passar para o financeiro.")
    blocked.fault = "500"
    with caplog.at_level(logging.WARNING, logger="formaliza.erp"):
        say(channel, CPF)
    assert "Sistema fora do ar, vou te passar para o financeiro." in bodies(conv)
    conv.refresh_from_db()
    assert conv.handler != Conversation.Handler.BOT
    lines = [r.getMessage() for r in caplog.records if r.name == "formaliza.erp"]
    assert any("erp trust_unlock falhou" in line and "tipo=unavailable" in line for line in lines)


def test_import_refuses_the_unlock_card_without_an_erp(kit):
    actor = Actor.of_user(kit.users[Role.ADMIN])
    with pytest.raises(FlowInvalid) as caught:
        definitions.flow_import(tenant=kit.tenant, actor=actor, data=unlock_flow())
    assert str(caught.value.problems[0]) == (
        "card 'desbloqueio', campo 'type': o ERP configurado não faz a ação “Desbloqueio de "
        "confiança”"
    )
