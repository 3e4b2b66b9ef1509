"""Interaction cards: each card in the pure engine (happy path and failure paths), the input
validators, and the cards' effects through the runtime with the database."""

from __future__ import annotations

import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from formaliza.conversations.models import ContactHandle, Conversation, Message
from formaliza.flows import validation
from formaliza.flows.cards.registry import card_type
from formaliza.flows.format import FlowFormatError, parse
from formaliza.flows.models import FlowRun, SurveyAnswer
from formaliza.flows.services import runtime
from formaliza.flows.testing import Runner, card, flow
from formaliza.flows.tests.runtime_helpers import bodies, channel_of, client_writes, publish

OPTIONS = [
    {"id": "financeiro", "title": "Financeiro"},
    {"id": "suporte", "title": "Suporte técnico"},
    {"id": "comercial", "title": "Comercial"},
]


def choice_flow(**settings):
    return flow(
        card(
            "q",
            "choice",
            {"financeiro": "f", "suporte": "s", "max_attempts": "max"},
            **{"text": "Escolha um setor", "options": OPTIONS, "max_attempts": 2, **settings},
        ),
        card("f", "message", text="financeiro"),
        card("s", "message", text="suporte"),
        card("max", "message", text="desisti"),
    )


def _problems(data) -> list[str]:
    with pytest.raises(FlowFormatError) as exc:
        parse(data)
    return [p.message for p in exc.value.problems]


# --- file ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "media"),
    [
        ("a/boleto.pdf", "document"),
        ("a/foto.PNG", "image"),
        ("x.jpeg", "image"),
        ("a.mp3", "audio"),
    ],
)
def test_file_sends_the_upload_with_its_kind(name, media):
    r = Runner(flow(card("f", "file", file=name, caption="" if media == "audio" else "Seu {{x}}")))
    sent = r.of("send_media")[0]
    assert (sent.media, sent.file) == (media, name)
    assert r.state.status == "ended"


def test_file_refuses_other_formats_and_captions_on_audio():
    assert _problems(flow(card("f", "file", file="planilha.xlsx")))
    assert _problems(flow(card("f", "file", file="a.mp3", caption="ouça")))


# --- choice -------------------------------------------------------------------------------------


def test_choice_renders_options_and_takes_a_tap_a_number_or_a_title():
    r = Runner(choice_flow())
    sent = r.of("send_choices")[0]
    assert [o.id for o in sent.options] == ["financeiro", "suporte", "comercial"]
    r.choose("suporte")
    assert r.texts()[-1] == "suporte"
    assert r.state.vars["q_resposta"] == "suporte"
    r = Runner(choice_flow())
    r.text("1")
    assert r.texts()[-1] == "financeiro"
    r = Runner(choice_flow())
    r.text("suporte tecnico")  # the title without accents or case
    assert r.texts()[-1] == "suporte"


def test_choice_retries_then_takes_max_attempts():
    r = Runner(choice_flow(retry_text="Opção inválida.", max_attempts_text="Vamos encerrar."))
    r.text("quero pizza")
    assert r.texts()[-2:] == ["Opção inválida.", "Escolha um setor"]  # asked again
    assert r.state.wait.data == {"attempts": 1}
    r.text("9")
    assert r.texts()[-2:] == ["Vamos encerrar.", "desisti"]
    assert r.state.status == "ended"


def test_choice_runs_the_fallback_flow_after_max_attempts():
    fallback = flow(card("h", "message", text="humano"), key="ajuda")
    r = Runner(choice_flow(max_attempts=1, fallback_flow="ajuda"), fallback)
    r.text("??")
    assert r.texts()[-1] == "humano"
    assert r.state.flow == "ajuda"


def test_choice_unconnected_option_ends_and_timeout_takes_its_output():
    r = Runner(choice_flow())
    r.choose("comercial")  # not connected: the flow ends
    assert r.state.status == "ended"
    data = choice_flow(timeout_minutes=10)
    data["cards"][0]["next"]["timeout"] = "max"
    r = Runner(data)
    assert r.of("wait")[0].until
    r.timer()
    assert r.texts()[-1] == "desisti"


