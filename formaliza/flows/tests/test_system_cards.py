"""System cards on the pure engine: what each emits, where each goes, and its failure paths."""

from __future__ import annotations

import datetime as dt

import pytest

from formaliza.flows import engine
from formaliza.flows.format import FlowFormatError, parse
from formaliza.flows.intent import Intent, KeywordClassifier, fold
from formaliza.flows.testing import SAO_PAULO, Runner, card, facts, flow

CPF = "52998224725"
CNPJ = "11222333000181"


def ends(name: str) -> dict:
    return card(name, "end", text=name)


def branch(cond: dict, **facts_kw) -> str:
    """Run a condition card wired to two end cards and say which one the run reached."""
    cond = {**cond, "next": {"true": "sim", "false": "nao"}}
    r = Runner(flow(cond, ends("sim"), ends("nao")), facts_=facts(**facts_kw))
    assert r.state.status == "ended"
    return r.texts()[-1]


def problems(data: dict) -> list:
    with pytest.raises(FlowFormatError) as exc:
        parse(data)
    return exc.value.problems


# --- tag --------------------------------------------------------------------------------------


def test_tag_asks_for_the_tags_and_a_later_tag_condition_sees_them():
    r = Runner(
        flow(
            card("t", "tag", "c", tags=["VIP", "Renovação"]),
            card("c", "condition", {"true": "sim", "false": "nao"}, kind="tag", values=["vip"]),
            ends("sim"),
            ends("nao"),
        )
    )
    assert r.of("effect")[0].name == "tag"
    assert r.of("effect")[0].payload == {"tags": ["VIP", "Renovação"]}
    assert r.texts() == ["sim"]


def test_tag_settings_are_checked():
    assert problems(flow(card("t", "tag", tags=[])))[0].field == "settings.tags"
    assert "1 a 40" in problems(flow(card("t", "tag", tags=["  "])))[0].message


# --- condition --------------------------------------------------------------------------------


def test_tag_condition_uses_any_of_several_tags_from_the_facts():
    cond = card("c", "condition", kind="tag", values=["cobranca", "Renovação"])
    assert branch(cond, tags=("renovacao",)) == "sim"
    assert branch(cond, tags=("outra",)) == "nao"
    assert branch(cond) == "nao"


@pytest.mark.parametrize(
    ("hour", "shift"),
    [(0, "madrugada"), (5, "madrugada"), (6, "manha"), (12, "tarde"), (18, "noite"), (23, "noite")],
)
def test_shift_boundaries(hour, shift):
    now = dt.datetime(2026, 11, 23, hour, 30, tzinfo=SAO_PAULO)
    assert branch(card("c", "condition", kind="shift", values=[shift]), now=now) == "sim"
    others = [s for s in ("madrugada", "manha", "tarde", "noite") if s != shift]
    assert branch(card("c", "condition", kind="shift", values=others), now=now) == "nao"


def test_business_hours_use_the_tenant_periods_in_local_time():
    periods = (
        engine.Period(0, dt.time(8), dt.time(12)),
        engine.Period(0, dt.time(13), dt.time(18)),
    )
    cond = card("c", "condition", kind="business_hours")
    monday = dt.datetime(2026, 11, 23, tzinfo=SAO_PAULO)  # a Monday
    assert branch(cond, now=monday.replace(hour=8), business_hours=periods) == "sim"
    assert branch(cond, now=monday.replace(hour=12, minute=30), business_hours=periods) == "nao"
    assert branch(cond, now=monday.replace(hour=18), business_hours=periods) == "nao"
    assert (
        branch(cond, now=monday.replace(hour=9) + dt.timedelta(days=1), business_hours=periods)
        == "nao"
    )
    assert branch(cond, now=monday.replace(hour=9)) == "nao"  # no periods: always closed


