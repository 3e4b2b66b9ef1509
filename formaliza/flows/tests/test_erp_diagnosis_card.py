"""The ERP diagnosis card end to end through the runtime against the fake IXC and MK (real
HTTP, their wire formats): the contract's status, an overdue invoice, a trust unlock used
this month and the connection (online, optical signal, the last session) route the flow and
fill variables; several contracts come as a list; the ERP down takes the error path; the
import refuses the card for an ERP without the diagnosis."""

from __future__ import annotations

import logging

import pytest

from formaliza.accounts.actors import Actor
from formaliza.accounts.roles import Role
from formaliza.conversations.models import Conversation
from formaliza.core import clock
from formaliza.erp.fake.ixc import FakeIxc
from formaliza.erp.fake.mk import FakeMk
from formaliza.erp.models import ErpAccount
from formaliza.flows.models import Flow
from formaliza.flows.services import definitions
from formaliza.flows.services.definitions import FlowInvalid
from formaliza.flows.testing import card, flow
from formaliza.flows.tests import test_erp_cards as base
from formaliza.flows.tests.runtime_helpers import bodies, channel_of, publish

pytestmark = pytest.mark.django_db

# The fake Hubsoft account and the "client writes, the tasks run" helper of the base tests.
CPF, erp, hubsoft, say = base.CPF, base.erp, base.hubsoft, base.say

REPORT = (
    "{{diagnostico}} contrato={{contrato}} atraso={{em_atraso}} desbloqueio={{desbloqueio_usado}} "
    "conexao={{conexao}} sinal={{conexao_sinal}} inicio={{conexao_inicio}} fim={{conexao_fim}} "
    "motivo={{conexao_motivo}}"
)


def diagnosis_flow(**settings):
    outputs = ("inactive", "blocked", "overdue", "offline", "online", "active")
    return flow(
        card("diag", "erp_diagnosis", {**dict.fromkeys(outputs, "laudo"), "error": "falha"},
             **settings),
        card("laudo", "message", text=REPORT),
        card("falha", "transfer", department="Suporte"),
        key="diagnostico",
    )  # fmt: skip


def _allow_loopback(kit, settings):
    settings.OUTBOUND_ALLOWED_PRIVATE = []
    kit.tenant.outbound_allowlist = ["127.0.0.1"]
    kit.tenant.save()


@pytest.fixture
def ixc(kit, settings):
    fake = FakeIxc().start()
    fake.clientes.append({"id": "301", "razao": "MARIA SOUZA", "cnpj_cpf": "529.982.247-25"})
    fake.contratos.append(
        {"id": "7001", "id_cliente": "301", "contrato": "FIBRA 500", "status": "A",
         "status_internet": "A"}
    )  # fmt: skip
    fake.radusuarios.append(
        {"id": "1", "id_contrato": "7001", "ativo": "S", "online": "N",
         "sinal_ultimo_atendimento": "-27.80", "ultima_conexao_inicial": "2026-12-01 08:00:00",
         "ultima_conexao_final": "2026-12-03 22:14:09", "motivo_desconexao": "Lost-Carrier"}
    )  # fmt: skip
    _allow_loopback(kit, settings)
    ErpAccount.objects.create(
        tenant=kit.tenant, kind="ixc", base_url=fake.url, username=fake.user,
        password=fake.token, timeout_seconds=1,
    )  # fmt: skip
    yield fake
    fake.stop()


@pytest.fixture
def start(kit, say):
    def begin(**settings):
        channel = channel_of(kit.tenant)
        publish(kit.tenant, diagnosis_flow(**settings), trigger=Flow.Trigger.INBOUND)
        say(channel, "estou sem internet")
        return channel, Conversation.objects.get(tenant=kit.tenant)

    return begin


def test_offline_connection_tells_signal_and_the_last_session(start, say, ixc):
    channel, conv = start()
    assert bodies(conv)[-1].startswith("Para continuar, informe o CPF")
    say(channel, CPF)
    assert bodies(conv)[-1] == (
        "offline contrato=7001 atraso=não desbloqueio=não conexao=offline sinal=-27.80 "
        "inicio=01/12/2026 08:00 fim=03/12/2026 22:14 motivo=Lost-Carrier"
    )
    assert "/webservice/v1/radusuarios" in [r.path for r in ixc.requests]


