"""Choices within WhatsApp's limits: buttons, lists, paged lists, numbered text; and the
client's answer mapped back to the option id."""

import pytest

from formaliza.accounts.roles import Role
from formaliza.conversations.choices import (
    MORE_PREFIX,
    choice_resolve,
    choices_normalize,
    choices_render,
)
from formaliza.conversations.content import Choice, Interactive, NumberedChoices
from formaliza.conversations.errors import InvalidContent
from formaliza.conversations.models import Message
from formaliza.conversations.services import message_send_choices
from formaliza.conversations.tests.helpers import client_says
from formaliza.core.testing import run_queued_tasks


def options(n: int, title: str = "Opção {}") -> list[Choice]:
    return [Choice(f"op{i}", title.format(i)) for i in range(1, n + 1)]


def render(choices, **kwargs):
    return choices_render(body="Escolha:", choices=choices_normalize(choices), **kwargs)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_up_to_three_short_options_are_reply_buttons(n):
    content = render(options(n))
    assert isinstance(content, Interactive) and content.style == "button"
    assert [c.id for c in content.rows] == [f"op{i}" for i in range(1, n + 1)]


@pytest.mark.parametrize("n", [4, 7, 10])
def test_four_to_ten_are_one_list(n):
    content = render(options(n))
    assert (content.style, content.pages, len(content.rows)) == ("list", 1, n)


def test_buttons_with_a_title_over_20_become_a_list():
    content = render([("a", "Sim"), ("b", "Renovar o link agora!")])  # 21 characters
    assert content.style == "list"


def test_descriptions_need_a_list():
    assert render([Choice("a", "Sim", "Continuar de onde parou")]).style == "list"


def test_more_than_ten_are_paged_lists_with_a_more_row():
    choices = options(25)
    pages = [render(choices, page=p) for p in (1, 2, 3)]
    assert [p.pages for p in pages] == [3, 3, 3]
    assert [len(p.rows) for p in pages] == [10, 10, 7]
    assert pages[0].rows[-1].id == f"{MORE_PREFIX}2" and pages[1].rows[-1].id == f"{MORE_PREFIX}3"
    shown = [r.id for p in pages for r in p.rows if not r.id.startswith(MORE_PREFIX)]
    assert shown == [c.id for c in choices]


def test_titles_over_24_become_numbered_text():
    content = render([("a", "Quero renovar o link de formalização"), ("b", "Ajuda")])
    assert isinstance(content, NumberedChoices)
    assert "1 - Quero renovar o link de formalização\n2 - Ajuda" in content.body
    assert "Responda com o número" in content.body


def test_sms_and_email_always_get_numbered_text():
    assert isinstance(render(options(2), interactive=False), NumberedChoices)


@pytest.mark.parametrize(
    ("choices", "code"),
    [
        ([], "choices_empty"),
        ([("a", "Sim"), ("a", "Não")], "choice_id_duplicate"),
        ([("a", "Sim"), ("b", "sim")], "choice_title_duplicate"),
        ([("a", "Não"), ("b", "NAO")], "choice_title_duplicate"),
        ([("", "Sim")], "choice_id_invalid"),
        ([("x" * 201, "Sim")], "choice_id_invalid"),
        ([(f"{MORE_PREFIX}1", "Sim")], "choice_id_reserved"),
        ([("a", "  ")], "choice_title_empty"),
    ],
)
def test_invalid_choices_are_refused(choices, code):
    with pytest.raises(InvalidContent) as invalid:
        choices_normalize(choices)
    assert invalid.value.code == code


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"header": "x" * 61}, "header_too_long"),
        ({"footer": "x" * 61}, "footer_too_long"),
        ({"button": "Ver todas as opções ok"}, "button_too_long"),
        ({"mode": "buttons", "choices": options(4)}, "buttons_limit"),
        ({"mode": "list", "choices": [("a", "x" * 25)]}, "list_limit"),
    ],
)
def test_limits_of_headers_footers_labels_and_forced_modes(kwargs, code):
    choices = kwargs.pop("choices", options(2))
    with pytest.raises(InvalidContent) as invalid:
        render(choices, **kwargs)
    assert invalid.value.code == code