@pytest.mark.parametrize(
    ("kind", "values", "fact", "expected"),
    [
        ("channel", ["whatsapp"], {"channel": "whatsapp"}, "sim"),
        ("channel", ["sms", "email"], {"channel": "whatsapp"}, "nao"),
        ("origin", ["business"], {"origin": "client"}, "nao"),
        ("origin", ["client"], {"origin": "client"}, "sim"),
        ("registration_type", ["company"], {"registration_type": "company"}, "sim"),
        ("registration_type", ["person"], {"registration_type": "company"}, "nao"),
        ("registration_type", ["unknown"], {"registration_type": ""}, "sim"),
        ("branch", ["Centro", "Norte"], {"branch": "centro"}, "sim"),
        ("branch", ["Centro"], {"branch": ""}, "nao"),
    ],
)
def test_fact_conditions(kind, values, fact, expected):
    assert branch(card("c", "condition", kind=kind, values=values), **fact) == expected


def test_registration_type_set_by_a_link_in_this_run_wins_over_the_facts():
    data = flow(
        card("c", "condition", {"true": "sim", "false": "nao"}, kind="registration_type",
             values=["company"]),
        ends("sim"), ends("nao"),
    )  # fmt: skip
    r = Runner(data, facts_=facts(registration_type="person"), tipo_cadastro="company")
    assert r.texts() == ["sim"]


@pytest.mark.parametrize(
    ("operator", "value", "current", "expected"),
    [
        ("equals", "São Paulo", "sao paulo", "sim"),
        ("equals", "x", "y", "nao"),
        ("not_equals", "x", "y", "sim"),
        ("contains", "boleto", "Quero o BOLETO de março", "sim"),
        ("contains", "pix", "boleto", "nao"),
        ("gt", "1000", "1.500,50", "sim"),
        ("gt", "1000", "999", "nao"),
        ("lt", "10", "9.5", "sim"),
        ("lt", "10", "abc", "nao"),
        ("regex", r"^\d{5}-?\d{3}$", "01310-100", "sim"),
        ("regex", r"^\d{5}-?\d{3}$", "0131", "nao"),
        ("empty", "", "   ", "sim"),
        ("empty", "", "a", "nao"),
        ("not_empty", "", "a", "sim"),
        ("not_empty", "", "", "nao"),
    ],
)
def test_variable_operators(operator, value, current, expected):
    data = flow(
        card("c", "condition", {"true": "sim", "false": "nao"}, kind="variable", variable="v",
             operator=operator, value=value),
        ends("sim"), ends("nao"), variables=["v"],
    )  # fmt: skip
    assert Runner(data, v=current).texts() == [expected]


def test_variable_condition_reads_builtins_too():
    data = flow(
        card("c", "condition", {"true": "sim", "false": "nao"}, kind="variable",
             variable="cliente", operator="contains", value="maria"),
        ends("sim"), ends("nao"),
    )  # fmt: skip
    assert Runner(data).texts() == ["sim"]


def test_answer_condition_asks_and_branches_on_the_reply():
    data = flow(
        card("c", "condition", {"true": "sim", "false": "nao"}, kind="answer",
             question="Deseja renovar?", values=["sim", "quero"], variable="resposta"),
        ends("sim"), ends("nao"),
    )  # fmt: skip
    r = Runner(data)
    assert r.texts() == ["Deseja renovar?"]
    assert not r.result({"x": 1}).consumed  # not a message: ignored
    r.text("  SIM ")
    assert r.texts()[-1] == "sim"
    assert r.state.vars["resposta"] == "  SIM "
    r2 = Runner(data)
    r2.text("não")
    assert r2.texts()[-1] == "nao"


def test_answer_condition_without_question_reads_a_variable():
    data = flow(
        card("c", "condition", {"true": "sim", "false": "nao"}, kind="answer",
             values=["renovar"]),
        ends("sim"), ends("nao"), variables=["resposta"],
    )  # fmt: skip
    assert Runner(data, resposta="Renovar").texts() == ["sim"]
    assert Runner(data, resposta="outro").texts() == ["nao"]


