"""The format's import checks: every problem at once, with the card id and field, in pt-BR."""

from __future__ import annotations

import json

import pytest

from formaliza.flows import format as flow_format
from formaliza.flows.format import FlowFormatError, Problem, checksum, decode, dumps, loads, parse
from formaliza.flows.testing import card, flow


def problems_of(data) -> list[tuple[str, str, str]]:
    with pytest.raises(FlowFormatError) as caught:
        parse(data) if not isinstance(data, str | bytes) else loads(data)
    return [(p.card, p.field, p.message) for p in caught.value.problems]


def test_envelope_problems_do_not_hide_the_cards_problems():
    data = flow(card("a", "message", text="oi"), card("b", "delay", seconds=0))
    data["key"] = "Chave Inválida"
    data["extra"] = True

    assert problems_of(data) == [
        ("", "key", "formato inválido"),
        ("", "extra", "campo desconhecido"),
        ("b", "settings.seconds", "deve ser no mínimo 1"),
    ]


def test_a_malformed_card_is_named_by_its_id_or_position():
    data = flow(card("a", "message", text="oi"))
    data["cards"].append({"id": "b", "type": "message", "settings": {"text": "x"}, "nxt": {}})
    data["cards"].append({"type": "end"})

    assert problems_of(data) == [
        ("b", "nxt", "campo desconhecido"),
        ("#3", "id", "campo obrigatório ausente"),
    ]


def test_connections_outputs_ids_variables_and_format_are_checked():
    data = flow(
        card("a", "message", {"next": "z", "sim": "a"}, text="oi"),
        card("a", "end"),
        card("c", "end", {"next": "a"}),
        variables=["x", "x"],
    )
    data["format"] = "formaliza.flow/2"
    data["start"] = "inicio"

    assert problems_of(data) == [
        ("", "format", 'formato não suportado: use "formaliza.flow/1"'),
        ("a", "id", "id repetido: cada card precisa de um id único"),
        ("", "start", 'o card inicial "inicio" não existe'),
        ("a", "next.next", 'conecta a um card que não existe: "z"'),
        ("a", "next.sim", "saída inexistente neste card (use: next)"),
        ("c", "next.next", "saída inexistente neste card (use: nenhuma)"),
        ("", "variables", 'variável repetida: "x"'),
    ]


def test_problems_read_as_pt_br_sentences():
    assert str(Problem("a", "settings.text", "campo obrigatório ausente")) == (
        "card 'a', campo 'settings.text': campo obrigatório ausente"
    )
    assert str(Problem("", "", "JSON inválido")) == "fluxo: JSON inválido"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{\n  "key": "a",\n  "name" "x"\n}',
            "JSON inválido na linha 3, coluna 10: eram esperados dois-pontos",
        ),
        ('{"a": [1, 2}', "JSON inválido na linha 1, coluna 12: era esperada uma vírgula"),
        ('{"a": "sem fim', "JSON inválido na linha 1, coluna 7: texto sem as aspas de fechamento"),
        ("{} {}", "JSON inválido na linha 1, coluna 4: há conteúdo depois do fim do JSON"),
        ('{"x": NaN}', "JSON inválido: o valor NaN não é permitido"),
        ('{"x": -Infinity}', "JSON inválido: o valor -Infinity não é permitido"),
        ("[" * 100_000, "JSON inválido: aninhamento profundo demais"),
    ],
)
def test_decoding_errors_say_where_in_pt_br(text, message):
    with pytest.raises(FlowFormatError) as caught:
        decode(text)
    assert [p.message for p in caught.value.problems] == [message]


def test_size_limit_counts_bytes():
    text = json.dumps({"description": "é" * (flow_format.MAX_BYTES // 2)})
    with pytest.raises(FlowFormatError, match="arquivo grande demais"):
        decode(text)
    assert decode(b"\xef\xbb\xbf{}") == {}  # a UTF-8 BOM is accepted


def test_positions_must_be_finite_numbers():
    data = flow(card("a", "message", text="oi"))
    data["cards"][0]["position"] = {"x": float("inf"), "y": 1}
    data["variables"] = [{"name": "v", "default": float("nan")}]
    assert problems_of(data) == [
        ("", "variables.0.default", "o valor padrão precisa ser um número finito"),
        ("a", "position.x", "deve ser um número finito"),
    ]


def test_export_is_canonical_and_round_trips():
    data = flow(
        card("a", "message", "b", text="Olá"),
        card("b", "go_to_flow", flow="outro", **{"return": False}),
        variables=["cpf"],
    )
    data["cards"][0]["position"] = {"x": 10, "y": 20.5}
    text = dumps(parse(data))

    assert dumps(loads(text)) == text
    exported = json.loads(text)
    assert exported["cards"][1]["settings"] == {"flow": "outro", "return": False}
    assert exported["cards"][0]["position"] == {"x": 10.0, "y": 20.5}


def test_checksum_ignores_key_order_and_whitespace():
    a = {"x": 1, "y": [1, {"z": "é"}]}
    b = json.loads(json.dumps({"y": [1, {"z": "é"}], "x": 1}, indent=4))
    assert checksum(a) == checksum(b)
    assert checksum(a) != checksum({**a, "x": 2})


def test_the_documented_example_imports_without_warnings():
    from pathlib import Path

    from formaliza.flows.diagnostics import diagnose

    docs = (Path(__file__).resolve().parents[3] / "docs" / "flows.md").read_text(encoding="utf-8")
    example = docs.split("```json\n", 1)[1].split("```", 1)[0]
    doc = loads(example)
    assert doc.key == "atendimento-inicial"
    assert diagnose(doc, flow_keys={"formalizacao"}) == []