def test_choice_settings_are_checked():
    dup = [{"id": "a", "title": "Um"}, {"id": "a", "title": "Dois"}]
    assert _problems(flow(card("q", "choice", text="?", options=dup)))
    long = [{"id": "a", "title": "x" * 25}]
    assert _problems(flow(card("q", "choice", text="?", options=long)))
    reserved = [{"id": "timeout", "title": "Tempo"}]
    assert _problems(flow(card("q", "choice", text="?", options=reserved)))
    same_title = [{"id": "a", "title": "Não"}, {"id": "b", "title": "nao"}]
    assert _problems(flow(card("q", "choice", text="?", options=same_title)))
    assert set(card_type("choice").outputs(parse(choice_flow()).cards["q"].settings)) == {
        "financeiro", "suporte", "comercial", "max_attempts", "timeout",
    }  # fmt: skip


def test_choice_ignores_timers_and_results_of_other_waits():
    r = Runner(choice_flow())
    assert not r.result({"x": 1}, token="w7").consumed
    assert not r.timer(token="w7").consumed
    assert r.state.status == "waiting"


# --- confirm ------------------------------------------------------------------------------------


def confirm_flow(**settings):
    return flow(
        card("c", "confirm", {"yes": "y", "no": "n"}, text="Confirma?", max_attempts=2, **settings),
        card("y", "message", text="confirmado"),
        card("n", "message", text="negado"),
    )


@pytest.mark.parametrize(
    ("answer", "expected"),
    [("Sim", "confirmado"), ("s", "confirmado"), ("1", "confirmado"), ("NÃO", "negado"),
     ("nao", "negado"), ("2", "negado")],
)  # fmt: skip
def test_confirm_takes_yes_or_no(answer, expected):
    r = Runner(confirm_flow())
    assert [o.title for o in r.of("send_choices")[0].options] == ["Sim", "Não"]
    r.text(answer)
    assert r.texts()[-1] == expected


def test_confirm_tap_and_max_attempts():
    r = Runner(confirm_flow())
    r.choose("nao", text="Não")
    assert r.texts()[-1] == "negado"
    r = Runner(confirm_flow())
    r.text("talvez")
    r.text("depois")
    assert r.state.status == "ended"  # max_attempts not connected: the flow ends
    assert r.texts()[-1] != "confirmado"


# --- input and its validators -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "typed", "value"),
    [
        ("cpf", "529.982.247-25", "52998224725"),
        ("cnpj", "11.222.333/0001-81", "11222333000181"),
        ("cpf_cnpj", "11222333000181", "11222333000181"),
        ("cpf_cnpj", "52998224725", "52998224725"),
        ("email", " Maria@Exemplo.com.BR ", "maria@exemplo.com.br"),
        ("phone", "(11) 98765-4321", "+5511987654321"),
        ("date", "25/12/1990", "1990-12-25"),
        ("date", "1-2-2000", "2000-02-01"),
        ("number", "1.234,56", "1234.56"),
        ("number", "1234.5", "1234.5"),
        ("number", "1.500", "1500"),
        ("text", "  qualquer coisa ", "qualquer coisa"),
    ],
)
def test_validators_accept_and_normalize(kind, typed, value):
    assert validation.validate(kind, typed) == value


@pytest.mark.parametrize(
    ("kind", "typed"),
    [
        ("cpf", "111.111.111-11"),
        ("cpf", "529.982.247-26"),
        ("cnpj", "11.222.333/0001-80"),
        ("cpf_cnpj", "123"),
        ("email", "maria@"),
        ("email", "maria exemplo.com"),
        ("phone", "1234"),
        ("date", "31/02/2020"),
        ("date", "2020-01-01"),
        ("date", "01/01/1800"),
        ("number", "doze"),
        ("number", "1,2,3"),
        ("text", "   "),
    ],
)
def test_validators_refuse(kind, typed):
    assert validation.validate(kind, typed) is None