def test_online_connection(start, say, ixc):
    ixc.radusuarios[0]["online"] = "S"
    channel, conv = start()
    say(channel, CPF)
    assert bodies(conv)[-1].startswith(
        "online contrato=7001 atraso=não desbloqueio=não "
        "conexao=online sinal=-27.80 inicio=01/12/2026 08:00 fim= "
    )


def test_overdue_invoice_comes_before_the_connection(start, say, ixc):
    ixc.areceber.append(
        {"id": "90001", "id_cliente": "301", "id_contrato": "7001", "status": "A",
         "valor": "129.90", "data_vencimento": "2020-01-10"}
    )  # fmt: skip
    channel, conv = start()
    say(channel, CPF)
    assert bodies(conv)[-1].startswith("overdue contrato=7001 atraso=sim")


def test_overdue_not_asked_when_the_card_says_so(start, say, ixc):
    ixc.areceber.append(
        {"id": "90001", "id_cliente": "301", "id_contrato": "7001", "status": "A",
         "valor": "129.90", "data_vencimento": "2020-01-10"}
    )  # fmt: skip
    channel, conv = start(check_overdue=False)
    say(channel, CPF)
    assert bodies(conv)[-1].startswith("offline contrato=7001 atraso=não")
    assert "/webservice/v1/fn_areceber" not in [r.path for r in ixc.requests]


def test_blocked_contract_with_the_unlock_used_this_month(start, say, ixc):
    ixc.contratos[0].update(status_internet="FA", dt_ult_desb_conf=clock.today().isoformat())
    channel, conv = start()
    say(channel, CPF)
    assert bodies(conv)[-1].startswith("blocked contrato=7001 atraso=não desbloqueio=sim")


def test_several_contracts_come_as_a_list_and_the_chosen_one_is_diagnosed(
    start,
    say,
    ixc,
):
    ixc.contratos.append(
        {"id": "7002", "id_cliente": "301", "contrato": "FIBRA LOJA", "status": "I",
         "status_internet": "D"}
    )  # fmt: skip
    channel, conv = start()
    say(channel, CPF)
    assert bodies(conv)[-1].startswith(
        "Encontramos mais de um contrato. De qual deles você está falando?"
    )
    say(channel, "9")
    assert bodies(conv)[-1] == "Escolha um dos contratos da lista."
    say(channel, "2")
    assert bodies(conv)[-1].startswith("inactive contrato=7002")


def test_mk_does_not_tell_online_the_contract_is_active(kit, settings, start, say):
    fake = FakeMk().start()
    fake.pessoas.append({"CPF_CNPJ": CPF, "CodigoPessoa": 77, "Nome": "MARIA", "Fone": ""})
    fake.conexoes.append({"cd_cliente": 77, "codconexao": 501, "bloqueada": "Não"})
    _allow_loopback(kit, settings)
    ErpAccount.objects.create(
        tenant=kit.tenant, kind="mk_solutions", base_url=fake.url, client_secret=fake.token,
        password=fake.password, timeout_seconds=1,
    )  # fmt: skip
    try:
        channel, conv = start()
        say(channel, CPF)
    finally:
        fake.stop()
    assert bodies(conv)[-1].startswith("active contrato=501 atraso=não desbloqueio=não conexao= ")


def test_erp_down_takes_the_error_path_with_a_log_line(start, say, ixc, caplog):
    channel, conv = start(error_text="Sistema fora do ar, vou te passar para o suporte.")
    ixc.fault = "malformed"
    with caplog.at_level(logging.WARNING, logger="formaliza.erp"):
        say(channel, CPF)
    assert "Sistema fora do ar, vou te passar para o suporte." in bodies(conv)
    conv.refresh_from_db()
    assert conv.handler != Conversation.Handler.BOT
    lines = [r.getMessage() for r in caplog.records if r.name == "formaliza.erp"]
    assert any("erp diagnosis falhou" in line and "tipo=malformed" in line for line in lines)


def test_import_refuses_the_diagnosis_for_an_erp_without_it(kit, erp):
    # Hubsoft: no connection diagnosis in its documented API.
    with pytest.raises(FlowInvalid) as caught:
        definitions.flow_import(
            tenant=kit.tenant, actor=Actor.of_user(kit.users[Role.ADMIN]), data=diagnosis_flow()
        )
    assert str(caught.value.problems[0]) == (
        "card 'diag', campo 'type': o ERP configurado não faz a ação “Condicional / diagnóstico”"
    )
    assert not Flow.objects.filter(tenant=kit.tenant, key="diagnostico").exists()