def test_condition_settings_problems_point_at_the_card():
    bad_regex = flow(
        card("c", "condition", kind="variable", variable="v", operator="regex", value="(")
    )
    [problem] = problems(bad_regex)
    assert problem.card == "c" and "expressão regular inválida" in problem.message
    assert (
        "informe ao menos um valor" in problems(flow(card("c", "condition", kind="tag")))[0].message
    )
    assert (
        "valor não permitido"
        in problems(flow(card("c", "condition", kind="shift", values=["almoco"])))[0].message
    )
    assert (
        "número"
        in problems(
            flow(card("c", "condition", kind="variable", variable="v", operator="gt", value="x"))
        )[0].message
    )
    assert "variável" in problems(flow(card("c", "condition", kind="variable")))[0].message
    assert (
        problems(flow(card("c", "condition", kind="variable", variable="Nope!", operator="empty")))[
            0
        ].field
        == "settings.variable"
    )
    outputs = problems(flow(card("c", "condition", {"yes": None}, kind="business_hours")))
    assert "true, false" in outputs[0].message


# --- validate registration --------------------------------------------------------------------


def registration(**settings):
    return flow(
        card("v", "validate_registration",
             {"found": "ok", "not_found": "nok", "max_attempts": "max"}, **settings),
        card("ok", "end", text="Olá, {{cliente}} ({{tipo_cadastro}})"),
        ends("nok"), ends("max"),
    )  # fmt: skip


def test_validate_registration_found():
    r = Runner(registration())
    assert r.texts() == ["Informe o seu CPF ou CNPJ, apenas números."]
    assert not r.result({"found": True}).consumed  # nothing asked yet: a result is stale
    r.text("529.982.247-25")
    [effect] = r.of("effect")
    assert (effect.name, effect.payload) == ("registration_lookup", {"document": CPF})
    assert effect.token == r.state.wait.token
    assert not r.text("de novo").consumed  # waiting for the lookup: messages are not for it
    r.result({"found": True, "contact": {"name": "Ana Souza", "document": CPF, "kind": "person"}})
    assert r.texts()[-1] == "Olá, Ana Souza (person)"
    assert r.state.vars["documento"] == CPF


def test_validate_registration_not_found_and_invalid_documents_until_max_attempts():
    r = Runner(registration())
    r.text(CNPJ)
    assert r.of("effect")[0].payload == {"document": CNPJ}
    r.result({"found": False})
    assert r.texts()[-1] == "nok"

    r = Runner(registration(max_attempts=2))
    r.text("111.111.111-11")  # repeated digits: invalid
    assert r.texts()[-1].startswith("Documento inválido")
    r.text("123")
    assert r.texts()[-1] == "max"
    assert not r.of("effect")


def test_validate_registration_accepts_only_the_configured_kind_and_retries_not_found():
    r = Runner(registration(accept="cnpj", retry_not_found=True, max_attempts=2))
    r.text(CPF)  # a valid CPF, but CNPJ was asked
    assert r.texts()[-1].startswith("Documento inválido")
    r.text(CNPJ)
    r.result({"found": False})
    assert r.texts()[-1] == "max"


def test_validate_registration_takes_the_document_from_a_variable():
    data = registration(from_variable="cpf")
    data["variables"] = [{"name": "cpf", "default": ""}]
    r = Runner(data, cpf=CPF)
    assert r.texts() == []
    assert r.of("effect")[0].payload == {"document": CPF}
    r = Runner(data, cpf="inválido")
    assert r.texts() == ["Informe o seu CPF ou CNPJ, apenas números."]


# --- auto link, accounts ----------------------------------------------------------------------


def test_auto_link_waits_for_the_executor_and_branches():
    data = flow(
        card("a", "auto_link", {"linked": "ok", "not_linked": "nok"}),
        card("ok", "end", text="{{cliente}} / {{documento}}"),
        ends("nok"),
    )
    r = Runner(data)
    assert r.of("effect")[0].name == "auto_link"
    assert not r.text("oi").consumed
    r.result({"linked": True, "contact": {"name": "Ana", "document": CPF, "kind": "person"}})
    assert r.texts() == [f"Ana / {CPF}"]
    r = Runner(data)
    r.result({"linked": False, "candidates": 2})
    assert r.texts() == ["nok"]


