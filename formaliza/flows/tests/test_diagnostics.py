"""Warnings about a flow's graph: unreachable cards, dangling outputs, loops without a waiting
card, undeclared variables, unknown flows."""

from __future__ import annotations

from types import SimpleNamespace

from formaliza.flows import engine
from formaliza.flows.cards.registry import CARD_TYPES
from formaliza.flows.diagnostics import BUILTIN_VARIABLES, diagnose, reachable
from formaliza.flows.diagram import layout, render_svg
from formaliza.flows.format import parse
from formaliza.flows.testing import card, facts, flow


def codes(data, **kw) -> list[tuple[str, str, str]]:
    return [(d.code, d.card, d.field) for d in diagnose(parse(data), **kw)]


def test_a_clean_flow_has_no_warnings():
    data = flow(
        card("a", "message", "b", text="Olá {{cliente}}, protocolo {{protocolo}}"),
        card("b", "description", "c"),
        card("c", "message", "fim", text="Você disse: {{descricao}}"),
        card("fim", "end"),
    )
    assert codes(data, flow_keys=set()) == []


def test_unreachable_cards_and_dangling_outputs():
    data = flow(
        card("a", "message", text="sem saída conectada"),
        card("ilha", "message", "ilha2", text="ninguém chega"),
        card("ilha2", "end"),
    )
    assert codes(data) == [
        ("unreachable", "ilha", ""),
        ("unreachable", "ilha2", ""),
        ("dangling_output", "a", "next.next"),
    ]
    assert reachable(parse(data)) == {"a"}


def test_optional_outputs_may_stay_unconnected():
    # description's "timeout" and go_to_flow's "failure" are optional.
    data = flow(
        card("d", "description", "g"), card("g", "go_to_flow", "fim", flow="x"), card("fim", "end")
    )
    assert codes(data) == []


def test_a_loop_without_a_waiting_card_is_flagged_once_with_its_cards():
    data = flow(
        card("a", "message", "b", text="1"),
        card("b", "message", "c", text="2"),
        card("c", "message", "a", text="3"),
        card("eu", "message", "eu", text="a mim mesmo"),
    )
    found = [d for d in diagnose(parse(data)) if d.code == "loop_without_wait"]
    assert [d.cards for d in found] == [("a", "b", "c"), ("eu",)]
    assert "a, b, c" in found[0].message


def test_a_loop_through_a_waiting_card_is_fine():
    assert CARD_TYPES["description"].can_wait and CARD_TYPES["delay"].can_wait
    assert not CARD_TYPES["message"].can_wait
    data = flow(
        card("a", "message", "espera", text="Diga algo"),
        card("espera", "delay", "a", seconds=60),
    )
    assert codes(data) == []


def test_undeclared_variables_are_warnings_naming_the_setting():
    data = flow(
        card("a", "message", "b", text="{{ apelido }} {{x}} {{nome_whatsapp}}"),
        card("b", "description", "c", variable="motivo"),
        card("c", "end", text="{{motivo}} {{outra}}"),
        variables=["x"],
    )
    found = [d for d in diagnose(parse(data)) if d.code == "undeclared_variable"]
    assert [(d.card, d.field) for d in found] == [("a", "settings.text"), ("c", "settings.text")]
    assert (
        found[0].message
        == 'variável "{{apelido}}" não declarada no fluxo nem embutida: ficará vazia'
    )


def test_builtins_match_the_engines():
    fake_context = SimpleNamespace(facts=facts())
    assert tuple(engine.Context.builtins(fake_context)) == BUILTIN_VARIABLES


def test_unknown_flows_only_when_keys_are_given():
    data = flow(card("ir", "go_to_flow", "fim", flow="cobranca"), card("fim", "end"), key="menu")
    assert codes(data) == []
    assert codes(data, flow_keys={"menu"}) == [("unknown_flow", "ir", "settings.flow")]
    assert codes(data, flow_keys={"cobranca"}) == []
    own = flow(card("ir", "go_to_flow", "fim", flow="menu"), card("fim", "end"), key="menu")
    assert codes(own, flow_keys=set()) == []


def test_layout_layers_by_longest_path_and_puts_unreachable_cards_below():
    data = flow(
        card("a", "message", "b", text="1"),
        card("b", "description", {"next": "c", "timeout": "d"}, timeout_minutes=5),
        card("d", "message", "c", text="atalho longo"),
        card("c", "delay", "a", seconds=5),  # back edge to the start
        card("ilha", "end"),
    )
    lay = layout(parse(data))
    layers = {card_id: box.layer for card_id, box in lay.boxes.items()}
    assert layers == {"a": 0, "b": 1, "d": 2, "c": 3, "ilha": 4}
    assert lay.back == {("c", "next", "a")}


def test_svg_escapes_texts_and_draws_edges_and_stubs():
    data = flow(
        card("a", "message", {"next": "b"}, text="x"),
        card("b", "description", "c"),
        card("c", "message", text="y"),
    )
    data["cards"][0]["label"] = '<script>alert("x")</script>'
    doc = parse(data)
    svg = render_svg(doc, diagnose(doc))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert 'data-edge="a:next"' in svg and 'data-edge="b:next"' in svg
    assert 'class="edge dangling" data-edge="c:next"' in svg  # the dangling "next" of c
    assert 'data-edge="b:timeout"' not in svg  # optional and unconnected: not drawn
    assert 'id="card-c" class="box warn"' in svg
