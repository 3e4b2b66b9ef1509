"""The ERP Wi-Fi card end to end through the runtime against the fake SGP (real HTTP, its
CPE manager call): name, password, confirmation with the password masked, the change in the
ERP; the password is never readable afterwards — not in the history, the run, its log or the
task queue; a bad password is asked again; a phone that is not the holder's is refused; the
ERP's own refusal; the ERP down; the import refuses the card for an ERP without Wi-Fi."""

from __future__ import annotations

import json
import logging

import pytest
from django_tasks_db.models import DBTaskResult

from formaliza.accounts.actors import Actor
from formaliza.accounts.roles import Role
from formaliza.conversations.models import Conversation, Message
from formaliza.erp.fake.sgp import FakeSgp
from formaliza.erp.models import ErpAccount
from formaliza.flows.models import Flow, FlowRun, FlowRunEvent
from formaliza.flows.services import definitions
from formaliza.flows.services.definitions import FlowInvalid
from formaliza.flows.testing import card, flow
from formaliza.flows.tests import test_erp_cards as base
from formaliza.flows.tests.runtime_helpers import bodies, channel_of, publish

pytestmark = pytest.mark.django_db

CPF, erp, hubsoft, say = base.CPF, base.erp, base.hubsoft, base.say
PASSWORD = "pao-quentinho-42"


def wifi_flow(**settings):
    return flow(
        card("wifi", "erp_wifi",
             {"changed": "fim", "not_allowed": "recusado", "error": "falha"}, **settings),
        card("fim", "message", text="Posso ajudar em algo mais?"),
        card("recusado", "message", text="Motivo: {{wifi_motivo}}"),
        card("falha", "transfer", department="Suporte"),
        key="wifi",
    )  # fmt: skip


@pytest.fixture
def sgp(kit, settings):
    fake = FakeSgp().start()
    fake.contratos.append(
        {"clienteId": 5, "contratoId": 880, "razaoSocial": "MARIA", "cpfCnpj": "529.982.247-25",
         "telefones": ["(11) 98765-4321"], "contratoStatus": 1, "planointernet": "FIBRA 500"}
    )  # fmt: skip
    settings.OUTBOUND_ALLOWED_PRIVATE = []
    kit.tenant.outbound_allowlist = ["127.0.0.1"]
    kit.tenant.save()
    ErpAccount.objects.create(
        tenant=kit.tenant, kind="sgp", base_url=fake.url, client_id=fake.app,
        client_secret=fake.token, timeout_seconds=1,
    )  # fmt: skip
    yield fake
    fake.stop()


@pytest.fixture
def start(kit, say):
    def begin(**settings):
        channel = channel_of(kit.tenant)
        publish(kit.tenant, wifi_flow(**settings), trigger=Flow.Trigger.INBOUND)
        say(channel, "quero trocar a senha do wifi")
        return channel, Conversation.objects.get(tenant=kit.tenant)

    return begin


def _nowhere_readable(secret: str) -> None:
    stored = [
        *Message.objects.values_list("body", flat=True),
        *(json.dumps(p) for p in Message.objects.values_list("provider_payload", flat=True)),
        *(json.dumps(c) for c in Message.objects.values_list("content", flat=True)),
        *(json.dumps(a) for a in FlowRunEvent.objects.values_list("actions", flat=True)),
        *(json.dumps(s) for s in FlowRun.objects.values_list("state", flat=True)),
        *(json.dumps(a) for a in DBTaskResult.objects.values_list("args_kwargs", flat=True)),
    ]
    assert not [text for text in stored if secret in text]


