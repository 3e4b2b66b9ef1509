"""The formalization cards on the pure engine: what they ask the world (effects awaiting a
result) and where each result leads."""

import pytest

from formaliza.flows.format import FlowFormatError, parse
from formaliza.flows.testing import Runner, card, flow


def assistant(**extra):
    return flow(
        card("convite", "journey_invite", "link"),
        card("link", "journey_link", {"next": "aguarda", "failure": "renova"}),
        card("aguarda", "journey_wait", "situacao"),
        card("situacao", "journey_status", {"done": "fim", "pending": "ajuda", "closed": "x"}),
        card("ajuda", "journey_help", {"next": "aguarda", "failure": "ops"}),
        card("renova", "journey_renew", {"next": "aguarda", "failure": "ops"}),
        card("ops", "message", "aguarda", text="Não deu certo."),
        card("fim", "end", text="Concluída, {{cliente}}."),
        card("x", "end", text="Encerrada."),
        key="formalizacao",
        **extra,
    )


def test_invite_waits_silently_then_greets_on_the_reply():
    r = Runner(assistant())
    assert r.actions[-1].kind == "wait" and r.texts() == []  # the template already went out
    assert not r.timer().consumed  # no timeout: only a message moves it
    r.text("SIM")
    assert "Sou a assistente virtual da Promotora Exemplo" in r.texts()[0]
    assert "WhatsApp comercial oficial" in r.texts()[0]
    assert "Maria da Silva" in r.texts()[0]
    effect = r.of("effect")[-1]
    assert (effect.name, effect.token) == ("journey_link_send", r.state.wait.token)
    assert r.state.wait.card == "link"


def test_a_message_does_not_answer_a_card_waiting_for_its_effect():
    r = Runner(assistant())
    r.text("SIM")
    assert not r.text("oi?").consumed
    assert not r.result({"ok": True}, token="w99").consumed  # stale token
    r.result({"ok": True})
    assert r.state.wait.card == "aguarda"


def test_link_failure_renews_and_status_routes_every_state():
    r = Runner(assistant())
    r.text("SIM")
    r.result({"ok": False, "code": "journey_link_expired"})
    assert r.of("effect")[-1].name == "journey_link_renew"
    r.result({"ok": True})
    r.text("oi")
    assert r.of("effect")[-1].name == "journey_status"
    r.result({"status": "active"})
    assert r.of("effect")[-1].name == "journey_help"
    r.result({"ok": True, "issue": 7})
    assert "um de nossos atendentes vai ligar" in r.texts()[-1]
    r.text("e aí?")
    r.result({"status": "stopped"})  # waiting for an operator is still pending
    r.result({"ok": False, "code": "journey_closed"})
    assert r.texts()[-1] == "Não deu certo."
    r.text("oi")
    r.result({"status": "signed"})
    assert r.texts()[-1] == "Concluída, Maria da Silva." and r.state.status == "ended"


@pytest.mark.parametrize("status", ["expired", "cancelled", "none"])
def test_status_of_a_closed_or_missing_journey(status):
    r = Runner(assistant())
    r.text("SIM")
    r.result({"ok": True})
    r.text("oi")
    r.result({"status": status})
    assert r.texts()[-1] == "Encerrada." and r.state.status == "ended"


def test_help_text_is_configurable_and_invite_must_be_at_the_start():
    r = Runner(
        flow(
            card("convite", "journey_invite", "ajuda", greeting=""),
            card("ajuda", "journey_help", text="Ligamos já, {{cliente}}."),
        )
    )
    r.text("oi")
    assert r.texts() == []  # an empty greeting sends nothing
    r.result({"ok": True})
    assert r.texts() == ["Ligamos já, Maria da Silva."]

    with pytest.raises(FlowFormatError) as exc:
        parse(flow(card("oi", "message", "convite", text="Oi"), card("convite", "journey_invite")))
    assert [(p.card, p.field) for p in exc.value.problems] == [("convite", "type")]


def test_the_default_assistant_flow():
    from formaliza.flows.defaults import default_data

    r = Runner(default_data("formalizacao"))
    assert r.texts() == []  # waits for the reply to the invitation
    r.choose("SIM")
    greeting, opt_in = r.texts()
    assert "você autoriza a Promotora Exemplo a enviar mensagens" in opt_in
    assert "assistente virtual da Promotora Exemplo" in greeting
    assert "WhatsApp comercial oficial" in greeting
    assert r.of("send_choices")[-1].options[0].id == "sim"
    r.choose("sim")
    assert [e.name for e in r.of("effect")] == ["opt_in", "journey_link_send"]
    r.result({"ok": True})
    assert r.state.wait.card == "aguarda"

    r.text("oi")
    r.result({"status": "active"})
    menu = r.of("send_choices")[-1]
    assert menu.text.startswith("Não identificamos a conclusão do processo.")
    assert [o.title for o in menu.options] == ["Continuar", "Renovar o link", "Ajuda"]
    r.text("1")
    assert r.of("effect")[-1].name == "journey_link_send"
    r.result({"ok": False, "code": "journey_link_expired"})  # expired: a new one instead
    assert r.of("effect")[-1].name == "journey_link_renew"
    r.result({"ok": True})
    r.text("oi")
    r.result({"status": "active"})
    r.text("2")
    assert r.of("effect")[-1].name == "journey_link_renew"
    r.result({"ok": False, "code": "journey_stopped"})
    assert "Não conseguimos gerar um novo link agora" in r.texts()[-1]
    r.text("oi")
    r.result({"status": "stopped"})
    r.text("3")
    r.result({"ok": True, "issue": 1})
    assert "atendentes vai ligar" in r.texts()[-1]
    r.text("já assinei")
    r.result({"status": "signed"})
    assert "já foi concluída" in r.texts()[-1] and r.state.status == "ended"


def test_the_default_assistant_respects_a_refused_opt_in():
    from formaliza.flows.defaults import default_data

    r = Runner(default_data("formalizacao"))
    r.choose("SIM")
    r.choose("nao")
    assert [e.name for e in r.of("effect")] == ["opt_out"] and r.state.status == "ended"
