"""The ERP ticket card end to end through the runtime against the fake IXC (real HTTP, its
wire format): the client's departments and subjects as list messages, a description, the
ticket opened in the ERP and its number back to the client; a fixed department is not asked;
no department → error path; the ERP failing on the write → error path with the log line; the
import refuses the card for an ERP without tickets."""

from __future__ import annotations

import logging

import pytest

from formaliza.accounts.actors import Actor
from formaliza.accounts.roles import Role
from formaliza.conversations.models import Conversation
from formaliza.erp.fake.ixc import FakeIxc
from formaliza.erp.models import ErpAccount
from formaliza.flows.models import Flow
from formaliza.flows.services import definitions
from formaliza.flows.services.definitions import FlowInvalid
from formaliza.flows.testing import card, flow
from formaliza.flows.tests import test_erp_cards as base
from formaliza.flows.tests.runtime_helpers import bodies, channel_of, publish

pytestmark = pytest.mark.django_db

CPF, erp, hubsoft, say = base.CPF, base.erp, base.hubsoft, base.say


def ticket_flow(**settings):
    return flow(
        card("chamado", "erp_ticket", {"opened": "fim", "error": "falha"}, **settings),
        card("fim", "message", text="Protocolo {{erp_protocolo}} registrado."),
        card("falha", "transfer", department="Suporte"),
        key="chamado",
    )


@pytest.fixture
def ixc(kit, settings):
    fake = FakeIxc().start()
    fake.clientes.append({"id": "301", "razao": "MARIA SOUZA", "cnpj_cpf": "529.982.247-25"})
    fake.contratos.append(
        {"id": "7001", "id_cliente": "301", "contrato": "FIBRA 500", "status": "A",
         "status_internet": "A"}
    )  # fmt: skip
    fake.setores.extend(
        [{"id": "3", "setor": "Suporte técnico", "ativo": "S", "presta_atendimento": "S"},
         {"id": "4", "setor": "Financeiro", "ativo": "S", "presta_atendimento": "S"},
         {"id": "5", "setor": "Interno", "ativo": "S", "presta_atendimento": "N"}]
    )  # fmt: skip
    fake.assuntos.extend(
        [{"id": "41", "assunto": "Sem conexão", "ativo": "S"},
         {"id": "42", "assunto": "Lentidão", "ativo": "S"}]
    )  # fmt: skip
    settings.OUTBOUND_ALLOWED_PRIVATE = []
    kit.tenant.outbound_allowlist = ["127.0.0.1"]
    kit.tenant.save()
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
        publish(kit.tenant, ticket_flow(**settings), trigger=Flow.Trigger.INBOUND)
        say(channel, "quero abrir um chamado")
        return channel, Conversation.objects.get(tenant=kit.tenant)

    return begin


def test_ticket_opened_in_the_chosen_department_and_subject(start, say, ixc):
    channel, conv = start()
    say(channel, CPF)
    assert bodies(conv)[-1].startswith("Para qual setor é o atendimento?")
    assert "Interno" not in bodies(conv)[-1]  # IXC: does not "prestar atendimento externo"
    say(channel, "1")
    assert bodies(conv)[-1].startswith("Qual é o assunto?")
    say(channel, "outra coisa")  # not an option
    assert bodies(conv)[-1] == "Escolha uma das opções da lista."
    say(channel, "lentidao")  # the option's title, typed
    assert bodies(conv)[-1] == "Descreva em poucas palavras o que está acontecendo."
    say(channel, "A internet cai toda noite")
    sent = bodies(conv)
    assert sent[-2] == (
        "Pronto! Abrimos o atendimento nº 4100. Nossa equipe vai te retornar por aqui."
    )
    assert sent[-1] == "Protocolo 4100 registrado."
    (ticket,) = ixc.tickets
    assert (ticket["id_cliente"], ticket["id_contrato"], ticket["id_ticket_setor"]) == (
        "301", "7001", "3",
    )  # fmt: skip
    assert (ticket["id_assunto"], ticket["titulo"], ticket["menssagem"]) == (
        "42", "Lentidão", "A internet cai toda noite",
    )  # fmt: skip


def test_a_fixed_department_and_subject_are_not_asked(start, say, ixc):
    channel, conv = start(department="4", subject="41")
    say(channel, CPF)
    assert bodies(conv)[-1] == "Descreva em poucas palavras o que está acontecendo."
    say(channel, "Quero rever o boleto")
    assert ixc.tickets[0]["id_ticket_setor"] == "4"


def test_no_department_in_the_erp_takes_the_error_path(start, say, ixc):
    ixc.setores.clear()
    channel, conv = start(error_text="Não consegui abrir o atendimento, vou te transferir.")
    say(channel, CPF)
    assert "Não consegui abrir o atendimento, vou te transferir." in bodies(conv)
    assert ixc.tickets == []


def test_erp_failing_on_the_write_takes_the_error_path(start, say, ixc, caplog):
    channel, conv = start(department="3", subject="41", error_text="Sistema fora do ar.")
    say(channel, CPF)
    ixc.fault = "500"
    with caplog.at_level(logging.WARNING, logger="formaliza.erp"):
        say(channel, "Sem sinal")
    assert "Sistema fora do ar." in bodies(conv)
    assert ixc.tickets == []
    # A write is sent once: no retry that could open two tickets.
    assert [r.path for r in ixc.requests].count("/webservice/v1/su_ticket") == 1
    conv.refresh_from_db()
    assert conv.handler != Conversation.Handler.BOT
    lines = [r.getMessage() for r in caplog.records if r.name == "formaliza.erp"]
    assert any("erp ticket falhou" in line and "tipo=unavailable" in line for line in lines)


def test_import_refuses_the_ticket_card_for_an_erp_without_it(kit, erp):
    with pytest.raises(FlowInvalid) as caught:
        definitions.flow_import(
            tenant=kit.tenant, actor=Actor.of_user(kit.users[Role.ADMIN]), data=ticket_flow()
        )
    assert str(caught.value.problems[0]) == (
        "card 'chamado', campo 'type': o ERP configurado não faz a ação “Abrir atendimento”"
    )


def test_import_refuses_a_bad_department_id_in_pt_br(kit, ixc):
    with pytest.raises(FlowInvalid) as caught:
        definitions.flow_import(
            tenant=kit.tenant, actor=Actor.of_user(kit.users[Role.ADMIN]),
            data=ticket_flow(department="setor 3!"),
        )  # fmt: skip
    assert [str(p) for p in caught.value.problems] == [
        "card 'chamado', campo 'settings.department': use o código do cadastro no ERP (ex.: 3), "
        "ou deixe vazio"
    ]