def input_flow(**settings):
    return flow(
        card("i", "input", {"next": "ok", "max_attempts": "max"},
             **{"text": "Qual seu CPF?", "variable": "cpf", "max_attempts": 3,
                "validation": "cpf", **settings}),
        card("ok", "message", text="CPF {{cpf}} recebido"),
        card("max", "message", text="não deu"),
    )  # fmt: skip


def test_input_stores_the_normalized_value():
    r = Runner(input_flow())
    r.text("529.982.247-25")
    assert r.state.vars["cpf"] == "52998224725"
    assert r.texts()[-1] == "CPF 52998224725 recebido"


def test_input_explains_the_error_per_kind_and_gives_up_after_max_attempts():
    r = Runner(input_flow(max_attempts_text="Tentativas esgotadas."))
    r.text("123")
    assert r.texts()[-2:] == [validation.INVALID_PT_BR["cpf"], "Qual seu CPF?"]
    r.text("", media="image", attachment="9")  # a photo instead of the number
    r.text("000.000.000-00")
    assert r.texts()[-2:] == ["Tentativas esgotadas.", "não deu"]
    assert "cpf" not in r.state.vars


def test_input_custom_invalid_message_and_fallback_flow():
    fallback = flow(card("h", "message", text="vamos te ajudar"), key="ajuda")
    r = Runner(input_flow(invalid_text="Esse não é um CPF.", max_attempts=1, fallback_flow="ajuda"),
               fallback)  # fmt: skip
    r.text("abc")
    assert r.texts()[-1] == "vamos te ajudar"
    r = Runner(input_flow(invalid_text="Esse não é um CPF."))
    r.text("abc")
    assert r.texts()[-2] == "Esse não é um CPF."


def test_input_image_and_file():
    r = Runner(input_flow(validation="image", variable="foto"))
    r.text("segue a foto")
    assert r.texts()[-2] == validation.INVALID_PT_BR["image"]
    r.text("", media="image", attachment="42")
    assert r.state.vars["foto"] == "42"
    r = Runner(input_flow(validation="file", variable="doc"))
    r.text("", media="audio", attachment="7")
    assert "doc" not in r.state.vars
    r.text("", media="document", attachment="8")
    assert r.state.vars["doc"] == "8"


def test_input_refuses_an_unknown_validation():
    assert _problems(flow(card("i", "input", text="?", validation="cep")))


# --- survey -------------------------------------------------------------------------------------


def survey_flow(**settings):
    return flow(
        card("p", "survey", {"next": "fim", "max_attempts": "max"}, max_attempts=2, **settings),
        card("fim", "message", text="fim"),
        card("max", "message", text="sem nota"),
    )


def test_survey_orders_options_and_records_the_score_for_its_targets():
    r = Runner(survey_flow(order="ascending", target="both"))
    options = r.of("send_choices")[0].options
    assert [o.id for o in options] == ["1", "2", "3", "4", "5"]
    assert options[0].title == "1 - Muito insatisfeito"
    r.choose("4")
    effect = r.of("effect")[0]
    assert (effect.name, effect.payload) == (
        "survey_answer",
        {"score": 4, "targets": ["company", "attendant"], "card": "p"},
    )
    assert r.texts()[-2:] == ["Obrigado pela sua avaliação!", "fim"]
    r = Runner(survey_flow())
    assert [o.id for o in r.of("send_choices")[0].options] == ["5", "4", "3", "2", "1"]
    r.text("5")  # typed score counts whatever the order shown
    assert r.of("effect")[0].payload["score"] == 5


def test_survey_retries_out_of_range_and_gives_up():
    r = Runner(survey_flow())
    r.text("6")
    assert r.texts()[-2] == "Por favor, responda com uma nota de 1 a 5."
    r.text("0")
    assert r.texts()[-1] == "sem nota"
    assert not r.of("effect")


