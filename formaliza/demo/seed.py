"""Demo data for `make run`: one promotora with a branch, a user per role, a catalog, and a few
clients with proposals spread over the pipeline. Everything goes through the services, so the
demo data obeys the same rules as typed data. Idempotent: a second run changes nothing."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import transaction
from faker import Faker

from formaliza.accounts import services as accounts
from formaliza.accounts.actors import Actor
from formaliza.accounts.models import Tenant
from formaliza.accounts.roles import Role
from formaliza.core.serving import DEMO_LOGINS, DEMO_PASSWORD
from formaliza.demo.cases import cases_seed
from formaliza.demo.contacts import contacts_seed
from formaliza.demo.signed import signed_journey_seed
from formaliza.demo.triage import triage_seed
from formaliza.evidence.services import verification_url
from formaliza.journeys import services as journeys
from formaliza.journeys.models import Journey
from formaliza.proposals import services as proposals
from formaliza.proposals.models import FormalizationRequest
from formaliza.proposals.samples import catalog_install_defaults, proposal_input

logger = logging.getLogger("formaliza.demo")

DEMO_SLUG = "demo"
ROLE_BY_EMAIL = {
    "admin@demo.formaliza.dev": (Role.ADMIN, "Ana", "Administradora"),
    "gerente@demo.formaliza.dev": (Role.MANAGER, "Gustavo", "Gerente"),
    "correspondente@demo.formaliza.dev": (Role.CORRESPONDENT, "Carla", "Correspondente"),
    "operador@demo.formaliza.dev": (Role.OPERATOR, "Otávio", "Operador"),
    "atendente@demo.formaliza.dev": (Role.ATTENDANT, "Alice", "Atendente"),
    "agente1@demo.formaliza.dev": (Role.AGENT, "Bruna", "Agente"),
    "agente2@demo.formaliza.dev": (Role.AGENT, "Diego", "Agente"),
}


@dataclass
class SeedResult:
    tenant: Tenant
    created: bool
    api_key: str = ""
    journey_links: list[str] = field(default_factory=list)
    sealed_code: str = ""  # the signed demo journey's document, to try on /verificar/
    sealed_status: str = ""


@transaction.atomic
def demo_seed() -> SeedResult:
    existing = Tenant.objects.filter(slug=DEMO_SLUG).first()
    if existing is not None:
        _seed_conversations(existing)  # demo databases created before the channels existed
        return SeedResult(tenant=existing, created=False)
    tenant = accounts.tenant_create(name="Promotora Exemplo", slug=DEMO_SLUG, cnpj="11222333000181")
    branch = accounts.branch_create(tenant=tenant, code="001", name="Filial Centro")
    users = {}
    for email, _label in DEMO_LOGINS:
        role, first, last = ROLE_BY_EMAIL[email]
        users[role] = accounts.user_create(
            tenant=tenant, email=email, password=DEMO_PASSWORD, role=role,
            first_name=first, last_name=last,
            branch=branch if role == Role.CORRESPONDENT else None,
        )  # fmt: skip
    catalog_install_defaults(tenant=tenant)
    issued = accounts.api_key_create(tenant=tenant, name="Integração de demonstração")
    signed_cpf = _seed_pipeline(
        tenant, Actor.of_user(users[Role.CORRESPONDENT]), Actor.of_user(users[Role.MANAGER])
    )
    _seed_conversations(tenant)
    links, to_sign = _seed_journeys(tenant, signed_cpf=signed_cpf)
    document = signed_journey_seed(journey=to_sign)
    contacts_seed(tenant=tenant, operator=Actor.of_user(users[Role.OPERATOR]))
    cases_seed(
        tenant=tenant, staff=Actor.of_user(users[Role.MANAGER]),
        agents=list(tenant.users.filter(role=Role.AGENT).order_by("pk")),
    )  # fmt: skip
    triage_seed(tenant=tenant, operator=Actor.of_user(users[Role.OPERATOR]))
    logger.info(
        "Documento selado de demonstração: código %s (%s), verifique em %s",
        document.code, document.get_status_display(), verification_url(document.code),
    )  # fmt: skip
    return SeedResult(
        tenant=tenant, created=True, api_key=issued.plaintext, journey_links=links,
        sealed_code=document.code, sealed_status=document.status,
    )  # fmt: skip


def _seed_journeys(tenant: Tenant, *, signed_cpf: str) -> tuple[list[str], Journey]:
    """Default terms and contract template, and the journey of every open formalization started
    now (its queued journey_start task then finds it done): the links of the ones left for a
    person to open, and the one the demo signs."""
    journeys.journey_content_install_defaults(tenant=tenant)
    links, to_sign = [], None
    for request in FormalizationRequest.objects.filter(tenant=tenant, status="open"):
        started = journeys.journey_start(request_id=request.pk)
        if started is None:
            continue
        if request.cpf == signed_cpf:
            to_sign = started.journey
        elif started.link_url:
            links.append(started.link_url)
            logger.info(
                "Jornada de demonstração (formalização %s): abra %s no celular",
                request.number, started.link_url,
            )  # fmt: skip
    return links, to_sign


def _seed_pipeline(tenant: Tenant, correspondent: Actor, manager: Actor) -> str:
    fake = Faker("pt_BR")
    fake.seed_instance(2026)

    def client(count: int) -> list:
        person = proposal_input(fake, branch="001")
        fixed = {k: person[k] for k in ("cpf", "name", "birth_date", "mother_name", "mobile")}
        return [
            proposals.proposal_create(
                actor=correspondent,
                data=proposal_input(fake, branch="001", product=product, **fixed),
            ).proposal
            for product in ["001", "002", "003"][:count]
        ]

    def decide(actor: Actor, proposal, decision: str, observation: str = "") -> None:
        proposals.proposal_decide(
            actor=actor, proposal_id=proposal.pk, decision=decision, observation=observation
        )

    # 1. Two proposals still being typed.
    client(2)
    # 2. Two at APROVA INICIO FLUXO ASS: one approved, the other waiting for its decision.
    first, second = client(2)
    for p in (first, second):
        decide(correspondent, p, "approve")
    decide(correspondent, first, "approve")
    # 3. Two approved together: one formalization opened, both AGUARDA FORMALIZACAO DIGITAL.
    together = client(2)
    for p in together:
        decide(correspondent, p, "approve")
    for p in together:
        decide(correspondent, p, "approve")
    # 4. One rejected and one pending with reasons.
    rejected, pending = client(2)
    decide(manager, rejected, "reject", "Margem consignável insuficiente.")
    decide(correspondent, pending, "pending", "Aguardando comprovante de residência.")
    # 5. Two approved together whose client signs (signed_journey_seed): returns the CPF.
    signed = client(2)
    for p in signed:
        decide(correspondent, p, "approve")
    for p in signed:
        decide(correspondent, p, "approve")
    return signed[0].cpf


DEMO_WHATSAPP = "WhatsApp (simulado)"
DEMO_TEMPLATES = [
    (
        "convite_formalizacao",
        "utility",
        [
            {
                "type": "BODY",
                "text": "Olá {{1}}, sou a VIC, assistente virtual da Promotora Exemplo, e vou "
                "ajudar você com o envio dos seus documentos e a assinatura digital do seu "
                "contrato! Para iniciar é só responder SIM.",
            },
            {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "SIM"}]},
        ],
    ),
    (
        "formalizacao_link",
        "utility",
        [{"type": "BODY", "text": "{{1}}, para continuar a sua formalização acesse o link: {{2}}"}],
    ),
    (
        "formalizacao_concluida",
        "utility",
        [{"type": "BODY", "text": "Pronto, {{1}}! Recebemos sua assinatura. Protocolo {{2}}."}],
    ),
]


def _seed_conversations(tenant: Tenant) -> None:
    """Channels on the local fake provider (started by `make run`), the WhatsApp assistant's
    templates (invitation, link, completion) and its flow, and a greeting with buttons so the
    simulator answers something."""
    from formaliza.conversations.models import Channel
    from formaliza.conversations.services import (
        ChannelInput,
        TemplateInput,
        channel_create,
        departments_defaults_ensure,
        finalization_defaults_ensure,
        template_save,
    )
    from formaliza.flows.defaults import formalization_flow_ensure

    formalization_flow_ensure(tenant=tenant)  # the WhatsApp assistant (flows/defaults)
    finalization_defaults_ensure(tenant=tenant)  # the history's labels (Assinado, Integrado...)
    departments_defaults_ensure(tenant=tenant)  # setores for transfers and the inbox
    existing = Channel.objects.filter(tenant=tenant, name=DEMO_WHATSAPP).first()
    if existing is not None:
        for name, category, components in DEMO_TEMPLATES:  # templates added since
            if not existing.templates.filter(name=name).exists():
                template_save(
                    tenant=tenant, channel_id=existing.pk,
                    data=TemplateInput(name=name, language="pt_BR", category=category, components=components),
                )  # fmt: skip
        return
    whatsapp = channel_create(
        tenant=tenant,
        data=ChannelInput(
            name=DEMO_WHATSAPP, kind="whatsapp", provider="fake",
            phone_number_id="100200300400500", business_account_id="900800700600500",
            display_phone_number="+5511940001000",
            welcome_text="Olá! Sou a VIC, assistente virtual da Promotora Exemplo. Como posso ajudar?",
            welcome_choices=["Formalizar contrato", "Falar com atendente", "Dúvidas"],
        ),
    )  # fmt: skip
    for name, category, components in DEMO_TEMPLATES:
        template_save(
            tenant=tenant, channel_id=whatsapp.pk,
            data=TemplateInput(name=name, language="pt_BR", category=category, components=components),
        )  # fmt: skip
    channel_create(
        tenant=tenant,
        data=ChannelInput(
            name="SMS (simulado)", kind="sms", provider="fake", sender_id="promotora-exemplo",
            opt_out_keywords=["SAIR", "PARAR"],
        ),
    )  # fmt: skip
    channel_create(
        tenant=tenant,
        data=ChannelInput(
            name="E-mail", kind="email", provider="email",
            sender_id="Promotora Exemplo <nao-responda@localhost>",
        ),
    )  # fmt: skip
