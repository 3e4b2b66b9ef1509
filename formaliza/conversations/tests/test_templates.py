"""Template variables checked against the template (count and type per component) before any API
call, with the errors the Cloud API would give otherwise."""

import pytest

from formaliza.accounts.roles import Role
from formaliza.conversations.errors import InvalidContent
from formaliza.conversations.models import Message
from formaliza.conversations.services import (
    TemplateInput,
    message_send_template,
    template_save,
    template_sync,
)
from formaliza.conversations.template_rules import (
    TemplateValues,
    components_validate,
    template_fill,
    template_render,
)
from formaliza.core.testing import run_queued_tasks

FULL = [
    {"type": "HEADER", "format": "TEXT", "text": "Contrato {{1}}"},
    {"type": "BODY", "text": "Olá {{1}}, seu contrato de {{2}} está pronto."},
    {"type": "FOOTER", "text": "Banco Exemplo"},
    {"type": "BUTTONS", "buttons": [
        {"type": "QUICK_REPLY", "text": "Sim"},
        {"type": "URL", "text": "Abrir", "url": "https://formaliza.example/j/{{1}}"},
    ]},
]  # fmt: skip
NAMED = [{"type": "BODY", "text": "Olá {{nome}}, protocolo {{protocolo}}."}]
IMAGE_HEADER = [{"type": "HEADER", "format": "IMAGE"}, {"type": "BODY", "text": "Veja a imagem"}]


def fill(components, **values):
    return template_fill(
        name="t",
        language="pt_BR",
        category="utility",
        components=components,
        values=TemplateValues(**values),
    )


def test_every_component_is_filled_in_the_cloud_api_shape():
    message = fill(
        FULL, header=["123"], body=["Maria Santos", "R$ 1.000,00"], buttons={0: "sim", 1: "abc123"}
    )
    assert [
        (c.type, c.sub_type, c.index, [p.text or p.payload for p in c.parameters])
        for c in message.components
    ] == [
        ("header", "", None, ["123"]),
        ("body", "", None, ["Maria Santos", "R$ 1.000,00"]),
        ("button", "quick_reply", 0, ["sim"]),
        ("button", "url", 1, ["abc123"]),
    ]
    rendered = template_render(components=FULL, message=message)
    assert rendered.as_text() == (
        "Contrato 123\nOlá Maria Santos, seu contrato de R$ 1.000,00 está pronto.\nBanco Exemplo\n[Sim · Abrir]"
    )


@pytest.mark.parametrize(
    ("values", "code", "field"),
    [
        (
            {"header": ["1"], "body": ["Maria"], "buttons": {1: "x"}},
            "template_param_count",
            "corpo",
        ),
        (
            {"header": ["1"], "body": ["Maria", "R$ 1", "extra"], "buttons": {1: "x"}},
            "template_param_count",
            "corpo",
        ),
        ({"body": ["Maria", "R$ 1"], "buttons": {1: "x"}}, "template_param_count", "cabeçalho"),
        ({"header": ["1"], "body": ["Maria", "R$ 1"]}, "template_param_count", "buttons"),
        (
            {"header": ["1"], "body": ["Maria\nSantos", "R$ 1"], "buttons": {1: "x"}},
            "template_param_format",
            "corpo",
        ),
        (
            {"header": ["1"], "body": ["Maria     Santos", "R$ 1"], "buttons": {1: "x"}},
            "template_param_format",
            "corpo",
        ),
        (
            {"header": ["1"], "body": ["", "R$ 1"], "buttons": {1: "x"}},
            "template_param_empty",
            "corpo",
        ),
        (
            {"header": ["1"], "body": [["lista"], "R$ 1"], "buttons": {1: "x"}},
            "template_param_format",
            "corpo",
        ),
    ],
)
def test_mismatches_are_refused_with_a_specific_error(values, code, field):
    with pytest.raises(InvalidContent) as invalid:
        fill(FULL, **values)
    assert invalid.value.code == code
    assert invalid.value.fields[0].field == field
    assert invalid.value.message  # pt-BR sentence


def test_named_placeholders_take_names():
    message = fill(NAMED, body={"nome": "Maria", "protocolo": "2026000001"})
    assert [(p.name, p.text) for p in message.components[0].parameters] == [
        ("nome", "Maria"),
        ("protocolo", "2026000001"),
    ]
    with pytest.raises(InvalidContent, match="faltam protocolo"):
        fill(NAMED, body={"nome": "Maria"})
    with pytest.raises(InvalidContent, match="variáveis nomeadas"):
        fill(NAMED, body=["Maria", "1"])