def test_survey_titles_are_checked():
    titles = {"1": "a", "2": "b", "3": "c", "4": "d"}
    assert _problems(flow(card("p", "survey", titles=titles)))
    titles = {str(n): "x" * 21 for n in range(1, 6)}
    assert _problems(flow(card("p", "survey", titles=titles)))


# --- opt-in / opt-out ---------------------------------------------------------------------------


def test_opt_in_and_opt_out_must_be_at_the_start():
    for kind in ("opt_in", "opt_out"):
        problems = _problems(flow(card("a", "message", "b", text="oi"), card("b", kind)))
        assert problems


def test_opt_in_yes_records_consent_no_opts_out_and_ends():
    data = flow(card("o", "opt_in", {"accepted": "m"}), card("m", "message", text="bem-vindo"))
    r = Runner(data)
    assert "Promotora Exemplo" in r.of("send_choices")[0].text
    r.choose("sim", text="Sim, autorizo")
    assert [e.name for e in r.of("effect")] == ["opt_in"]
    assert r.texts()[-1] == "bem-vindo"
    r = Runner(data)
    r.text("não")
    kinds = [a.kind for a in r.actions]
    # The goodbye is sent before the opt-out is recorded (after it nothing can be sent).
    assert kinds.index("send_text") < kinds.index("effect")
    assert r.of("effect")[0].name == "opt_out"
    assert r.state.status == "ended"


def test_opt_out_card_continue_or_stop():
    data = flow(card("o", "opt_out", "m"), card("m", "message", text="segue"))
    r = Runner(data)
    r.choose("continuar")
    assert r.texts()[-1] == "segue"
    r = Runner(data)
    r.choose("parar")
    assert r.of("effect")[0].name == "opt_out"
    assert r.state.status == "ended"


# --- transfer -----------------------------------------------------------------------------------


def test_transfer_renders_the_note_and_ends_as_transferred():
    r = Runner(flow(card("t", "transfer", department="Suporte", note="Protocolo {{protocolo}}")))
    transfer = r.of("transfer")[0]
    assert (transfer.department, transfer.note) == ("Suporte", "Protocolo 20261123000001")
    assert r.state.status == "transferred"


# --- through the runtime, with the database ----------------------------------------------------


@pytest.fixture
def channel(kit):
    return channel_of(kit.tenant)


def _start(kit, channel, data):
    first = client_writes(channel, "oi")
    run = runtime.run_start(conversation=first.conversation, flow=publish(kit.tenant, data))
    return first.conversation, run


def _answer(channel, text="", **kw):
    message = client_writes(channel, text, **kw)
    runtime.inbound_message_handle(message_id=message.pk)
    return message


@pytest.mark.django_db
def test_choice_through_whatsapp_buttons_and_typed_number(kit, channel):
    conv, _run = _start(kit, channel, choice_flow())
    offer = Message.objects.filter(conversation=conv, direction="out").last()
    assert offer.kind == Message.Kind.BUTTONS
    _answer(channel, kind="button_reply", reply_id="suporte", reply_title="Suporte técnico")
    assert bodies(conv)[-1] == "suporte"
    conv2, _ = _start(kit, channel, choice_flow())
    _answer(channel, "Financeiro")  # typed title, resolved by the conversation layer too
    assert bodies(conv2)[-1] == "financeiro"


@pytest.mark.django_db
def test_many_options_go_as_a_list(kit, channel):
    options = [{"id": f"o{n}", "title": f"Opção {n}"} for n in range(1, 8)]
    conv, _ = _start(kit, channel, flow(card("q", "choice", text="Qual?", options=options)))
    offer = Message.objects.filter(conversation=conv, direction="out").last()
    assert offer.kind == Message.Kind.LIST
    _answer(channel, kind="list_reply", reply_id="o6", reply_title="Opção 6")
    assert FlowRun.objects.get(pk=_.pk).state["vars"]["q_resposta"] == "o6"


