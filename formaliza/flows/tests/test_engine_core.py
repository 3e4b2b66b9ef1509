"""The pure engine: sequencing, waits and their tokens, timers, sub-flows, loops, variables."""

from __future__ import annotations

import pytest

from formaliza.flows import engine
from formaliza.flows.format import FlowFormatError, dumps, loads, parse, to_data
from formaliza.flows.testing import Runner, card, facts, flow


def test_messages_run_in_order_and_the_flow_ends_at_an_unconnected_output():
    r = Runner(
        flow(
            card("a", "message", "b", text="Olá, {{cliente}}!"),
            card("b", "message", text="Protocolo {{protocolo}}"),
        )
    )
    assert r.texts() == ["Olá, Maria da Silva!", "Protocolo 20261123000001"]
    assert r.state.status == "ended"
    assert r.of("end")


def test_unknown_client_is_called_cliente_and_flow_variables_win():
    data = flow(
        card("a", "message", text="{{cliente}} / {{empresa}} / {{x}} / {{nada}}."), variables=["x"]
    )
    r = Runner(data, facts_=facts(client_name=""), x="valor")
    assert r.texts() == ["Cliente / Promotora Exemplo / valor / ."]


def test_a_wait_consumes_one_message_and_stale_or_foreign_events_change_nothing():
    r = Runner(
        flow(
            card("d", "description", "fim", timeout_minutes=10), card("fim", "end", text="Obrigado")
        )
    )
    assert r.state.status == "waiting"
    token = r.state.wait.token
    assert r.of("wait")[0].until == "2026-11-23T10:10:00-03:00"
    before = r.state.to_dict()
    stale = r.send(engine.Event(kind="timer", token="w999"))
    assert not stale.consumed
    assert r.state.to_dict() == before
    r.text("Quero mudar o endereço")
    assert r.state.vars["descricao"] == "Quero mudar o endereço"
    assert [a.payload for a in r.of("effect")] == [{"text": "Quero mudar o endereço"}]
    assert r.state.status == "ended"
    # The same timer arriving after the run moved on is ignored.
    assert not r.timer(token).consumed


def test_timeout_takes_the_timeout_output():
    r = Runner(
        flow(
            card("d", "description", {"timeout": "t"}, timeout_minutes=1),
            card("t", "message", text="Tempo esgotado"),
        )
    )
    r.timer()
    assert r.texts()[-1] == "Tempo esgotado"


def test_delay_ignores_messages_and_goes_on_at_its_timer():
    r = Runner(flow(card("d", "delay", "m", seconds=30), card("m", "message", text="pronto")))
    assert not r.text("oi").consumed
    r.timer()
    assert r.texts() == ["pronto"]


def test_go_to_flow_returns_to_the_caller_and_keeps_variables():
    sub = flow(
        card("s", "description", "s2", variable="motivo"),
        card("s2", "end", scope="flow"),
        key="sub",
    )
    main = flow(
        card("ir", "go_to_flow", "depois", flow="sub"),
        card("depois", "message", text="Voltei: {{motivo}}"),
    )
    r = Runner(main, sub)
    assert r.state.flow == "sub"
    r.text("atraso")
    assert r.state.flow == "teste"
    assert r.texts()[-1] == "Voltei: atraso"
    assert r.state.status == "ended"


def test_go_to_an_unpublished_flow_takes_failure_or_fails_the_run():
    r = Runner(
        flow(
            card("ir", "go_to_flow", {"failure": "f"}, flow="nao-existe"),
            card("f", "message", text="indisponível"),
        )
    )
    assert r.texts() == ["indisponível"]
    r = Runner(flow(card("ir", "go_to_flow", flow="nao-existe")))
    assert r.state.status == "failed"
    assert "não publicado" in r.state.reason


def test_a_loop_without_waits_fails_the_run_instead_of_spinning():
    r = Runner(flow(card("a", "message", "b", text="a"), card("b", "message", "a", text="b")))
    assert r.state.status == "failed"
    assert len(r.texts()) == engine.MAX_HOPS


def test_state_round_trips_through_json():
    r = Runner(flow(card("d", "description", "fim"), card("fim", "end")))
    assert engine.RunState.from_dict(r.state.to_dict()) == r.state


def test_parse_reports_each_problem_with_card_and_field_in_portuguese():
    data = flow(
        card("a", "message", {"next": "zz", "outra": "a"}),
        card("a", "end"),
        card("b", "nao-existe"),
        card("c", "delay", seconds=0),
    )
    data["start"] = "inicio"
    with pytest.raises(FlowFormatError) as exc:
        parse(data)
    problems = exc.value.problems
    found = {(p.card, p.field) for p in problems}
    assert found >= {
        ("a", "settings"),
        ("a", "id"),
        ("b", "type"),
        ("c", "settings.seconds"),
        ("", "start"),
    }
    messages = {(p.card, p.field): p.message for p in problems}
    assert messages[("a", "id")] == "id repetido: cada card precisa de um id único"
    assert messages[("c", "settings.seconds")] == "deve ser no mínimo 1"
    assert "texto da mensagem" in messages[("a", "settings")]


def test_export_round_trips_exactly():
    doc = parse(
        flow(
            card("a", "message", "b", text="oi"),
            card("b", "go_to_flow", flow="outro", **{"return": False}),
        )
    )
    text = dumps(doc)
    assert dumps(loads(text)) == text
    assert to_data(loads(text))["cards"][1]["settings"] == {"flow": "outro", "return": False}