def test_account_add():
    data = flow(
        card("a", "account_add", {"added": "ok", "not_found": "nok", "max_attempts": "max"},
             max_attempts=1),
        card("ok", "end", text="Conta de {{cliente}} ativa"), ends("nok"), ends("max"),
    )  # fmt: skip
    r = Runner(data)
    r.text(CPF)
    assert r.of("effect")[0].name == "account_add"
    r.result({"ok": True, "contact": {"name": "Bia", "document": CPF, "kind": "person"}})
    assert r.texts()[-1] == "Conta de Bia ativa"
    r = Runner(data)
    r.text(CPF)
    r.result({"ok": False, "error": "not_found"})
    assert r.texts()[-1] == "nok"
    r = Runner(data)
    r.text("nada")
    assert r.texts()[-1] == "max"


def switch_flow():
    return flow(
        card("s", "account_switch", {"switched": "ok", "none": "nenhuma", "max_attempts": "max"},
             max_attempts=2),
        card("ok", "end", text="Agora: {{cliente}}"), ends("nenhuma"), ends("max"),
    )  # fmt: skip


ACCOUNTS = [
    {"id": 7, "name": "Ana", "document": CPF, "kind": "person"},
    {"id": 9, "name": "Loja da Ana", "document": CNPJ, "kind": "company"},
]


def test_account_switch_lists_and_switches_by_button_or_number():
    r = Runner(switch_flow())
    assert r.of("effect")[0].name == "account_list"
    r.result({"accounts": ACCOUNTS})
    [offer] = r.of("send_choices")
    assert [o.id for o in offer.options] == ["7", "9"]
    assert offer.options[1].description == "11.222.333/0001-81"
    r.choose("9")
    assert r.of("effect")[-1].payload == {"account": 9}
    assert r.texts()[-1] == "Agora: Loja da Ana"
    assert r.state.vars["tipo_cadastro"] == "company"
    r = Runner(switch_flow())
    r.result({"accounts": ACCOUNTS})
    r.text("1")
    assert r.of("effect")[-1].payload == {"account": 7}


def test_account_switch_with_one_none_or_wrong_answers():
    r = Runner(switch_flow())
    r.result({"accounts": ACCOUNTS[:1]})
    assert r.texts() == ["Agora: Ana"]
    r = Runner(switch_flow())
    r.result({"accounts": []})
    assert r.texts() == ["nenhuma"]
    r = Runner(switch_flow())
    r.result({"accounts": ACCOUNTS})
    r.text("3")
    assert r.texts()[-1] == "Escolha uma das opções da lista."
    r.choose("99")
    assert r.texts()[-1] == "max"
    assert [e.name for e in r.of("effect")] == ["account_list"]


# --- notify -----------------------------------------------------------------------------------


def test_notify_renders_variables_and_goes_on():
    data = flow(
        card("n", "notify", "m", group="Supervisão",
             text="Protocolo {{protocolo}}: {{cliente}} ({{telefone}}) na {{empresa}} quer {{motivo}}"),
        card("m", "message", text="Avisamos a equipe."), variables=["motivo"],
    )  # fmt: skip
    r = Runner(data, motivo="renegociar")
    [effect] = r.of("effect")
    assert effect.name == "notify" and not effect.token
    assert effect.payload == {
        "group": "Supervisão",
        "text": "Protocolo 20261123000001: Maria da Silva (+5511987654321) na Promotora "
        "Exemplo quer renegociar",
    }
    assert r.texts() == ["Avisamos a equipe."]
    assert "campo obrigatório ausente" in problems(flow(card("n", "notify", text="x")))[0].message


# --- intent -----------------------------------------------------------------------------------

INTENTS = [
    {"name": "boleto", "examples": ["segunda via do boleto", "quero pagar minha fatura"]},
    {"name": "humano", "examples": ["falar com atendente"]},
]


def intent_flow(**settings):
    return flow(
        card("i", "intent", {"boleto": "b", "humano": "h", "max_attempts": "max"},
             intents=INTENTS, text="Como posso ajudar?", **settings),
        ends("b"), ends("h"), ends("max"),
    )  # fmt: skip