@pytest.mark.django_db
def test_file_goes_through_the_media_service(kit, channel):
    name = default_storage.save("flows/teste/boleto.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    conv, run = _start(kit, channel, flow(card("f", "file", file=name, caption="Seu boleto")))
    sent = Message.objects.get(conversation=conv, direction="out")
    assert (sent.kind, sent.body) == ("document", "Seu boleto")
    run.refresh_from_db()
    assert run.status == "ended"
    default_storage.delete(name)


@pytest.mark.django_db
def test_a_missing_file_fails_the_run_with_the_reason(kit, channel):
    _conv, run = _start(kit, channel, flow(card("f", "file", file="flows/nao-existe.pdf")))
    run.refresh_from_db()
    assert run.status == "failed"
    assert "Arquivo do fluxo não encontrado" in run.reason


@pytest.mark.django_db
def test_survey_answers_count_for_company_and_attendant(kit, channel):
    attendant = kit.users["attendant"]
    conv, _run = _start(kit, channel, survey_flow(target="both"))
    Conversation.objects.filter(pk=conv.pk).update(assignee=attendant)
    _answer(channel, kind="list_reply", reply_id="2", reply_title="2 - Insatisfeito")
    answers = {a.target: a for a in SurveyAnswer.objects.filter(conversation=conv)}
    assert answers["company"].score == answers["attendant"].score == 2
    assert answers["attendant"].attendant == attendant
    assert answers["company"].attendant is None


@pytest.mark.django_db
def test_survey_for_the_attendant_without_one_counts_for_the_company(kit, channel):
    conv, _ = _start(kit, channel, survey_flow(target="attendant"))
    _answer(channel, "3")
    answer = SurveyAnswer.objects.get(conversation=conv)
    assert (answer.target, answer.score) == ("company", 3)


@pytest.mark.django_db
def test_opt_in_and_opt_out_through_the_consent_services(kit, channel):
    data = flow(card("o", "opt_in", {"accepted": "m"}), card("m", "message", text="bem-vindo"))
    conv, run = _start(kit, channel, data)
    _answer(channel, kind="button_reply", reply_id="sim", reply_title="Sim, autorizo")
    handle = ContactHandle.objects.get(pk=conv.handle_id)
    assert handle.opted_in_at is not None and handle.opted_out_at is None
    conv, run = _start(kit, channel, data)
    _answer(channel, "Não autorizo")
    handle.refresh_from_db()
    assert handle.opted_out_at is not None
    assert bodies(conv)[-1].startswith("Tudo bem, você não receberá")
    run.refresh_from_db()
    assert run.status == "ended"


@pytest.mark.django_db
def test_two_surveys_in_one_flow_record_two_answers(kit, channel):
    data = flow(
        card("p1", "survey", "p2", text="Nota para o atendimento?"),
        card("p2", "survey", "fim", text="Nota para a empresa?"),
        card("fim", "end", text="Obrigado"),
    )
    conv, _run = _start(kit, channel, data)
    _answer(channel, "5")
    _answer(channel, "2")
    answers = SurveyAnswer.objects.filter(conversation=conv).order_by("pk")
    assert [(a.card, a.score) for a in answers] == [("p1", 5), ("p2", 2)]


def test_every_interaction_card_survives_export_and_import():
    from formaliza.flows.format import dumps, loads

    data = flow(
        card("o", "opt_in", {"accepted": "c"}),
        card(
            "c", "choice", {"a": "k"}, text="?", options=[*OPTIONS[:1], {"id": "a", "title": "A"}]
        ),
        card("k", "confirm", {"yes": "i", "no": "s"}, text="?"),
        card("i", "input", "s", text="?", validation="date", variable="nascimento"),
        card("s", "survey", "f", order="ascending", target="both"),
        card("f", "file", "t", file="x/y.png", caption="Veja"),
        card("t", "transfer", department="Suporte", note="{{descricao}}"),
    )
    text = dumps(parse(data))
    assert dumps(loads(text)) == text
    r = Runner(json.loads(text))  # the exported document runs
    assert r.state.status == "waiting"
    assert r.of("send_choices")[0].options[0].title == "Sim, autorizo"