def test_body_limit():
    with pytest.raises(InvalidContent) as invalid:
        choices_render(body="x" * 1025, choices=options(2))
    assert invalid.value.code == "body_too_long"


@pytest.mark.parametrize(
    ("answer", "numbered", "expected"),
    [
        ("2", True, "op2"), (" 2. ", True, "op2"), ("opção 3", True, "op3"), ("3)", True, "op3"),
        ("9", True, ""), ("2", False, ""), ("opção 2", False, "op2"), ("OPCAO 2", False, "op2"),
        ("qualquer", True, ""),
    ],
)  # fmt: skip
def test_typed_answers_resolve_to_the_option(answer, numbered, expected):
    choices = [Choice("op1", "Opção 1"), Choice("op2", "Opção 2"), Choice("op3", "Opção 3")]
    assert choice_resolve(answer=answer, choices=choices, numbered=numbered) == expected


@pytest.mark.parametrize("n", [2, 3, 4, 10, 11, 30])
def test_the_fake_provider_accepts_every_rendering(kit, fake_api, channel, n):
    client_says(fake_api, channel, "Oi")
    run_queued_tasks()
    message = message_send_choices(
        actor=kit.actor(Role.ATTENDANT), channel=channel, to="11987654321", body="Escolha uma opção:",
        choices=[(f"id{i}", f"Opção número {i}", "detalhe" if n > 3 else "") for i in range(n)],
        header="Formalização", footer="Responda quando puder",
    )  # fmt: skip
    run_queued_tasks()
    message.refresh_from_db()
    assert message.status == "accepted", (message.error_code, message.error_title, fake_api.refused)


def test_paged_list_end_to_end(kit, fake_api, channel, handlers):
    client_says(fake_api, channel, "Oi")
    run_queued_tasks()
    offer = message_send_choices(
        actor=kit.actor(Role.ATTENDANT), channel=channel, to="11987654321", body="Qual o seu banco?",
        choices=[(f"banco{i}", f"Banco {i}") for i in range(1, 15)], reference="flow:42",
    )  # fmt: skip
    run_queued_tasks()
    offer.refresh_from_db()
    handlers.clear()

    client_says(fake_api, channel, type="list_reply", id=f"{MORE_PREFIX}2", title="Mais opções ▸",
                context_id=offer.provider_message_id)  # fmt: skip
    run_queued_tasks()

    page2 = Message.objects.filter(direction="out").order_by("-id").first()
    assert page2.pk != offer.pk
    assert (page2.content["page"], page2.reference) == (2, "flow:42")
    assert [r["id"] for r in page2.content["rows"]] == [f"banco{i}" for i in range(10, 15)]
    assert [c for c in handlers if c[0] == "inbound"] == []  # page turns are not answers

    client_says(fake_api, channel, type="list_reply", id="banco12", title="Banco 12",
                context_id=page2.provider_message_id)  # fmt: skip
    run_queued_tasks()
    answer = Message.objects.filter(direction="in").order_by("-id").first()
    assert answer.choice_id == "banco12"
    assert ("inbound", answer.pk) in handlers


def test_numbered_text_answers_are_resolved(kit, fake_api, channel):
    client_says(fake_api, channel, "Oi")
    run_queued_tasks()
    message_send_choices(
        actor=kit.actor(Role.ATTENDANT), channel=channel, to="11987654321",
        body="Não identificamos a conclusão do processo.",
        choices=[("continuar", "Continuar — acessar o link enviado"), ("renovar", "Renovar o link de formalização"),
                 ("ajuda", "Ajuda — falar com um atendente")],
    )  # fmt: skip
    run_queued_tasks()
    client_says(fake_api, channel, "2")
    run_queued_tasks()
    assert Message.objects.filter(direction="in").order_by("-id").first().choice_id == "renovar"