def test_media_header_needs_a_link():
    with pytest.raises(InvalidContent, match=r"imagem|image"):
        fill(IMAGE_HEADER)
    message = fill(IMAGE_HEADER, header_media_link="https://cdn.example/x.jpg")
    assert message.components[0].parameters[0].type == "image"


def test_too_long_once_filled():
    components = [{"type": "BODY", "text": "{{1}}"}]
    with pytest.raises(InvalidContent) as invalid:
        fill(components, body=["x" * 1025])
    assert invalid.value.code == "template_too_long"


@pytest.mark.parametrize(
    "components",
    [
        "texto",
        [{"type": "HEADER", "text": "sem corpo"}],
        [{"type": "BODY", "text": "{{1}} e {{nome}}"}],
        [{"type": "BODY", "text": "{{2}} antes de {{1}}"}],
        [
            {"type": "BODY", "text": "ok"},
            {"type": "BUTTONS", "buttons": [{"type": "NADA", "text": "x"}]},
        ],
    ],
)
def test_template_definitions_are_validated(components):
    with pytest.raises(InvalidContent):
        components_validate(components)


def test_a_bad_send_never_reaches_the_provider(kit, fake_api, channel):
    template_save(tenant=kit.tenant, channel_id=channel.pk,
                  data=TemplateInput(name="contrato", language="pt_BR", category="utility", components=FULL))  # fmt: skip
    with pytest.raises(InvalidContent):
        message_send_template(actor=kit.actor(Role.OPERATOR), channel=channel, to="11987654321",
                              template="contrato", variables=["Maria"])  # fmt: skip
    run_queued_tasks()
    assert fake_api.sent == [] and Message.objects.count() == 0


def test_a_good_send_is_accepted_by_the_fake_which_checks_the_same_counts(kit, fake_api, channel):
    template_save(tenant=kit.tenant, channel_id=channel.pk,
                  data=TemplateInput(name="contrato", language="pt_BR", category="utility", components=FULL))  # fmt: skip
    fake_api.register_template(channel.business_account_id,
                               {"name": "contrato", "language": "pt_BR", "category": "UTILITY", "components": FULL})  # fmt: skip
    message = message_send_template(
        actor=kit.actor(Role.OPERATOR), channel=channel, to="11987654321", template="contrato",
        values=TemplateValues(header=["9"], body=["Maria", "R$ 5"], buttons={1: "tok"}),
    )  # fmt: skip
    run_queued_tasks()
    message.refresh_from_db()
    assert message.status == "accepted", message.error_title


def test_unknown_or_unapproved_template(kit, channel):
    with pytest.raises(InvalidContent) as invalid:
        message_send_template(
            actor=kit.actor(Role.OPERATOR), channel=channel, to="11987654321", template="nao_existe"
        )
    assert invalid.value.code == "template_not_found"
    template_save(tenant=kit.tenant, channel_id=channel.pk,
                  data=TemplateInput(name="pendente", language="pt_BR", category="utility",
                                     components=[{"type": "BODY", "text": "oi"}], status="pending"))  # fmt: skip
    from formaliza.conversations.errors import MessageRefused

    with pytest.raises(MessageRefused) as refused:
        message_send_template(
            actor=kit.actor(Role.OPERATOR), channel=channel, to="11987654321", template="pendente"
        )
    assert refused.value.code == "template_not_approved"


def test_sync_brings_the_providers_templates(kit, fake_api, channel):
    fake_api.register_template(channel.business_account_id,
                               {"name": "boas_vindas", "language": "pt_BR", "category": "MARKETING",
                                "components": [{"type": "BODY", "text": "Olá {{1}}"}]})  # fmt: skip
    assert template_sync(tenant=kit.tenant, channel_id=channel.pk) == 1
    template = channel.templates.get()
    assert (template.name, template.category, template.status) == (
        "boas_vindas",
        "marketing",
        "approved",
    )
    assert template_sync(tenant=kit.tenant, channel_id=channel.pk) == 1  # an update, not a copy
    assert channel.templates.count() == 1


def test_template_names_follow_metas_rule(kit, channel):
    with pytest.raises(InvalidContent) as invalid:
        template_save(tenant=kit.tenant, channel_id=channel.pk,
                      data=TemplateInput(name="Convite Novo", language="pt_BR", category="utility",
                                         components=[{"type": "BODY", "text": "oi"}]))  # fmt: skip
    assert invalid.value.fields[0].field == "name"