def test_wifi_changed_after_confirmation_and_the_password_is_nowhere_readable(start, say, sgp):
    channel, conv = start()
    say(channel, CPF)
    assert bodies(conv)[-1] == "Qual vai ser o novo nome da rede Wi-Fi?"
    say(channel, "Casa da Maria")
    assert bodies(conv)[-1].startswith("Agora envie a nova senha do Wi-Fi")
    say(channel, "curta")
    assert bodies(conv)[-1].startswith("A senha precisa ter de 8 a 63 caracteres")
    say(channel, PASSWORD)
    assert bodies(conv)[-1].startswith(
        "Confirma a troca do Wi-Fi? Rede: Casa da Maria — senha: ••••••••"
    )
    assert sgp.wifi == {}  # nothing applied before the confirmation
    say(channel, "Sim")
    sent = bodies(conv)
    assert sent[-2].startswith("Pronto! O roteador vai reiniciar com a nova rede")
    assert sent[-1] == "Posso ajudar em algo mais?"
    assert sgp.wifi == {"880": {"ssid": "Casa da Maria", "senha": PASSWORD}}
    inbound = list(conv.messages.filter(direction="in").values_list("body", flat=True))
    assert inbound.count("[senha do Wi-Fi oculta]") == 2  # the short one too
    _nowhere_readable(PASSWORD)


def test_cancelled_at_the_confirmation_changes_nothing(start, say, sgp):
    channel, conv = start()
    for text in (CPF, "Casa", PASSWORD, "não"):
        say(channel, text)
    assert bodies(conv)[-1] == "Tudo bem, o Wi-Fi não foi alterado."
    assert sgp.wifi == {}
    assert "/api/ura/cpemanage/" not in [r.path for r in sgp.requests]


def test_a_phone_that_is_not_the_holders_is_refused(start, say, sgp):
    sgp.contratos[0]["telefones"] = ["21999990000"]
    channel, conv = start()
    say(channel, CPF)
    sent = bodies(conv)
    assert sent[-2].startswith("Por segurança, o Wi-Fi só pode ser alterado pelo telefone")
    assert sent[-1] == "Motivo: not_holder"


def test_the_erps_own_refusal_is_told(start, say, sgp, monkeypatch):
    monkeypatch.setattr(sgp, "_cpe", lambda form: {"status": 0, "msg": "Equipamento offline"})
    channel, conv = start()
    for text in (CPF, "Casa", PASSWORD, "sim"):
        say(channel, text)
    sent = bodies(conv)
    assert sent[-2] == "O sistema do provedor não aceitou a troca: Equipamento offline"
    assert sent[-1] == "Motivo: refused"


def test_erp_down_on_the_change_takes_the_error_path(start, say, sgp, caplog):
    channel, conv = start(error_text="Sistema fora do ar.")
    for text in (CPF, "Casa", PASSWORD):
        say(channel, text)
    sgp.fault = "slow"
    sgp.slow_seconds = 1.5
    with caplog.at_level(logging.WARNING, logger="formaliza.erp"):
        say(channel, "sim")
    assert "Sistema fora do ar." in bodies(conv)
    assert [r.path for r in sgp.requests].count("/api/ura/cpemanage/") == 1  # never retried
    lines = [r.getMessage() for r in caplog.records if r.name == "formaliza.erp"]
    assert any("erp wifi falhou" in line and "tipo=timeout" in line for line in lines)
    assert not any(PASSWORD in line for line in lines)


def test_a_bad_network_name_is_asked_again(start, say, sgp):
    channel, conv = start()
    say(channel, CPF)
    say(channel, "R" * 33)
    assert bodies(conv)[-1] == "O nome da rede pode ter no máximo 32 caracteres (sem acentos)."


def test_import_refuses_the_wifi_card_for_an_erp_without_it(kit, erp):
    with pytest.raises(FlowInvalid) as caught:
        definitions.flow_import(
            tenant=kit.tenant, actor=Actor.of_user(kit.users[Role.ADMIN]), data=wifi_flow()
        )
    assert str(caught.value.problems[0]) == (
        "card 'wifi', campo 'type': o ERP configurado não faz a ação “Alterar Wi-Fi (ACS)”"
    )