def test_intent_asks_the_classifier_and_takes_the_intent_output():
    r = Runner(intent_flow())
    assert r.texts() == ["Como posso ajudar?"]
    r.text("preciso da 2a via")
    [effect] = r.of("effect")
    assert effect.name == "intent" and effect.token == r.state.wait.token
    assert effect.payload["intents"] == INTENTS and effect.payload["threshold"] == 0.5
    assert not r.text("alô?").consumed  # classifying: messages wait
    r.result({"intent": "boleto", "score": 0.9})
    assert r.texts()[-1] == "b"
    assert r.state.vars["intencao"] == "boleto"


def test_intent_misses_retry_then_max_attempts():
    r = Runner(intent_flow(max_attempts=2))
    r.text("hmm")
    r.result({"intent": ""})
    assert r.texts()[-1].startswith("Não entendi")
    r.text("")  # a sticker: a miss without asking the classifier
    assert r.texts()[-1] == "max"
    assert len(r.of("effect")) == 1


def test_intent_unknown_name_from_a_classifier_is_a_miss():
    r = Runner(intent_flow(max_attempts=1))
    r.text("x")
    r.result({"intent": "inventado"})
    assert r.texts()[-1] == "max"


def test_intent_fallback_flow_when_max_attempts_is_not_connected():
    fallback = flow(card("f", "message", text="Fluxo de apoio"), key="apoio")
    data = flow(
        card("i", "intent", {"boleto": None}, intents=INTENTS, max_attempts=1,
             fallback_flow="apoio"),
    )  # fmt: skip
    r = Runner(data, fallback)
    r.text("zzz")
    r.result({"intent": ""})
    assert r.texts() == ["Fluxo de apoio"]
    assert r.state.status == "ended"


def test_intent_settings_problems():
    dup = [{"name": "a", "examples": ["x"]}, {"name": "a", "examples": ["y"]}]
    assert "únicos" in problems(flow(card("i", "intent", intents=dup)))[0].message
    assert problems(flow(card("i", "intent", intents=[{"name": "a", "examples": []}])))
    assert problems(flow(card("i", "intent", {"outra": None}, intents=INTENTS)))


def test_keyword_classifier_offline():
    c = KeywordClassifier()
    intents = [Intent(i["name"], tuple(i["examples"])) for i in INTENTS]
    assert c.classify("Quero a segunda via do boleto!", intents, 0.5).name == "boleto"
    assert c.classify("preciso PAGAR a fatura", intents, 0.5).name == "boleto"
    assert c.classify("quero falar com uma pessoa", intents, 0.5).name == "humano"
    assert c.classify("qual a previsão do tempo", intents, 0.5) is None
    assert c.classify("", intents, 0.5) is None
    tie = [Intent("a", ("boleto",)), Intent("b", ("fatura",))]
    assert c.classify("boleto", tie, 0.5) is None  # synonyms: a tie is no answer
    assert fold("  Renovação  JÁ! ") == "renovacao ja"


# --- http -------------------------------------------------------------------------------------


def http_flow(**settings):
    settings.setdefault("url", "https://erp.example.com/clientes/{{cpf}}?q={{nome}}")
    return flow(
        card("h", "http", {"success": "ok", "failure": "falha"}, **settings),
        card("ok", "end", text="Saldo {{saldo}}"),
        card("falha", "end", text="Erro: {{http_erro}}"),
        variables=["cpf", "nome", "saldo"],
    )


def test_http_renders_url_headers_and_a_json_escaped_body():
    data = http_flow(
        method="POST",
        headers={"Authorization": "Bearer {{token}}"},
        body='{"cpf": "{{cpf}}", "nome": "{{nome}}", "n": {{n}}}',
        response={"saldo": "dados.saldo"},
        timeout_seconds=5,
        retries=2,
    )
    data["variables"] += [{"name": "token", "default": "abc"}, {"name": "n", "default": 3}]
    r = Runner(data, cpf=CPF, nome='Ana "A" /x')
    [effect] = r.of("effect")
    assert effect.name == "http" and effect.token == r.state.wait.token
    p = effect.payload
    assert p["url"] == f"https://erp.example.com/clientes/{CPF}?q=Ana%20%22A%22%20%2Fx"
    assert p["headers"] == {"Authorization": "Bearer abc"}
    import json

    assert json.loads(p["body"]) == {"cpf": CPF, "nome": 'Ana "A" /x', "n": 3}
    assert (p["method"], p["timeout"], p["retries"]) == ("POST", 5, 2)
    assert not r.text("oi").consumed
    r.result({"ok": True, "status": 200, "values": {"saldo": 10.5, "intruso": "x"}})
    assert r.texts() == ["Saldo 10.5"]
    assert "intruso" not in r.state.vars


def test_http_failure_path_keeps_the_error():
    r = Runner(http_flow(status_variable="status"))
    r.result({"ok": False, "status": 503, "error": "status"})
    assert r.texts() == ["Erro: status"]
    assert r.state.vars["status"] == 503


def test_http_settings_problems():
    def msgs(**s):
        return [p.message for p in problems(http_flow(**s))]

    assert msgs(url="ftp://x") == ["formato inválido"]
    assert "não é um JSON válido" in msgs(body='{"a": ')[0]
    assert "cabeçalho não permitido" in msgs(headers={"Host": "x"})[0]
    assert "caminho inválido" in msgs(response={"saldo": "a..b"})[0]
    assert "variável inválido" in msgs(response={"Saldo": "a"})[0]
    assert msgs(timeout_seconds=60) == ["deve ser no máximo 30"]
    assert msgs(retries=5) == ["deve ser no máximo 3"]


# --- bulk template, metric ------------------------------------------------------------------


def bulk_flow(**settings):
    return flow(
        card("t", "bulk_template", "c", template="renovacao", variables=["{{cliente}}"],
             **settings),
        card("c", "condition", {"true": "sim", "false": "nao"}, kind="answer",
             values=["renovar"]),
        ends("sim"), ends("nao"),
    )  # fmt: skip


def test_bulk_template_sent_in_a_run_waits_for_the_reply_and_conditions_branch_on_it():
    r = Runner(bulk_flow())
    [template] = r.of("send_template")
    assert (template.name, template.variables) == ("renovacao", {"body": ["Maria da Silva"]})
    r.choose("renovar", text="Quero renovar")
    assert r.texts()[-1] == "sim"
    assert r.state.vars["resposta"] == "renovar"
    assert not r.of("effect")  # not a bulk send: nothing to record


def test_bulk_template_in_a_bulk_run_does_not_resend_and_records_the_reply():
    r = Runner(bulk_flow(), envio_em_massa=42)
    assert not r.of("send_template")
    r.text("não, obrigado")
    assert r.texts()[-1] == "nao"
    assert r.of("effect")[0].payload == {"bulk": 42, "reply": "não, obrigado"}


def test_bulk_template_timeout():
    data = bulk_flow(timeout_hours=24)
    data["cards"][0]["next"]["timeout"] = "nao"
    r = Runner(data)
    assert r.of("wait")[0].until == "2026-11-24T10:00:00-03:00"
    r.timer()
    assert r.texts() == ["nao"]


def metric_flow():
    return flow(
        card("m", "metric", {"positive": "p", "negative": "n"}, text="Resolvemos?"),
        ends("p"), ends("n"),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("answer", "path"),
    [("positive", "positive"), ("sim", "positive"), ("1", "positive"), ("NÃO", "negative")],
)
def test_metric_two_paths_are_counted(answer, path):
    r = Runner(metric_flow())
    [offer] = r.of("send_choices")
    assert [o.title for o in offer.options] == ["Sim", "Não"]
    r.text(answer)
    [effect] = r.of("effect")
    assert effect.payload == {"flow": "teste", "card": "m", "path": path}
    assert r.texts()[-1] == ("p" if path == "positive" else "n")


def test_metric_asks_again_then_counts_negative():
    r = Runner(metric_flow())
    r.text("talvez")
    r.text("hmm")
    assert len(r.of("send_choices")) == 3
    r.text("??")
    assert r.of("effect")[0].payload["path"] == "negative"
    assert r.texts()[-1] == "n"
